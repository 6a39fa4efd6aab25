import Crypto
import FirstaskCurl
import FirstaskDesk
import Foundation
import Synchronization

/// Settings of one `wecom-kf` channel (WeCom customer service, 微信客服).
public struct WeComSettings: Sendable, Equatable {
    public var id: String
    public var corpID: String
    /// The secret of a self-built app allowed to call the 微信客服 API.
    public var secret: String
    /// The kf account (`wk…`) whose messages are pulled and sent.
    public var openKfID: String
    /// Seconds between `sync_msg` pulls when nothing came.
    public var pollInterval: Double
    /// Most `sync_msg` pages drained per poll.
    public var maxPagesPerPoll: Int
    public var apiBase: String
    public var requestTimeout: Double
    /// The encrypted push callback (`/webhooks/{id}`); `nil` when the channel only polls.
    public var callback: WeComCallbackSettings?

    public init(
        id: String, corpID: String, secret: String, openKfID: String, pollInterval: Double = 5, maxPagesPerPoll: Int = 10,
        apiBase: String = "https://qyapi.weixin.qq.com", requestTimeout: Double = 10, callback: WeComCallbackSettings? = nil
    ) {
        self.id = id
        self.corpID = corpID
        self.secret = secret
        self.openKfID = openKfID
        self.pollInterval = pollInterval
        self.maxPagesPerPoll = maxPagesPerPoll
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.requestTimeout = requestTimeout
        self.callback = callback
    }
}

/// WeCom customer service as a chat channel. Addresses are `external_userid`s.
///
/// Pulls `kf/sync_msg` with the stored `next_cursor` (stored by the poller with the messages), draining while
/// `has_more` (an empty `msg_list` with `has_more` is not the end); `msgid` is the deduplication key; only
/// customer text messages (origin 3) become inbound, other customer messages are recorded as rejected, events
/// and servicer messages are passed over. Sends with `kf/send_msg`, the outbox id as `msgid` (idempotency
/// key), inside the 48-hour / 5-message reply window — a reply outside it is a final error, so it becomes a
/// dead letter with that reason. The access token is fetched once and cached until it expires; an
/// expired or invalid token (errcode 42001, 40014, 40001) is fetched again and the call repeated once.
///
/// With `settings.callback` it also takes WeCom's encrypted push callback (`WeComChannel+Callback`): a
/// `kf_msg_or_event` calls `onCallback` (the gateway wakes the poller) and its pull `Token` goes with the
/// following `sync_msg` calls while it is valid.
public struct WeComChannel: MessageSource, MessageSink, MediaFetching {
    public let settings: WeComSettings
    private let client: CurlHTTPClient
    private let token: TokenCache
    public let window: WeComReplyWindow
    let crypto: WeComCrypto?
    let replay: WeComReplayGuard?
    /// The latest callback's pull token.
    public let pullToken = WeComPullToken()
    let onCallback: @Sendable () -> Void

    /// WeCom's limit on a text's content, in bytes.
    public static let maxContentBytes = 2048

    /// `onCallback` is called (synchronously, so it must be quick) for every accepted `kf_msg_or_event`.
    public init(settings: WeComSettings, client: CurlHTTPClient, window: WeComReplyWindow = WeComReplyWindow(),
                onCallback: @escaping @Sendable () -> Void = {}) {
        self.settings = settings
        self.client = client
        self.window = window
        self.onCallback = onCallback
        token = TokenCache()
        // The configuration has checked the key; a bad one leaves the callback off (every call refused).
        crypto = settings.callback.flatMap {
            try? WeComCrypto(token: $0.token, encodingAESKey: $0.encodingAESKey, receiveID: settings.corpID)
        }
        replay = settings.callback.map { WeComReplayGuard(window: $0.replayWindow) }
    }

    public var channelID: String { settings.id }

    // MARK: Access token

    final class TokenCache: Sendable {
        let value = Mutex<(token: String, expires: Date)?>(nil)
        /// Times a token was fetched (tests check caching).
        let fetches = Mutex(0)
    }

    /// How many times the access token was fetched.
    public var tokenFetches: Int { token.fetches.withLock { $0 } }

    func accessToken(refresh: Bool) async throws -> String {
        let now = Date()
        if !refresh, let cached = token.value.withLock({ $0 }), cached.expires > now { return cached.token }
        let url = "\(settings.apiBase)/cgi-bin/gettoken?corpid=\(FormEncoding.encode(settings.corpID))&corpsecret=\(FormEncoding.encode(settings.secret))"
        let object = try await call(HTTPRequest(method: .get, url: url, timeout: settings.requestTimeout), what: "gettoken")
        guard let value = object["access_token"] as? String, !value.isEmpty else {
            throw ChannelError(channel: channelID, message: "gettoken answered without access_token", retry: .backoff)
        }
        let lifetime = (object["expires_in"] as? NSNumber)?.doubleValue ?? 7200
        // Renew a little early so a token does not expire between check and use.
        token.value.withLock { $0 = (value, now.addingTimeInterval(max(60, lifetime - 300))) }
        token.fetches.withLock { $0 += 1 }
        return value
    }

