import ArgumentParser
import Foundation

/// A duration on the command line: seconds (`5400`), or a number with a unit, `h`, `min` or `s`
/// (`3h`, `90min`, `1.5h`). Refuses anything else, and non-finite or negative values.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, scale: Double)] = [("min", 60), ("h", 3600), ("s", 1), ("", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value.isFinite, value >= 0 else { continue }
            seconds = value * scale
            return
        }
        return nil
    }

    var defaultValueDescription: String {
        seconds.truncatingRemainder(dividingBy: 3600) == 0 ? "\(Int(seconds / 3600))h" : "\(seconds)s"
    }
}
