import FirstaskClassifier
import Foundation

/// A delivery report for an outbox row (Kannel's dlr-url, a provider's status callback).
public struct DeliveryReport: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// The handset has it.
        case delivered
        /// The network gave up on it.
        case undelivered
        /// The SMSC accepted or queued it; the final state is still to come.
        case accepted
        /// The SMSC refused it.
        case rejected
    }

    /// The outbox row (`OutboundMessage.id`) the report is about.
    public var outboxID: String
    public var state: State
    /// What the provider said, for operators (never a phone number or a body).
    public var detail: String
    public var at: Date

    public init(outboxID: String, state: State, detail: String, at: Date) {
        self.outboxID = outboxID
        self.state = state
        self.detail = detail
        self.at = at
    }
}

/// Per-sender flood protection at intake: a sender who has already sent `maxPerWindow` messages on a
/// channel within `window` seconds has further messages stored but marked throttled — they never reach
/// the desk, so they open no tickets and cause no replies — and gets at most one notice while throttled,
/// in the language of the message (`resident.flood_notice` in the prompts' templates).
public struct FloodPolicy: Sendable, Equatable {
    /// Messages per sender and channel allowed within `window`; 0 turns the protection off.
    public var maxPerWindow: Int
    public var window: TimeInterval
    /// The notice per locale; empty sends none.
    public var notices: [ReplyLocale: String]

    public init(maxPerWindow: Int = 20, window: TimeInterval = 60, notices: [ReplyLocale: String] = [:]) {
        self.maxPerWindow = maxPerWindow
        self.window = window
        self.notices = notices
    }

    public static let off = FloodPolicy(maxPerWindow: 0)

    /// The notice for a sender whose message reads `text`, in its script; `nil` when notices are off.
    public func notice(for text: String) -> String? {
        guard !notices.isEmpty else { return nil }
        return notices[ReplyLocale.detect(text)] ?? notices[.zhHans] ?? notices.values.first
    }

    /// Pure decision for one new message: `recent` messages from the sender are already stored within the
    /// window, `recentThrottled` of them throttled.
    public func decide(recent: Int, recentThrottled: Int) -> (throttle: Bool, notice: Bool) {
        guard maxPerWindow > 0, recent >= maxPerWindow else { return (false, false) }
        return (true, !notices.isEmpty && recentThrottled == 0)
    }
}

/// What `ChannelStore.storeInbound(_:flood:now:makeID:)` did.
public struct IntakeResult: Sendable, Equatable {
    /// New messages the desk will handle.
    public var accepted = 0
    /// New messages stored as throttled.
    public var throttled = 0
    /// Flood notices enqueued.
    public var notices = 0
    public init() {}

    public var stored: Int { accepted + throttled }
}

/// The store operations the channels need beyond `Store`: intake with flood protection, and delivery reports.
///
/// Implementations (`SQLiteStore`, `InMemoryStore`) pass the same contract suite; every method is atomic.
public protocol ChannelStore: Store {
    /// Like `storeInbound(_:)` — the batch, its rejected items and the channel's cursor in one transaction,
    /// duplicates ignored — and applies `flood` to each new message (counting what is stored from the same
    /// sender on the same channel since `now - flood.window`). Throttled messages are stored as already
    /// handled; a notice is enqueued (id from `makeID`) in the same transaction.
    func storeInbound(_ batch: InboundBatch, flood: FloodPolicy, now: Date, makeID: @Sendable () -> String) async throws
        -> IntakeResult

    /// Records delivery reports on their outbox rows; returns how many rows matched. The latest report wins,
    /// except that `accepted` never replaces a final state (providers may send the two out of order).
    /// A report for an unknown row is ignored.
    func recordDeliveryReports(_ reports: [DeliveryReport]) async throws -> Int

    /// The last delivery report recorded for an outbox row, if any.
    func deliveryReport(outboxID: String) async throws -> DeliveryReport?

    /// Stored inbound messages marked throttled, all channels.
    func throttledCount() async throws -> Int

    /// How many deliveries each channel had recorded in `rejected_inbound`, by channel id; channels with
    /// none are absent.
    func rejectedCounts() async throws -> [String: Int]
}
