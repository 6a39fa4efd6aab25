import Foundation

/// Finds the files shipped in the repository (`prompts/`, `deploy/`) for commands that run on
/// defaults: first under the current directory, then next to the sources this binary was built from.
public enum ShippedFiles {
    /// The repository root this binary was built from.
    static let sourceRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The path of `relative` (e.g. `prompts` or `deploy/roster.yaml`), or an error saying where it looked.
    public static func locate(_ relative: String) throws -> String {
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative).path,
            sourceRoot.appendingPathComponent(relative).path,
        ]
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            return path
        }
        throw ConfigError(file: relative, key: "", problem:
            "was not found (looked in \(candidates.joined(separator: " and "))); run from the repository folder")
    }
}
