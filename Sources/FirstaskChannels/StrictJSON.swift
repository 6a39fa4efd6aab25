import Foundation

/// The one JSON reader for everything the gateway receives: request bodies, provider answers, inbox pages.
///
/// It accepts exactly RFC 8259 — no trailing commas, no comments, no single quotes, no `NaN`, no leading
/// zeros, nothing after the value — and refuses what the RFC leaves open: an object naming a key twice
/// (which copy wins differs between readers, so a message could mean one thing to a proxy and another to
/// the gateway), text that is not UTF-8 and `\u` escapes that are lone surrogates. Foundation's readers accept
/// some of these, so nothing calls them on untrusted input directly.
///
/// Values come back as Foundation's JSON readers return them (`[String: Any]`, `[Any]`, `String`,
/// `NSNumber` for numbers and booleans, `NSNull`), so call sites read them the same way.
public enum StrictJSON {
    /// Why a text is not strict JSON: where (byte offset from 0) and what, never the text itself.
    public struct Error: Swift.Error, CustomStringConvertible, Sendable, Equatable {
        public var offset: Int
        public var problem: String

        public var description: String { "not valid JSON at byte \(offset): \(problem)" }
    }

    /// A string value whose bytes are not valid UTF-8, kept so the caller can record them as received.
    /// Only returned when `parse` is asked to (`unreadableStrings: .keep`).
    public struct UnreadableString: Sendable, Equatable {
        public var bytes: [UInt8]
    }

    /// What to do with a string value that is not valid UTF-8.
    public enum UnreadableStrings: Sendable {
        /// The whole text is refused (the default: request bodies, provider answers).
        case refuse
        /// The value becomes an `UnreadableString`: a page of messages from an inbox or a provider, where
        /// one mangled message must be recorded as rejected without holding up the others.
        case keep
    }

    /// Deepest nesting accepted; providers send a few levels, an attacker sends thousands.
    public static let maxDepth = 64

