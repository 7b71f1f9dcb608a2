import Core
import Testing

@testable import Separation

@Suite struct CommandTemplateTests {
    @Test(arguments: [
        ("tool {input} {output_dir}", ["tool", "{input}", "{output_dir}"]),
        ("  tool \t {input}\n -o  {output_dir}  ", ["tool", "{input}", "-o", "{output_dir}"]),
        ("tool 'a b' \"c d\" {input}", ["tool", "a b", "c d", "{input}"]),
        ("tool --out=\"{output_dir}/x y\" {input}", ["tool", "--out={output_dir}/x y", "{input}"]),
        ("tool a\\ b \\\"q\\\" \\'s\\' {input}", ["tool", "a b", "\"q\"", "'s'", "{input}"]),
        // Inside single quotes a backslash is literal; inside double quotes it escapes only " \ $ `.
        ("tool 'a\\b' \"c\\\"d\\\\e\\$f\\g\" {input}", ["tool", "a\\b", "c\"d\\e$f\\g", "{input}"]),
        ("tool '' \"\" {input}", ["tool", "", "", "{input}"]),
        ("tool it\\'s\\ fine\"\" {input}", ["tool", "it's fine", "{input}"]),
        (
            "tool a;b c | d ; e & f > g < h $HOME * ~ #x {input}",
            ["tool", "a;b", "c", "|", "d", ";", "e", "&", "f", ">", "g", "<", "h", "$HOME", "*", "~", "#x", "{input}"]
        ),
        ("tool \"it's\" 'say \"hi\"' {input}", ["tool", "it's", "say \"hi\"", "{input}"]),
        ("tool line\\\ncontinued {input}", ["tool", "linecontinued", "{input}"]),
        ("tool --filename \"{track}/{stem}.{ext}\" {input}", ["tool", "--filename", "{track}/{stem}.{ext}", "{input}"]),
        ("tool 'x'\"y\"z {input}", ["tool", "xyz", "{input}"]),
    ])
    func splitsLikeAShellWithoutOne(template: String, expected: [String]) throws {
        #expect(try CommandTemplate.parse(template) == expected)
    }

    @Test func unbalancedQuotesAndDanglingBackslashAreErrors() {
        #expect(throws: CommandTemplateError.unbalancedQuote(template: "tool 'a {input}", quote: "'", position: 5)) {
            try CommandTemplate.parse("tool 'a {input}")
        }
        #expect(throws: CommandTemplateError.unbalancedQuote(template: "tool {input} \"b", quote: "\"", position: 13)) {
            try CommandTemplate.parse("tool {input} \"b")
        }
        // A quote inside the other kind of quotes does not close anything.
        #expect(throws: CommandTemplateError.unbalancedQuote(template: "t \"a'\" 'b\"", quote: "'", position: 7)) {
            try CommandTemplate.parse("t \"a'\" 'b\"")
        }
        #expect(throws: CommandTemplateError.danglingBackslash(template: "tool {input} \\")) {
            try CommandTemplate.parse("tool {input} \\")
        }
        #expect(throws: CommandTemplateError.unbalancedQuote(template: "t {input} \"a\\", quote: "\"", position: 10)) {
            try CommandTemplate.parse("t {input} \"a\\")
        }
    }

    @Test func templateNeedsAnExecutableAndTheInputPlaceholder() throws {
        #expect(throws: CommandTemplateError.missingInputPlaceholder(template: "spleeter separate -o {output_dir}")) {
            try CommandTemplate("spleeter separate -o {output_dir}")
        }
        #expect(throws: CommandTemplateError.noExecutable(template: "   ")) { try CommandTemplate("   ") }
        #expect(throws: CommandTemplateError.noExecutable(template: "'' {input}")) { try CommandTemplate("'' {input}") }
        // {input} may sit inside a larger word.
        #expect(try CommandTemplate("tool --in={input}").words == ["tool", "--in={input}"])
        let error = CommandTemplateError.missingInputPlaceholder(template: "x")
        #expect(error.description.contains("{input}"))
    }

    @Test func placeholdersAreSubstitutedAfterSplittingInOnePass() throws {
        let template = try CommandTemplate("/opt/sep\\ tool/run -i {input} -o={output_dir}/{name} '{input}' {stem} {other}")
        let hostile = "/tmp/w/it's a \"test\"; rm -rf {output_dir} $(x).wav"
        let arguments = template.arguments(input: hostile, outputDirectory: "/tmp/w/out", name: "{input}")
        #expect(
            arguments == [
                "/opt/sep tool/run", "-i", hostile, "-o=/tmp/w/out/{input}", hostile, "{stem}", "{other}",
            ])
    }

    @Test func substitutionLeavesUnknownAndUnclosedBracesAlone() {
        let values = ["{a}": "A", "{b}": "{a}"]
        #expect(CommandTemplate.substitute(values, in: "{a}{b}{c}{") == "A{a}{c}{")
        #expect(CommandTemplate.substitute(values, in: "x{{a}}y") == "x{A}y")
        #expect(CommandTemplate.substitute(values, in: "plain") == "plain")
    }
}
