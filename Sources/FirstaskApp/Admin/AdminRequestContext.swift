import Hummingbird
import NIOCore

/// The request context of the admin listener: Hummingbird's basic one plus the peer's address, which the
/// console's login throttling counts by.
public struct AdminRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address as text (`127.0.0.1`), or `unknown`.
    public var peer: String { remoteAddress?.ipAddress ?? "unknown" }
}
