/// A configuration, roster or prompts file that cannot be used, with the file, the place in it and the key
/// at fault: `FILE:LINE:COLUMN: key 'K' problem`.
///
/// Never contains a value: errors name keys, environment variables and places, not what was written there,
/// since a configuration holds secrets.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// Dotted key path (`channels[0].base_url`), or empty for the file as a whole.
    public var key: String
    public var problem: String
    /// 1-based line and column of the key (or of a syntax error) in `file`, when known.
    public var line: Int?
    public var column: Int?

    public init(file: String, key: String, problem: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.key = key
        self.problem = problem
        self.line = line
        self.column = line == nil ? nil : column
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return key.isEmpty ? "\(place): \(problem)" : "\(place): key '\(key)' \(problem)"
    }
}
