import Foundation

/// Reads samples out of a Prometheus text exposition (what `/metrics` answers), for tests.
public enum PrometheusText {
    /// One sample line: `name{label="value",…} number`.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double

        func matches(_ name: String, _ wanted: [String: String]) -> Bool {
            self.name == name && wanted.allSatisfy { key, value in labels[key] == value }
        }
    }

    public static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            // Label values here never contain `",` (channel ids, label names, versions), so a split is enough.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].components(separatedBy: "\",") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                labels[String(pair[..<equals])] = pair[pair.index(equals, offsetBy: 2)...].replacingOccurrences(of: "\"", with: "")
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The value of the sample `name` whose labels include `labels`, or `nil` when there is none.
    public static func value(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples(text).first { $0.matches(name, labels) }?.value
    }

    /// The sum of every sample `name` whose labels include `labels` (0 when there is none).
    public static func sum(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(text).filter { $0.matches(name, labels) }.reduce(0) { $0 + $1.value }
    }
}
