import Foundation

/// Whether `store.sqlite` names a place a database can live, in words: the store itself only knows that
/// opening failed (Foundation and SQLite say it with error domains and codes).
enum StorePath {
    /// What stops `path` from holding the database, or `nil` when it can (an existing file that is readable
    /// and writable, or a new file in a folder that exists or can be created).
    static func problem(_ path: String) -> String? {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isFolder) {
            if isFolder.boolValue { return "names \(path), which is a folder, not a database file" }
            guard files.isReadableFile(atPath: path), files.isWritableFile(atPath: path) else {
                return "names \(path), which this user cannot both read and write (check its permissions)"
            }
            return nil
        }
        // The nearest existing folder above the file must be a folder this user may create files in.
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !files.fileExists(atPath: folder.path, isDirectory: &isFolder), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        guard isFolder.boolValue else {
            return "names \(path), but \(folder.path) is a file, so no folder can be made there"
        }
        guard files.isWritableFile(atPath: folder.path) else {
            return "names \(path), but this user may not create files in \(folder.path) (check its permissions)"
        }
        return nil
    }
}
