import Crypto
import Foundation

/// Twilio's `X-Twilio-Signature`: Base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value,
/// sorted by name, then by value)). The URL is exactly as configured in Twilio, query included.
///
/// Parameters are sorted by Unicode code point (UTF-8 byte order), repeated values of one name are taken
/// once each and sorted — as Twilio's own SDKs (`twilio` for Python: `RequestValidator.compute_signature`) do.
public enum TwilioSignature {
    public static func compute(authToken: String, url: String, parameters: [(name: String, value: String)]) -> String {
        var data = url
        let names = Set(parameters.map(\.name)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for name in names {
            let values = Set(parameters.filter { $0.name == name }.map(\.value))
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for value in values { data += name + value }
        }
        let key = SymmetricKey(data: Data(authToken.utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` is the right one, compared in constant time.
    public static func isValid(_ signature: String, authToken: String, url: String, parameters: [(name: String, value: String)]) -> Bool {
        ConstantTime.equal(Array(signature.utf8), Array(compute(authToken: authToken, url: url, parameters: parameters).utf8))
    }
}
