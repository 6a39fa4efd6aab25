import FirstaskDesk
import Foundation

/// The one rule every channel applies before a delivery becomes a message: its text must be valid in the
/// encoding it declares and its sender must be an address the gateway can answer. The text may be empty only
/// when the delivery announces media (a photo without a caption; at most `MediaReference.maxPerMessage`). Anything else is recorded
/// in `rejected_inbound` — the bytes as received (capped, invalid bytes written as `\xFF`) and a reason that
/// names the problem but never the content — and never reaches the desk, so it opens no ticket and no
/// reply goes to an address like "��". How the provider is answered stays with each channel (Kannel must
/// get 2xx or it retries; Twilio is told 400 and shows it in its debugger).
public enum IntakeRule {
    /// The text encodings providers declare.
    public enum Encoding: Sendable, Equatable, CustomStringConvertible {
        case utf8
        /// Big-endian UTF-16 (Kannel's UCS-2 / UTF-16BE for Chinese): an even number of bytes, surrogates in pairs.
        case utf16BE
        /// ISO-8859-1: every byte is the code point of the same number.
        case latin1
        /// Windows-1252; five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are not characters in it.
        case windows1252

        public var description: String {
            switch self {
            case .utf8: "UTF-8"
            case .utf16BE: "UTF-16BE"
            case .latin1: "ISO-8859-1"
            case .windows1252: "WINDOWS-1252"
            }
        }
    }

    /// The longest text accepted, in bytes as received.
    public static let maxTextBytes = 64 * 1024
    /// How many bytes of each rejected field are kept in `rejected_inbound`.
    public static let maxRawBytes = 1024
    /// The longest sender address accepted.
    public static let maxAddressBytes = 64

    /// `bytes` as text if every byte is valid in `encoding`; `nil` otherwise (nothing is replaced by U+FFFD).
    public static func decode(_ bytes: [UInt8], as encoding: Encoding) -> String? {
        switch encoding {
        case .utf8:
            return String(validating: bytes, as: UTF8.self)
        case .utf16BE:
            guard bytes.count % 2 == 0 else { return nil }
            let units = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            return String(validating: units, as: UTF16.self)
        case .latin1:
            var text = ""
            text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return text
        case .windows1252:
            guard !bytes.contains(where: { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }) else { return nil }
            return String(bytes: bytes, encoding: .windowsCP1252)
        }
    }

    /// `bytes` as a sender address, or `nil` when the gateway could not answer it: 1–64 printable ASCII
    /// characters without spaces (a phone number, a chat id, a provider's user id).
    public static func address(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty, bytes.count <= maxAddressBytes, bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A delivery as the channel read it, before the rule: raw fields and what the provider declared.
    public struct Delivery: Sendable {
        public var channel: String
        public var providerID: String
        public var from: [UInt8]
        public var to: String?
        public var text: [UInt8]
        public var encoding: Encoding
        public var receivedAt: Date
        /// What the channel knows about the delivery that is safe to keep (`kannel MO id=… charset=…`).
        public var label: String
        /// Files the delivery announced; with at least one, an empty text is a photo without a caption.
        public var media: [MediaReference]

        public init(channel: String, providerID: String, from: [UInt8], to: String? = nil, text: [UInt8],
                    encoding: Encoding = .utf8, receivedAt: Date, label: String, media: [MediaReference] = []) {
            self.media = media
            self.channel = channel
            self.providerID = providerID
            self.from = from
            self.to = to
            self.text = text
            self.encoding = encoding
            self.receivedAt = receivedAt
            self.label = label
        }
    }

    /// The message `delivery` carries, or the `rejected_inbound` entry that records why it carries none.
    public static func apply(_ delivery: Delivery, now: Date) -> Result<InboundMessage, RejectedInbound> {
        func reject(_ reason: String) -> Result<InboundMessage, RejectedInbound> {
            .failure(RejectedInbound(
                channel: delivery.channel,
                raw: "\(delivery.label) from=\(escaped(delivery.from)) text=\(escaped(delivery.text))",
                reason: reason, receivedAt: now))
        }
        guard let from = address(delivery.from) else {
            return reject("the sender address is not 1–\(maxAddressBytes) printable ASCII characters")
        }
        guard delivery.text.count <= maxTextBytes else { return reject("text is longer than \(maxTextBytes) bytes") }
        guard let text = decode(delivery.text, as: delivery.encoding) else {
            return reject("text is not valid \(delivery.encoding)")
        }
        guard delivery.media.count <= MediaReference.maxPerMessage else {
            return reject("more than \(MediaReference.maxPerMessage) attachments")
        }
        let blank = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        guard !blank || !delivery.media.isEmpty else { return reject("empty text") }
        return .success(InboundMessage(channel: delivery.channel, providerID: delivery.providerID, from: from, to: delivery.to,
                                       text: blank ? "" : text, receivedAt: delivery.receivedAt, media: delivery.media))
    }

    /// The bytes of a JSON string value as received: a `String`'s UTF-8, or an `UnreadableString`'s bytes.
    /// `nil` when the value is not a string.
    public static func bytes(ofJSON value: Any?) -> [UInt8]? {
        switch value {
        case let text as String: Array(text.utf8)
        case let unreadable as StrictJSON.UnreadableString: unreadable.bytes
        default: nil
        }
    }

    /// The first `maxRawBytes` of `bytes`, valid UTF-8 kept as it is and every other byte, control
    /// character and backslash written as `\xHH`, so the text says exactly which bytes arrived.
    public static func escaped(_ bytes: [UInt8]) -> String {
        let kept = Array(bytes.prefix(maxRawBytes))
        var output = ""
        var index = 0
        while index < kept.count {
            let length = sequenceLength(kept, at: index)
            if length > 1 || (length == 1 && (0x20...0x7E).contains(kept[index]) && kept[index] != 0x5C) {
                output += String(decoding: kept[index..<index + length], as: UTF8.self)
                index += length
            } else {
                output += "\\x" + String(kept[index], radix: 16, uppercase: true).leftPadded(to: 2)
                index += 1
            }
        }
        return kept.count < bytes.count ? output + "…(\(bytes.count) bytes)" : output
    }

    /// The length of the valid UTF-8 sequence starting at `index`, or 0 when there is none.
    static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let first = bytes[index]
        let length: Int = switch first {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
        guard length > 1 else { return length }
        guard index + length <= bytes.count,
              String(validating: bytes[index..<index + length], as: UTF8.self) != nil else { return 0 }
        return length
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
