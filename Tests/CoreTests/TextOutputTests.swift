import Core
import Testing

@Suite struct CSVWriterTests {
    @Test func plainFieldsAreWrittenAsTheyAre() {
        #expect(CSVWriter.record(["a", "b c", "1.5"]) == "a,b c,1.5\n")
    }

    @Test func fieldsWithCommaQuoteCROrLFAreQuotedWithQuotesDoubled() {
        #expect(CSVWriter.field("a,b") == "\"a,b\"")
        #expect(CSVWriter.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.field("line\nbreak") == "\"line\nbreak\"")
        #expect(CSVWriter.field("carriage\rreturn") == "\"carriage\rreturn\"")
        #expect(CSVWriter.field("crlf\r\nend") == "\"crlf\r\nend\"")
        #expect(CSVWriter.field("") == "")
    }

    @Test func documentIsHeaderThenRows() {
        #expect(CSVWriter.document(header: ["x", "y"], rows: [["1", "2"], ["3", "a,b"]]) == "x,y\n1,2\n3,\"a,b\"\n")
    }
}

@Suite struct TextTableTests {
    @Test func columnsArePaddedToTheWidestCellWithARule() {
        let table = TextTable(header: ["name", "n"], rows: [["a", "10"], ["longer", "2"]])
        #expect(table.lines() == ["name    n", "------  --", "a       10", "longer  2"])
    }

    @Test func rightAlignedColumnsAndGap() {
        let table = TextTable(
            header: ["k", "value"], rows: [["x", "1.5"], ["y", "12.25"]], alignments: [.left, .right], gap: 4, rule: false)
        #expect(table.render() == "k    value\nx      1.5\ny    12.25\n")
    }

    @Test func trailingSpacesAreTrimmed() {
        let table = TextTable(header: ["a", "b"], rows: [["long cell", ""]], rule: false)
        #expect(table.lines() == ["a          b", "long cell"])
    }
}
