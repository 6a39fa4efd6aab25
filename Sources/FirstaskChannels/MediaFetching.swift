import FirstaskCurl
import FirstaskDesk
import Foundation

/// A channel that can fetch the files its messages announce.
///
/// The gateway's media fetcher asks for the request, performs it through the shared libcurl client with the
/// media size cap, and checks and stores what comes back; the channel only knows where the bytes are and how
/// to authenticate (Twilio: Basic auth; Telegram: `getFile`, then the file URL; WeCom: `media/get`).
public protocol MediaFetching: Sendable {
    var channelID: String { get }
    /// The GET that returns the bytes of `reference`. May call the provider first (Telegram's `getFile`).
    /// Throws `ChannelError` (whose `retry` says whether to try again); its message holds no token.
    func mediaRequest(for reference: MediaReference) async throws -> HTTPRequest

    /// Looks at a 2xx download before it is checked as media: a provider that answers errors as 200 + JSON
    /// (WeCom's `media/get`) throws the `ChannelError` it means (a retryable one for an expired token).
    func checkMediaResponse(_ response: HTTPResponse) throws(ChannelError)
}

extension MediaFetching {
    public func checkMediaResponse(_ response: HTTPResponse) throws(ChannelError) {}
}

extension MediaReference {
    /// `locator` if it is an absolute http(s) URL with a host.
    public var httpURL: String? {
        guard let url = URL(string: locator), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else { return nil }
        return locator
    }
}
