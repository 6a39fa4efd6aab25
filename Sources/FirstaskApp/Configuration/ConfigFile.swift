import Foundation

/// Reads the text of a configuration, roster, prompts or rules file, saying in words what is wrong with a
/// path that cannot be read (missing, a folder, not permitted, not UTF-8) instead of a Foundation error.
enum ConfigFile {
    static func text(at path: String) throws -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigError(file: path, key: "", problem: "does not exist (check the path, relative to the configuration file)")
        }
        guard !isFolder.boolValue else { throw ConfigError(file: path, key: "", problem: "is a folder, not a file") }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", problem: "cannot be read by this user (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", problem: "is not UTF-8 text")
        }
        return text
    }
}
