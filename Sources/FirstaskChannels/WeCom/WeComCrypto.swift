import _CryptoExtras
import Crypto
import Foundation

/// WeCom's callback encryption (企业微信 "加解密方案"): the `msg_signature` and the AES envelope of `echostr`
/// and of a callback's `Encrypt` field. Pure: no I/O, no clock.
///
/// * Signature: hex SHA-1 of the four strings token, timestamp, nonce and the encrypted text, sorted by byte
///   order and joined without separators.
/// * Key: the 43-character `EncodingAESKey` + "=" Base64-decoded (32 bytes, AES-256); IV: the key's first 16
///   bytes; CBC with PKCS#7 padding to a multiple of **32** bytes (not AES's 16, so the padding is removed
///   here rather than by the cipher).
/// * Plaintext: 16 random bytes, the message's length as 4 bytes big-endian, the message, then the receive id
///   (the corp id for a self-built app), which must match ours.
public struct WeComCrypto: Sendable {
    public let token: String
    public let receiveID: String
    /// The key bytes (`SymmetricKey` is not `Sendable` in this swift-crypto; one is made per use).
    let keyBytes: Data
    let iv: AES._CBC.IV

    /// Why a callback could not be opened. Descriptions name no key, token or content.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badKey
        case notBase64
        case badLength
        case badPadding
        case badEnvelope
        case wrongReceiver

        public var description: String {
            switch self {
            case .badKey: "the EncodingAESKey is not 43 Base64 characters decoding to 32 bytes"
            case .notBase64: "the encrypted text is not Base64"
            case .badLength: "the encrypted text is not a whole number of AES blocks"
            case .badPadding: "the decrypted text has no valid PKCS#7 padding (wrong key or altered text)"
            case .badEnvelope: "the decrypted text is not random(16) + length(4) + message + receive id"
            case .wrongReceiver: "the receive id in the message is not this channel's corp id"
            }
        }
    }

    /// WeCom pads to a multiple of 32 bytes.
    static let padBlock = 32

    /// `encodingAESKey`: the 43 characters from the WeCom admin console.
    public init(token: String, encodingAESKey: String, receiveID: String) throws(Failure) {
        guard let bytes = Self.keyBytes(encodingAESKey) else { throw .badKey }
        self.token = token
        self.receiveID = receiveID
        keyBytes = bytes
        do { iv = try AES._CBC.IV(ivBytes: bytes.prefix(16)) } catch { throw .badKey }
    }

    /// The 32 key bytes of a well-formed `EncodingAESKey`, else nil.
    public static func keyBytes(_ encodingAESKey: String) -> Data? {
        guard encodingAESKey.utf8.count == 43,
              encodingAESKey.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }),
              let bytes = Data(base64Encoded: encodingAESKey + "="), bytes.count == 32
        else { return nil }
        return bytes
    }

    /// The `msg_signature` WeCom computes for these values (lower-case hex SHA-1).
    public func signature(timestamp: String, nonce: String, encrypted: String) -> String {
        let joined = [token, timestamp, nonce, encrypted].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined()
        return Insecure.SHA1.hash(data: Data(joined.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the right one, compared in constant time (case-insensitive hex).
    public func isValid(signature: String, timestamp: String, nonce: String, encrypted: String) -> Bool {
        let expected = Array(self.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted).utf8)
        let given = Array(signature.lowercased().utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Opens an `echostr` or `Encrypt` value: the message bytes, after checking padding, envelope and receive id.
    public func decrypt(_ encrypted: String) throws(Failure) -> Data {
        guard let cipher = Data(base64Encoded: encrypted) else { throw .notBase64 }
        guard !cipher.isEmpty, cipher.count % Self.padBlock == 0 else { throw .badLength }
        let plain: Data
        do { plain = try AES._CBC.decrypt(cipher, using: SymmetricKey(data: keyBytes), iv: iv, noPadding: true) } catch { throw .badLength }
        let bytes = [UInt8](plain)
        guard let pad = bytes.last, (1...Self.padBlock).contains(Int(pad)),
              bytes.suffix(Int(pad)).allSatisfy({ $0 == pad })
        else { throw .badPadding }
        let body = bytes.dropLast(Int(pad))
        guard body.count >= 20 else { throw .badEnvelope }
        let start = body.startIndex
        let length = body[(start + 16)..<(start + 20)].reduce(0) { $0 << 8 | Int($1) }
        guard length <= body.count - 20 else { throw .badEnvelope }
        let message = body[(start + 20)..<(start + 20 + length)]
        let receiver = body[(start + 20 + length)...]
        guard receiver.elementsEqual(receiveID.utf8) else { throw .wrongReceiver }
        return Data(message)
    }

    /// Seals `message` the way WeCom does (used to answer in encrypted mode and by tests); `random` is the
    /// 16-byte prefix, fresh random bytes unless given.
    public func encrypt(_ message: Data, random: [UInt8]? = nil) throws(Failure) -> String {
        let prefix = random ?? (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        guard prefix.count == 16 else { throw .badEnvelope }
        let count = UInt32(message.count)
        var plain = prefix + [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        plain += message
        plain += Array(receiveID.utf8)
        let pad = Self.padBlock - plain.count % Self.padBlock
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        do {
            return try AES._CBC.encrypt(plain, using: SymmetricKey(data: keyBytes), iv: iv, noPadding: true).base64EncodedString()
        } catch {
            throw .badLength
        }
    }
}
