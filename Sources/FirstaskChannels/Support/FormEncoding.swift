import Foundation

/// `application/x-www-form-urlencoded` and URL query strings, byte-exact.
///
/// Foundation's `URLComponents` decodes to `String` and so cannot carry a value that is not UTF-8 (Kannel's
/// `%b` of a UTF-16BE message); these helpers keep the bytes.
public enum FormEncoding {
    /// The pairs of `text` (`a=1&b=%E4%B8%AD`), in order, names and values as raw bytes. `+` is a space.
    public static func decodePairs(_ text: Substring) -> [(name: [UInt8], value: [UInt8])] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (decode(pair[..<equals]), decode(pair[pair.index(after: equals)...]))
            }
            return (decode(pair), [])
        }
    }

    /// Pairs decoded as UTF-8 text (bad bytes become U+FFFD); a name given twice keeps every value.
    public static func decodeStrings(_ text: String) -> [(name: String, value: String)] {
        decodePairs(text[...]).map { (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
    }

    /// Percent-decodes `text` into bytes; `+` is a space; a stray `%` stays as written.
    public static func decode(_ text: Substring) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        var pending: [UInt8] = []
        while let byte = pending.isEmpty ? bytes.next() : pending.removeFirst() {
            switch byte {
            case UInt8(ascii: "+"): output.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = bytes.next() else { output.append(byte); break }
                guard let low = bytes.next() else { output.append(byte); pending = [high]; continue }
                if let h = hexValue(high), let l = hexValue(low) {
                    output.append(h << 4 | l)
                } else {
                    output.append(byte)
                    pending = [high, low]
                }
            default: output.append(byte)
            }
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes `value` for a query or form body: only `A-Z a-z 0-9 - . _ ~` stay as they are.
    public static func encode(_ value: String) -> String {
        var output = ""
        output.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return output
    }

    /// `name=value&…` with both parts encoded.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

/// Compares secrets in time that does not depend on where they differ.
public enum ConstantTime {
    public static func equal(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let left = Array(lhs), right = Array(rhs)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
