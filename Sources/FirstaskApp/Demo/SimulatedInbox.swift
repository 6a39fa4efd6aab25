import FirstaskChannels
import Foundation
import Synchronization

/// A simulated SMS inbox that speaks the HTTP inbox protocol (README, "The HTTP inbox protocol"): `GET /messages?after=&limit=&wait=`
/// and `POST /send`, plus `POST /inject` (`{"from", "text"}`) to play a phone texting the gateway.
///
/// The demo and the benchmark run it; tests use it as the real server on the other end of libcurl, with
/// fault injection (`failNext`) to play a provider that errs. This type holds the inbox's state and
/// answers requests; `SimulatedInboxServer` serves it over HTTP.
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

    /// An answer to one request.
    struct Reply: Sendable {
        var status: Int
        var body: String
        var retryAfter: Int?

        static func json(_ body: String) -> Reply { Reply(status: 200, body: body) }
        static func error(_ status: Int, _ message: String) -> Reply {
            Reply(status: status, body: "{\"error\":\(JSONText.quote(message))}")
        }
    }

    private struct State {
        var inbound: [Inbound] = []
        var deliveries: [Delivery] = []
        var deliveredIDs: Set<String> = []
        var duplicateSends = 0
        var faults: [Endpoint: [Fault]] = [:]
        /// Long polls waiting for a message, called when one arrives.
        var waiters: [UUID: @Sendable () -> Void] = [:]
        var polls = 0
        /// Messages handed out in `GET /messages` pages (a message served twice counts twice).
        var served = 0
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
        let (id, waiters) = state.withLock { state -> (String, [@Sendable () -> Void]) in
            let seq = state.inbound.count + 1
            let id = "sim-\(seq)"
            state.inbound.append(Inbound(seq: seq, id: id, from: from, to: number, text: text, receivedAt: date))
            let waiting = Array(state.waiters.values)
            state.waiters.removeAll()
            return (id, waiting)
        }
        waiters.forEach { $0() }
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
    /// Messages handed out in ordinary `GET /messages` pages, repeats included (scripted `rawItems` not counted).
    public var servedMessages: Int { state.withLock { $0.served } }

    /// Waits until at least `count` distinct messages were delivered, or `timeout` passed; returns whether they were.
    public func waitForDeliveries(_ count: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.deliveries.count }) >= count { return true }
            try? await Task.sleep(until: .now + .milliseconds(10))
        }
        return state.withLock { $0.deliveries.count } >= count
    }

    /// Serves the inbox on `host:port` (port 0 picks a free one; `onRunning` gets the real port).
    public func server(
        host: String = "127.0.0.1", port: Int = 0, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> SimulatedInboxServer {
        SimulatedInboxServer(inbox: self, host: host, port: port, onRunning: onRunning)
    }

    // MARK: Answering requests

    func nextFault(_ endpoint: Endpoint) -> Fault? {
        state.withLock { state in
            guard var list = state.faults[endpoint], !list.isEmpty else { return nil }
            let fault = list.removeFirst()
            state.faults[endpoint] = list
            return fault
        }
    }

    /// The reply a fault scripts, or nil for `.delay` (answer normally, later).
    static func reply(for fault: Fault) -> Reply? {
        switch fault {
        case let .status(code, retryAfter):
            Reply(status: code, body: "{\"error\":\"simulated failure\"}", retryAfter: retryAfter)
        case .malformedJSON:
            Reply(status: 200, body: "{\"messages\": [ {\"id\": ")
        case let .rawItems(items):
            Reply(status: 200, body: "{\"messages\": [\(items.joined(separator: ","))], \"next\": null}")
        case .delay:
            nil
        }
    }

    func countPoll() { state.withLock { $0.polls += 1 } }

    /// The `GET /messages` page after `after`, or nil when there is none yet.
    func page(after: Int, limit: Int) -> Reply? {
        let page = state.withLock { state -> [Inbound] in
            guard after < state.inbound.count else { return [] }
            let page = Array(state.inbound[max(0, after)..<min(state.inbound.count, after + limit)])
            state.served += page.count
            return page
        }
        guard let last = page.last else { return nil }
        let items = page.map {
            JSONText.object(["id": $0.id, "from": $0.from, "to": $0.to, "text": $0.text,
                             "received_at": JSONText.timestamp($0.receivedAt)])
        }
        return .json("{\"messages\":[\(items.joined(separator: ","))],\"next\":\(JSONText.quote(String(last.seq)))}")
    }

    static func emptyPage(after: Int) -> Reply {
        .json("{\"messages\":[],\"next\":\(JSONText.quote(String(after)))}")
    }

    /// Registers `wake` to be called once when a message after `after` exists (at once if one does);
    /// returns a key to cancel it.
    func onInbound(after: Int, _ wake: @escaping @Sendable () -> Void) -> UUID {
        let key = UUID()
        let ready = state.withLock { state -> Bool in
            if state.inbound.count > after { return true }
            state.waiters[key] = wake
            return false
        }
        if ready { wake() }
        return key
    }

    func cancelWaiter(_ key: UUID) {
        _ = state.withLock { $0.waiters.removeValue(forKey: key) }
    }

    /// `POST /send`: records the delivery (once per id) and accepts it.
    func send(body: Data) -> Reply {
        guard let object = try? StrictJSON.object(body),
              let id = object["id"] as? String, let to = object["to"] as? String, let text = object["text"] as? String
        else { return .error(400, "expected JSON {\"id\", \"to\", \"text\"}") }
        state.withLock { state in
            if state.deliveredIDs.insert(id).inserted {
                state.deliveries.append(Delivery(id: id, to: to, text: text, at: Date()))
            } else {
                state.duplicateSends += 1
            }
        }
        return .json("{\"accepted\":\(JSONText.quote(id))}")
    }

    /// `POST /inject`: a phone texts the gateway.
    func inject(body: Data) -> Reply {
        guard let object = try? StrictJSON.object(body),
              let from = object["from"] as? String, let text = object["text"] as? String
        else { return .error(400, "expected JSON {\"from\": …, \"text\": …}") }
        return .json("{\"id\":\(JSONText.quote(inject(from: from, text: text)))}")
    }
}
