import Crypto
import Foundation

/// Content-addressed files: the bytes with SHA-256 `h` live at `<dir>/<h[0..<2]>/<h>`, written once
/// (a second copy of the same photo costs nothing) through a temporary file and a rename, so a reader never
/// sees half a file.
public struct MediaFolder: Sendable {
    public let dir: String

    public init(dir: String) { self.dir = dir }

    /// Lower-case hex SHA-256 of `data`.
    public static func address(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func isAddress(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    public func path(of address: String) -> String? {
        guard Self.isAddress(address) else { return nil }
        return "\(dir)/\(address.prefix(2))/\(address)"
    }

    /// Stores `data`; returns its address.
    @discardableResult
    public func write(_ data: Data) throws -> String {
        let address = Self.address(of: data)
        let path = path(of: address)!
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { return address }
        let folder = (path as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = "\(folder)/.\(address).\(UUID().uuidString).tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            let code = errno
            try? manager.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename failed (errno \(code))"])
        }
        return address
    }

    /// The bytes at `address`, if present and intact (their hash is checked).
    public func read(_ address: String) -> Data? {
        guard let path = path(of: address), let data = FileManager.default.contents(atPath: path),
              Self.address(of: data) == address else { return nil }
        return data
    }
}
