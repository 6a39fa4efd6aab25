import Foundation

/// One HTTP request for `CurlHTTPClient`.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// The whole request, connect to last byte, in seconds.
    public var timeout: Double
    /// Establishing the connection (incl. TLS), in seconds.
    public var connectTimeout: Double
    /// A smaller cap than the client's for this response (media downloads); `nil` is the client's.
    public var maxResponseBytes: Int?
    /// How many redirects to follow (http and https only; 0 = none). Headers set here, `Authorization`
    /// included, are not sent on to another host (libcurl's rule), so a provider's credentials stay with it.
    public var maxRedirects: Int

    public init(
        method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Double = 30, connectTimeout: Double = 5, maxResponseBytes: Int? = nil, maxRedirects: Int = 0
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxRedirects = maxRedirects
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields of the final response, in order received.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// Why an HTTP exchange failed before a response arrived.
///
/// The description names the method, the endpoint (scheme, host, port and path — never the query, which
/// may carry credentials) and what failed.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The name did not resolve.
        case resolve
        /// No connection could be made (refused, unreachable, connect timeout).
        case connect
        /// The request took longer than its timeout.
        case timeout
        /// TLS handshake or certificate verification failed.
        case tls
        /// The response was larger than the client accepts.
        case tooLarge
        /// The caller cancelled the request.
        case cancelled
        /// The URL or a request option was rejected.
        case invalidRequest
        /// The connection broke or the server answered something that is not HTTP.
        case transport
    }

    public var code: Code
    public var method: String
    /// `scheme://host:port/path`, without query or credentials.
    public var endpoint: String
    /// libcurl's explanation.
    public var reason: String

    public init(code: Code, method: String, endpoint: String, reason: String) {
        self.code = code
        self.method = method
        self.endpoint = endpoint
        self.reason = reason
    }

    public var description: String { "\(method) \(endpoint) failed (\(code)): \(reason)" }

    /// Whether trying the same request again later may succeed.
    public var isRetryable: Bool {
        switch code {
        case .resolve, .connect, .timeout, .transport: true
        case .tls, .cancelled, .invalidRequest, .tooLarge: false
        }
    }

    /// `scheme://host:port/path` of `url`, dropping user info, query and fragment.
    public static func endpoint(of url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else { return "<invalid URL>" }
        let port = parts.port.map { ":\($0)" } ?? ""
        return "\(parts.scheme ?? "http")://\(host)\(port)\(parts.path)"
    }
}