    static let tokenErrors: Set<Int> = [40001, 40014, 42001]

    /// POSTs `body` to `path?access_token=…`, refetching the token once if WeCom says it is invalid or expired.
    func post(_ path: String, _ body: [String: Any], what: String) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        for attempt in 0..<2 {
            let token = try await accessToken(refresh: attempt > 0)
            let request = HTTPRequest(method: .post, url: "\(settings.apiBase)\(path)?access_token=\(FormEncoding.encode(token))",
                                      headers: [(name: "Content-Type", value: "application/json")], body: data,
                                      timeout: settings.requestTimeout)
            do {
                return try await call(request, what: what)
            } catch let error as WeComError {
                if attempt == 0 { continue }
                throw ChannelError(channel: channelID, message: "\(what): access token refused again (errcode \(error.errcode))", retry: .backoff)
            }
        }
        throw ChannelError(channel: channelID, message: "\(what): the access token was refused twice", retry: .backoff)
    }

    struct WeComError: Error { var errcode: Int; var errmsg: String }

    /// One call; a non-zero `errcode` becomes a `ChannelError` (token errors a `WeComError` for `post` to handle).
    func call(_ request: HTTPRequest, what: String) async throws -> [String: Any] {
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch let error as HTTPClientError {
            if error.code == .cancelled { throw CancellationError() }
            throw ChannelError(channel: channelID, message: "\(what): \(error.code) (\(error.reason))", retry: .backoff)
        }
        guard (200..<300).contains(response.status),
              let object = try? StrictJSON.object(response.body, unreadableStrings: .keep)
        else {
            throw ChannelError(channel: channelID, message: "\(what) answered HTTP \(response.status) without a JSON object",
                               retry: HTTPInboxChannel.retry(for: response) == .never ? .backoff : HTTPInboxChannel.retry(for: response))
        }
        let errcode = (object["errcode"] as? NSNumber)?.intValue ?? 0
        guard errcode != 0 else { return object }
        let errmsg = String((object["errmsg"] as? String ?? "").prefix(120))
        if Self.tokenErrors.contains(errcode) { throw WeComError(errcode: errcode, errmsg: errmsg) }
        let retry: ChannelError.Retry = switch errcode {
        case -1: .backoff  // system busy
        case 45009, 45033: .after(seconds: 5)  // frequency / concurrency limits
        default: .never
        }
        throw ChannelError(channel: channelID, message: "\(what) failed: errcode \(errcode) \(errmsg)", retry: retry)
    }

    // MARK: Pulling

    public func fetch(after cursor: String?) async throws -> InboundPage {
        var messages: [InboundMessage] = []
        var rejected: [RejectedInbound] = []
        var next = cursor
        for _ in 0..<max(1, settings.maxPagesPerPoll) {
            var body: [String: Any] = ["limit": 1000, "open_kfid": settings.openKfID]
            if let next { body["cursor"] = next }
            if let callbackToken = pullToken.current(now: Date()) { body["token"] = callbackToken }
            let object = try await post("/cgi-bin/kf/sync_msg", body, what: "kf/sync_msg")
            let page = Self.parseSync(object, channel: channelID, now: Date())
            messages += page.messages
            rejected += page.rejected
            if let cursor = page.next { next = cursor }
            guard page.hasMore else { break }
        }
        for message in messages { window.customerWrote(message.from, at: message.receivedAt) }
        return InboundPage(messages: messages, rejected: rejected, next: next == cursor ? nil : next)
    }

    /// Reads one `sync_msg` answer.
    public static func parseSync(_ object: [String: Any], channel: String, now: Date) -> (messages: [InboundMessage], rejected: [RejectedInbound], next: String?, hasMore: Bool) {
        var messages: [InboundMessage] = []
        var rejected: [RejectedInbound] = []
        for item in object["msg_list"] as? [Any] ?? [] {
            guard let message = item as? [String: Any], let id = message["msgid"] as? String, !id.isEmpty else {
                rejected.append(RejectedInbound(channel: channel, raw: "wecom item without msgid", reason: "no msgid", receivedAt: now))
                continue
            }
            // 3 = the customer; 4 = system events, 5 = a servicer typing in the WeCom client: not for the desk.
            guard (message["origin"] as? NSNumber)?.intValue == 3 else { continue }
            guard let user = IntakeRule.bytes(ofJSON: message["external_userid"]), !user.isEmpty else {
                rejected.append(RejectedInbound(channel: channel, raw: "wecom msgid=\(id)", reason: "no external_userid", receivedAt: now))
                continue
            }
            let type = message["msgtype"] as? String ?? "?"
            // An image (or a file, e.g. a PDF) is a message without words; its bytes come from media/get.
            if type == "image" || type == "file", let media = (message[type] as? [String: Any])?["media_id"] as? String, !media.isEmpty {
                let sent = (message["send_time"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) } ?? now
                let delivery = IntakeRule.Delivery(channel: channel, providerID: id, from: user, to: message["open_kfid"] as? String,
                                                   text: [], receivedAt: sent, label: "wecom msgid=\(id) msgtype=\(type)",
                                                   media: [MediaReference(locator: media, contentType: type == "image" ? "image/jpeg" : nil)])
                switch IntakeRule.apply(delivery, now: now) {
                case let .success(inbound): messages.append(inbound)
                case let .failure(entry): rejected.append(entry)
                }
                continue
            }
            guard type == "text", let text = IntakeRule.bytes(ofJSON: (message["text"] as? [String: Any])?["content"]) else {
                rejected.append(RejectedInbound(channel: channel, raw: "wecom msgid=\(id) msgtype=\(type.prefix(32))",
                                                reason: "\(type.prefix(32)) message without text", receivedAt: now))
                continue
            }
            let sent = (message["send_time"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) } ?? now
            let delivery = IntakeRule.Delivery(channel: channel, providerID: id, from: user, to: message["open_kfid"] as? String,
                                               text: text, receivedAt: sent, label: "wecom msgid=\(id)")
            switch IntakeRule.apply(delivery, now: now) {
            case let .success(inbound): messages.append(inbound)
            case let .failure(entry): rejected.append(entry)
            }
        }
        let next = (object["next_cursor"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return (messages, rejected, next, (object["has_more"] as? NSNumber)?.intValue == 1)
    }

    // MARK: Media

    /// `GET cgi-bin/media/get?access_token=…&media_id=…` (temporary media, kept by WeCom for 3 days).
    public func mediaRequest(for reference: MediaReference) async throws -> HTTPRequest {
        let token = try await accessToken(refresh: false)
        return HTTPRequest(method: .get, url: "\(settings.apiBase)/cgi-bin/media/get?access_token=\(FormEncoding.encode(token))"
                               + "&media_id=\(FormEncoding.encode(reference.locator))", timeout: settings.requestTimeout * 3)
    }

    /// `media/get` answers errors as 200 + JSON: an expired or invalid token is dropped from the cache and the
    /// download retried (with a fresh token); other errcodes are final.
    public func checkMediaResponse(_ response: HTTPResponse) throws(ChannelError) {
        let type = (response.header("Content-Type") ?? "").lowercased()
        guard type.contains("json") || type.hasPrefix("text/"),
              let object = try? StrictJSON.object(response.body, unreadableStrings: .keep),
              let errcode = (object["errcode"] as? NSNumber)?.intValue, errcode != 0
        else { return }
        if Self.tokenErrors.contains(errcode) {
            token.value.withLock { $0 = nil }
            throw ChannelError(channel: channelID, message: "media/get: access token refused (errcode \(errcode)); refetched next time",
                               retry: .backoff)
        }
        throw ChannelError(channel: channelID, message: "media/get failed: errcode \(errcode)", retry: errcode == -1 ? .backoff : .never)
    }

    // MARK: Sending

    /// The outbox id if WeCom accepts it as a `msgid` (≤ 32 of `0-9 a-z A-Z _ -`), else a digest of it.
    public static func msgid(for id: String) -> String {
        if id.utf8.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) { return id }
        return SHA256.hash(data: Data(id.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    public func send(_ message: OutboundMessage) async throws {
        guard !message.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ChannelError(channel: channelID, message: "send \(message.id): empty text is not sent", retry: .never)
        }
        guard message.text.utf8.count <= Self.maxContentBytes else {
            throw ChannelError(channel: channelID, message: "send \(message.id): text is longer than WeCom's \(Self.maxContentBytes) bytes",
                               retry: .never)
        }
        if let refusal = window.reserve(message.to, now: Date()) {
            throw ChannelError(channel: channelID, message: "send \(message.id) not sent: \(refusal)", retry: .never)
        }
        do {
            _ = try await post("/cgi-bin/kf/send_msg", [
                "touser": message.to, "open_kfid": settings.openKfID, "msgid": Self.msgid(for: message.id),
                "msgtype": "text", "text": ["content": message.text],
            ], what: "kf/send_msg \(message.id)")
        } catch {
            window.release(message.to)
            throw error
        }
    }
}