    /// Parses `bytes` as one JSON value.
    public static func parse(_ bytes: some Collection<UInt8>, unreadableStrings: UnreadableStrings = .refuse) throws(Error) -> Any {
        var reader = Reader(bytes: Array(bytes), keepUnreadable: unreadableStrings == .keep)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.error("unexpected text after the value") }
        return value
    }

    /// Parses `bytes` as a JSON object.
    public static func object(_ bytes: some Collection<UInt8>, unreadableStrings: UnreadableStrings = .refuse) throws(Error)
        -> [String: Any]
    {
        guard let object = try parse(bytes, unreadableStrings: unreadableStrings) as? [String: Any] else {
            throw Error(offset: 0, problem: "the value is not an object")
        }
        return object
    }

    /// Decodes `T` from `bytes` after checking they are strict JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        let data = Data(bytes)
        _ = try parse(data)
        return try JSONDecoder().decode(type, from: data)
    }

    struct Reader {
        let bytes: [UInt8]
        let keepUnreadable: Bool
        var index = 0

        init(bytes: [UInt8], keepUnreadable: Bool) {
            self.bytes = bytes
            self.keepUnreadable = keepUnreadable
        }

        func error(_ problem: String, at offset: Int? = nil) -> Error {
            Error(offset: offset ?? index, problem: problem)
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(Error) -> Any {
            guard depth < StrictJSON.maxDepth else { throw error("nested deeper than \(StrictJSON.maxDepth) levels") }
            guard index < bytes.count else { throw error("the text ends where a value should be") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""):
                switch try string() {
                case let .text(text): return text
                case let .unreadable(raw): return UnreadableString(bytes: raw)
                }
            case UInt8(ascii: "t"): try literal("true"); return NSNumber(value: true)
            case UInt8(ascii: "f"): try literal("false"); return NSNumber(value: false)
            case UInt8(ascii: "n"): try literal("null"); return NSNull()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            case UInt8(ascii: "/"): throw error("comments are not JSON")
            case UInt8(ascii: "}"), UInt8(ascii: "]"): throw error("a trailing comma or a missing value")
            default: throw error("unexpected character where a value should be")
            }
        }

        mutating func literal(_ word: StaticString) throws(Error) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
                throw error("unknown word (only true, false and null are)")
            }
            index += expected.count
        }

        mutating func object(depth: Int) throws(Error) -> [String: Any] {
            index += 1
            var object: [String: Any] = [:]
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return object }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "}") { throw error("a trailing comma in an object") }
                    if index < bytes.count, bytes[index] == UInt8(ascii: "/") { throw error("comments are not JSON") }
                    throw error("an object key must be a string in double quotes")
                }
                let keyStart = index
                guard case let .text(key) = try string() else { throw error("an object key is not valid UTF-8", at: keyStart) }
                guard object[key] == nil else {
                    // Not named: whoever wrote the text chose the key, and errors are logged.
                    throw error("a key appears twice in one object", at: keyStart)
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("':' expected after an object key") }
                index += 1
                skipWhitespace()
                object[key] = try value(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("the text ends inside an object") }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return object
                default: throw error("',' or '}' expected in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(Error) -> [Any] {
            index += 1
            var items: [Any] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return items }
            while true {
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { throw error("a trailing comma in an array") }
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("the text ends inside an array") }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return items
                default: throw error("',' or ']' expected in an array")
                }
            }
        }

        enum StringValue { case text(String), unreadable([UInt8]) }

        /// A string from its opening quote; escapes decoded, UTF-8 checked.
        mutating func string() throws(Error) -> StringValue {
            let start = index
            index += 1
            var output: [UInt8] = []
            while true {
                guard index < bytes.count else { throw error("the text ends inside a string", at: start) }
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    if let text = String(validating: output, as: UTF8.self) { return .text(text) }
                    guard keepUnreadable else { throw error("a string is not valid UTF-8", at: start) }
                    return .unreadable(output)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw error("the text ends inside a string", at: start) }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): output.append(0x22)
                    case UInt8(ascii: "\\"): output.append(0x5C)
                    case UInt8(ascii: "/"): output.append(0x2F)
                    case UInt8(ascii: "b"): output.append(0x08)
                    case UInt8(ascii: "f"): output.append(0x0C)
                    case UInt8(ascii: "n"): output.append(0x0A)
                    case UInt8(ascii: "r"): output.append(0x0D)
                    case UInt8(ascii: "t"): output.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw error("a \\u escape is half of a surrogate pair")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("a \\u escape is half of a surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            throw error("a \\u escape is half of a surrogate pair")
                        }
                        // Valid by the checks above.
                        output.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
                    default: throw error("unknown escape in a string")
                    }
                case 0x00..<0x20:
                    throw error("a control character inside a string must be escaped")
                default:
                    output.append(byte)
                    index += 1
                }
            }
        }

        mutating func hex4() throws(Error) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("a \\u escape needs four hex digits") }
            var value: UInt32 = 0
            for byte in bytes[index..<index + 4] {
                guard let digit = FormEncoding.hexValue(byte) else { throw error("a \\u escape needs four hex digits") }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }

        mutating func number() throws(Error) -> NSNumber {
            let start = index
            var isInteger = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.index
                while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) { reader.index += 1 }
                return reader.index - from
            }
            guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { throw error("a number needs digits", at: start) }
            if bytes[index] == 0x30 {
                index += 1
                if index < bytes.count, (0x30...0x39).contains(bytes[index]) { throw error("a number must not start with 0", at: start) }
            } else {
                _ = digits(&self)
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard digits(&self) > 0 else { throw error("digits expected after a decimal point", at: start) }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw error("digits expected in an exponent", at: start) }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let integer = Int64(text) { return NSNumber(value: integer) }
            guard let double = Double(text), double.isFinite else { throw error("a number is out of range", at: start) }
            return NSNumber(value: double)
        }
    }
}
