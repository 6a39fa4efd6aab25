/// A configuration, roster or prompts file that cannot be used, with the file and the key at fault.
///
/// Never contains a secret's value: errors name keys, not what was written in them.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    /// Dotted key path (`channels[0].base_url`), or empty for the file as a whole.
    public var key: String
    public var problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(file): \(problem)" : "\(file): key '\(key)' \(problem)"
    }
}
