import FirstaskChannels
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A simulated SMS inbox that speaks the HTTP inbox protocol of DESIGN.md on a loopback port:
/// `GET /messages?after=&limit=&wait=` and `POST /send`, plus `POST /inject` (`{"from", "text"}`) to
/// play a phone texting the gateway.
///
/// The demo and the benchmark run it; tests use it as the real server on the other end of libcurl,
/// with fault injection (`failNext`) to play a provider that errs.
public final class SimulatedInbox: Sendable {
    /// One message the inbox holds for the gateway.
    public struct Inbound: Sendable, Equatable {
        public var seq: Int
        public var id: String
        public var from: String
        public var to: String
        public var text: String
        public var receivedAt: Date
    }

    /// One `POST /send` the inbox accepted.
    public struct Delivery: Sendable, Equatable {
        public var id: String
        public var to: String
        public var text: String
        public var at: Date
    }

    /// A scripted failure for the next requests to one endpoint.
    public enum Fault: Sendable, Equatable {
        case status(Int, retryAfter: Int? = nil)
        /// 200 with a body that is not JSON.
        case malformedJSON
        /// 200 with these raw JSON items in `messages` (to play broken messages).
        case rawItems([String])
        /// Hold the request this long before answering normally (to play a timeout).
        case delay(seconds: Double)
    }

    public enum Endpoint: Sendable { case messages, send }

    private struct State {
        var inbound: [Inbound] = []
        var deliveries: [Delivery] = []
        var deliveredIDs: Set<String> = []
        var duplicateSends = 0
        var faults: [Endpoint: [Fault]] = [:]
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        var polls = 0
    }

    private let state = Mutex(State())
    /// The gateway's own number, reported as `to` on inbound messages.
    public let number: String

    public init(number: String = "+8610086000") {
        self.number = number
    }

    // MARK: Playing phones

    /// A phone texts the gateway; returns the message id.
    @discardableResult
    public func inject(from: String, text: String, at date: Date = Date()) -> String {
        let (id, waiters) = state.withLock { state -> (String, [CheckedContinuation<Void, Never>]) in
            let seq = state.inbound.count + 1
            let id = "sim-\(seq)"
            state.inbound.append(Inbound(seq: seq, id: id, from: from, to: number, text: text, receivedAt: date))
            let waiting = Array(state.waiters.values)
            state.waiters.removeAll()
            return (id, waiting)
        }
        waiters.forEach { $0.resume() }
        return id
    }

    /// Scripts `fault` for the next `count` requests to `endpoint`.
    public func failNext(_ endpoint: Endpoint, _ fault: Fault, count: Int = 1) {
        state.withLock { $0.faults[endpoint, default: []].append(contentsOf: Array(repeating: fault, count: count)) }
    }

    public var inbound: [Inbound] { state.withLock { $0.inbound } }
    /// Every distinct message the gateway delivered, first delivery of each id.
    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    /// Deliveries from position `start` on (for callers that follow them as they arrive).
    public func deliveries(from start: Int) -> [Delivery] {
        // A copy of the new part only: a slice would share the whole buffer and make the next append copy it.
        state.withLock { state in Array(state.deliveries[min(start, state.deliveries.count)...]) }
    }
    /// `POST /send` calls that repeated an id already delivered.
    public var duplicateSends: Int { state.withLock { $0.duplicateSends } }
    public var polls: Int { state.withLock { $0.polls } }

    /// Waits until at least `count` distinct messages were delivered, or `timeout` passed; returns whether they were.
    public func waitForDeliveries(_ count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.deliveries.count }) >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return state.withLock { $0.deliveries.count } >= count
    }

    // MARK: Serving

    /// Builds the HTTP application on `host:port` (port 0 picks a free one; `onRunning` gets the real port).
    public func application(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "firstask.simulated-inbox"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/messages") { request, _ -> Response in
            try await self.messages(request)
        }
        router.post("/send") { request, context -> Response in
            try await self.send(request, context: context)
        }
        router.post("/inject") { request, context -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                  let from = object["from"] as? String, let text = object["text"] as? String
            else { throw HTTPError(.badRequest, message: "expected JSON {\"from\": …, \"text\": …}") }
            let id = self.inject(from: from, text: text)
            return Self.json(["id": id])
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "firstask-simulated-inbox"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private func nextFault(_ endpoint: Endpoint) -> Fault? {
        state.withLock { state in
            guard var list = state.faults[endpoint], !list.isEmpty else { return nil }
            let fault = list.removeFirst()
            state.faults[endpoint] = list
            return fault
        }
    }

    private func faultResponse(_ fault: Fault) async -> Response? {
        switch fault {
        case let .status(code, retryAfter):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { headers[.retryAfter] = String(retryAfter) }
            return Response(status: .init(code: code), headers: headers,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\":\"simulated failure\"}")))
        case .malformedJSON:
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"messages\": [ {\"id\": ")))
        case let .rawItems(items):
            let body = "{\"messages\": [\(items.joined(separator: ","))], \"next\": null}"
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        case let .delay(seconds):
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        }
    }

    private func messages(_ request: Request) async throws -> Response {
        state.withLock { $0.polls += 1 }
        if let fault = nextFault(.messages), let response = await faultResponse(fault) { return response }
        let query = request.uri.queryParameters
        let after = query.get("after").flatMap { Int($0) } ?? 0
        let limit = max(1, min(query.get("limit").flatMap { Int($0) } ?? 100, 10_000))
        let wait = min(query.get("wait").flatMap { Double($0) } ?? 0, 60)

        var page = pending(after: after, limit: limit)
        if page.isEmpty, wait > 0 {
            await waitForInbound(after: after, seconds: wait)
            page = pending(after: after, limit: limit)
        }
        let items = page.map {
            JSONText.object(["id": $0.id, "from": $0.from, "to": $0.to, "text": $0.text,
                             "received_at": JSONText.timestamp($0.receivedAt)])
        }
        let next = page.last.map { String($0.seq) } ?? String(after)
        let body = "{\"messages\":[\(items.joined(separator: ","))],\"next\":\(JSONText.quote(next))}"
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    private func pending(after: Int, limit: Int) -> [Inbound] {
        state.withLock { state in
            guard after < state.inbound.count else { return [] }
            return Array(state.inbound[max(0, after)..<min(state.inbound.count, after + limit)])
        }
    }

    /// Long poll: returns when a message after `after` exists, or after `seconds`.
    private func waitForInbound(after: Int, seconds: Double) async {
        let key = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: key) }
                waiter?.resume()
            }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready = self.state.withLock { state -> Bool in
                        if state.inbound.count > after { return true }
                        state.waiters[key] = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func send(_ request: Request, context: some RequestContext) async throws -> Response {
        if let fault = nextFault(.send), let response = await faultResponse(fault) { return response }
        let body = try await request.body.collect(upTo: 256 * 1024)
        guard let send = try? JSONDecoder().decode(SendBody.self, from: Data(buffer: body)) else {
            throw HTTPError(.badRequest, message: "expected JSON {\"id\", \"to\", \"text\"}")
        }
        let (id, to, text) = (send.id, send.to, send.text)
        state.withLock { state in
            if state.deliveredIDs.insert(id).inserted {
                state.deliveries.append(Delivery(id: id, to: to, text: text, at: Date()))
            } else {
                state.duplicateSends += 1
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"accepted\":\(JSONText.quote(id))}")))
    }

    /// The body of `POST /send`.
    struct SendBody: Decodable {
        var id: String
        var to: String
        var text: String
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
