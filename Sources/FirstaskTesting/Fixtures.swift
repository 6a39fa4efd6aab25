import FirstaskApp
import Foundation

/// Paths of the repository's own files, for tests.
public enum RepositoryFiles {
    /// The repository root (this file is `Sources/FirstaskTesting/Fixtures.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static var prompts: String { root.appendingPathComponent("prompts").path }
    public static var roster: String { root.appendingPathComponent("deploy/roster.yaml").path }
    public static var exampleConfig: String { root.appendingPathComponent("deploy/firstask.yaml").path }

    /// A fresh temporary folder; the caller removes it.
    public static func temporaryFolder(_ name: String = "firstask-test") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
