import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves a `SimulatedInbox` over HTTP/1.1 on loopback, as a service.
///
/// Plain SwiftNIO rather than a web framework: the simulated provider shares the machine with the
/// gateway in the benchmark, so it should cost as little as a real provider on another machine would.
public struct SimulatedInboxServer: Service {
    let inbox: SimulatedInbox
    let host: String
    let port: Int
    let onRunning: @Sendable (Int) async -> Void

    /// The largest request body accepted; larger ones get 413.
    static let maxBody = 256 * 1024

    public func run() async throws {
        let connections = ConnectionSet()
        let inbox = self.inbox
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(InboxHTTPHandler(inbox: inbox))
                }
            }
            .bind(host: host, port: port).get()
        await onRunning(channel.localAddress?.port ?? port)
        try? await gracefulShutdown()
        try? await channel.close()
        connections.closeAll()
    }
}

/// Open connections, so shutdown can close the ones clients keep alive.
private final class ConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.channels.withLock { $0.removeValue(forKey: key) }
        }
    }

    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }
}

/// One connection: reads a request, answers it (a long poll may answer later), then the next.
private final class InboxHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let inbox: SimulatedInbox
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    /// A long poll waiting for a message, so a closed connection can withdraw it.
    private var waiter: UUID?

    init(inbox: SimulatedInbox) {
        self.inbox = inbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            self.head = head
            body.clear()
            bodyTooLarge = false
        case var .body(chunk):
            if body.readableBytes + chunk.readableBytes > SimulatedInboxServer.maxBody {
                bodyTooLarge = true
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let waiter { inbox.cancelWaiter(waiter) }
        context.fireChannelInactive()
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (path, query) = Self.split(head.uri)
        if bodyTooLarge {
            return respond(.error(413, "request body too large"), head: head, context: context)
        }
        switch (head.method, path) {
        case (.GET, "/messages"):
            inbox.countPoll()
            answer(.messages, head: head, context: context) { handler, context in
                handler.poll(query, head: head, context: context)
            }
        case (.POST, "/send"):
            let data = Data(body.readableBytesView)
            answer(.send, head: head, context: context) { handler, context in
                handler.respond(handler.inbox.send(body: data), head: head, context: context)
            }
        case (.POST, "/inject"):
            respond(inbox.inject(body: Data(body.readableBytesView)), head: head, context: context)
        case (_, "/messages"), (_, "/send"), (_, "/inject"):
            respond(.error(405, "method not allowed"), head: head, context: context)
        default:
            respond(.error(404, "no such endpoint"), head: head, context: context)
        }
    }

    /// Applies a scripted fault for `endpoint` if there is one, else runs `normal` (after a scripted delay).
    private func answer(
        _ endpoint: SimulatedInbox.Endpoint, head: HTTPRequestHead, context: ChannelHandlerContext,
        normal: @escaping (InboxHTTPHandler, ChannelHandlerContext) -> Void
    ) {
        guard let fault = inbox.nextFault(endpoint) else { return normal(self, context) }
        if let reply = SimulatedInbox.reply(for: fault) { return respond(reply, head: head, context: context) }
        guard case let .delay(seconds) = fault else { return normal(self, context) }
        let bound = NIOLoopBound((self, context, normal), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            let (handler, context, normal) = bound.value
            normal(handler, context)
        }
    }

    private func poll(_ query: [String: String], head: HTTPRequestHead, context: ChannelHandlerContext) {
        let after = query["after"].flatMap { Int($0) } ?? 0
        let limit = max(1, min(query["limit"].flatMap { Int($0) } ?? 100, 10_000))
        let wait = min(query["wait"].flatMap { Double($0) } ?? 0, 60)
        if let page = inbox.page(after: after, limit: limit) { return respond(page, head: head, context: context) }
        guard wait > 0 else { return respond(SimulatedInbox.emptyPage(after: after), head: head, context: context) }

        // Long poll: answer when a message arrives or when `wait` runs out, whichever is first.
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        let finish: @Sendable () -> Void = {
            eventLoop.execute {
                let (handler, context) = bound.value
                guard let key = handler.waiter else { return }  // already answered
                handler.inbox.cancelWaiter(key)
                handler.waiter = nil
                let reply = handler.inbox.page(after: after, limit: limit) ?? SimulatedInbox.emptyPage(after: after)
                handler.respond(reply, head: head, context: context)
            }
        }
        waiter = inbox.onInbound(after: after, finish)
        eventLoop.scheduleTask(in: .milliseconds(Int64(wait * 1000))) { finish() }
    }

    private func respond(_ reply: SimulatedInbox.Reply, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
        buffer.writeString(reply.body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(buffer.readableBytes))
        if let retryAfter = reply.retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: reply.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        if !keepAlive {
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// `/messages?after=5&limit=2` → (`/messages`, ["after": "5", "limit": "2"]).
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let key = parts.first?.removingPercentEncoding else { continue }
            query[key] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? String(parts[1])) : ""
        }
        return (String(uri[..<mark]), query)
    }
}
