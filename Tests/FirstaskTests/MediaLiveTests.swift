import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Synchronization
import Testing

/// Photos from residents on every channel type, through a running gateway: each provider is a fake on
/// loopback following its documented wire format (media URLs, getFile, media/get), the downloads go through
/// libcurl, and the bytes come back identical from the admin API.
@Suite("Attachments through a running gateway", .serialized)
struct MediaLiveTests {
    static let adminToken = "media-live-admin-token-0123"
    static let telegramToken = "123:media-bot"

    /// Distinct bytes per photo.
    static func photo(_ seed: UInt8, size: Int = 6000) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data([0xFF, 0xD8, 0xFF, seed] + (0..<size).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    struct Photos: Sendable {
        let inboxCaptioned = photo(1), inboxAlone = photo(2)
        let twilioCaptioned = photo(3), twilioAlone = photo(4)
        let telegramCaptioned = photo(5), telegramAlone = photo(6)
        let wecomFirst = photo(7), wecomAlone = photo(8)
        let waiting = photo(9)
    }

    @Test("a photo with text opens a ticket holding it; a photo alone joins the sender's open ticket; a photo with no ticket gets the question and joins the ticket that follows — http-inbox, twilio, telegram, wecom-kf; bytes identical")
    func everyChannel() async throws {
        let photos = Photos()
        let inboxPolls = Mutex(0)
        // The fake's own address, known once it listens: the inbox's media URLs point back at it.
        let ownBase = Mutex("")
        let wecomExpired = Mutex(true)
        let fake = FakeProvider { call, _ in
            switch call.path {
            // http-inbox: the first page has a captioned photo; the next a photo alone and a photo from a new sender.
            case "/inbox/messages":
                // The media URLs point back at the fake itself.
                func page(_ json: String) -> FakeProvider.Reply {
                    FakeProvider.Reply(200, json.replacingOccurrences(of: "BASE", with: ownBase.withLock { $0 }))
                }
                let after = call.query.contains("after=c1") ? 1 : call.query.contains("after=c2") ? 2 : call.query.contains("after=c3") ? 3 : 0
                inboxPolls.withLock { $0 += 1 }
                switch after {
                case 0:
                    return page(#"{"messages": [{"id": "i1", "from": "+8618800000001", "text": "1栋1单元电梯坏了，困在里面", "media": [{"url": "BASE/files/inbox-1.jpg", "content_type": "image/jpeg"}]}], "next": "c1"}"#)
                case 1:
                    return page(#"{"messages": [{"id": "i2", "from": "+8618800000001", "media": [{"url": "BASE/files/inbox-2.jpg"}]}, {"id": "i3", "from": "+8618800000009", "text": "", "media": [{"url": "BASE/files/waiting.jpg", "content_type": "image/jpeg"}]}], "next": "c2"}"#)
                case 2:
                    // The photo's sender answers the question: the ticket this opens takes the waiting photo.
                    return FakeProvider.Reply(200, #"{"messages": [{"id": "i4", "from": "+8618800000009", "text": "4栋2单元电梯坏了"}], "next": "c3"}"#)
                default:
                    return FakeProvider.Reply(200, #"{"messages": [], "next": "c3"}"#)
                }
            case "/inbox/send":
                return FakeProvider.Reply(200, "{}")
            case "/files/inbox-1.jpg": return .bytes(photos.inboxCaptioned, type: "image/jpeg")
            case "/files/inbox-2.jpg": return .bytes(photos.inboxAlone, type: "image/jpeg")
            case "/files/waiting.jpg": return .bytes(photos.waiting, type: "image/jpeg")
            // Twilio: media URLs answer with a redirect to the media store, and only with the account's Basic auth.
            case let path where path.hasPrefix("/2010-04-01/Accounts/AC1/Messages/") && path.contains("/Media/"):
                guard call.headers["authorization"] == "Basic " + Data("AC1:\(twilioTestToken)".utf8).base64EncodedString() else {
                    return FakeProvider.Reply(401, "{}")
                }
                return FakeProvider.Reply(307, "", headers: ["Location": "/cdn/" + (path.split(separator: "/").last.map(String.init) ?? "")])
            case "/cdn/ME1": return .bytes(photos.twilioCaptioned, type: "image/jpeg")
            case "/cdn/ME2": return .bytes(photos.twilioAlone, type: "image/png")
            case "/2010-04-01/Accounts/AC1/Messages.json":
                return FakeProvider.Reply(201, #"{"sid": "SMx", "status": "queued"}"#)
            // Telegram: getFile, then the file URL.
            case "/bot\(Self.telegramToken)/getFile":
                let file = call.query.contains("file_id=big-1") ? "photos/file_1.jpg" : "photos/file_2.jpg"
                return FakeProvider.Reply(200, #"{"ok": true, "result": {"file_id": "x", "file_unique_id": "u", "file_size": 6004, "file_path": "\#(file)"}}"#)
            case "/file/bot\(Self.telegramToken)/photos/file_1.jpg": return .bytes(photos.telegramCaptioned, type: "image/jpeg")
            case "/file/bot\(Self.telegramToken)/photos/file_2.jpg": return .bytes(photos.telegramAlone, type: "application/octet-stream")
            case "/bot\(Self.telegramToken)/sendMessage":
                return FakeProvider.Reply(200, #"{"ok": true, "result": {"message_id": 1}}"#)
            // WeCom: a text, an image in the same pull, and an image in the next; media/get serves the bytes.
            case "/cgi-bin/gettoken":
                return FakeProvider.Reply(200, #"{"errcode": 0, "access_token": "WT", "expires_in": 7200}"#)
            case "/cgi-bin/kf/sync_msg":
                let now = Int(Date().timeIntervalSince1970)
                switch call.json?["cursor"] as? String {
                case nil:
                    return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "w1", "has_more": 0, "msg_list": [{"msgid": "w1", "open_kfid": "wkKF", "external_userid": "wmPhoto", "send_time": \#(now), "origin": 3, "msgtype": "text", "text": {"content": "6栋2单元电梯坏了"}}, {"msgid": "w2", "open_kfid": "wkKF", "external_userid": "wmPhoto", "send_time": \#(now), "origin": 3, "msgtype": "image", "image": {"media_id": "MEDIA-1"}}]}"#)
                case "w1":
                    return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "w2", "has_more": 0, "msg_list": [{"msgid": "w3", "open_kfid": "wkKF", "external_userid": "wmPhoto", "send_time": \#(now), "origin": 3, "msgtype": "image", "image": {"media_id": "MEDIA-2"}}]}"#)
                default:
                    return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "w2", "has_more": 0, "msg_list": []}"#)
                }
            case "/cgi-bin/media/get":
                // The first download finds the token expired (WeCom answers 200 + JSON): refetched, then retried.
                if wecomExpired.withLock({ first in defer { first = false }; return first }) {
                    return FakeProvider.Reply(200, #"{"errcode": 42001, "errmsg": "access_token expired"}"#)
                }
                guard call.query.contains("access_token=WT") else { return FakeProvider.Reply(200, #"{"errcode": 40014}"#) }
                return .bytes(call.query.contains("media_id=MEDIA-1") ? photos.wecomFirst : photos.wecomAlone, type: "image/jpeg")
            case "/cgi-bin/kf/send_msg":
                return FakeProvider.Reply(200, #"{"errcode": 0, "msgid": "x"}"#)
            default:
                return FakeProvider.Reply(404, "{}")
            }
        }
        try await fake.serve { base in
            ownBase.withLock { $0 = base }
            let folder = try RepositoryFiles.temporaryFolder("media-live")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            // The inbox's media URLs point at the fake.
            let inbox = HTTPInboxSettings(id: "inbox", baseURL: base + "/inbox", pollInterval: 0.2)
            var config = GatewayConfig(listenHost: "127.0.0.1", listenPort: 0, adminToken: Self.adminToken,
                                       sqlitePath: folder + "/firstask.sqlite", promptsPath: RepositoryFiles.prompts,
                                       rosterPath: RepositoryFiles.roster, channels: [inbox])
            config.providerChannels = [
                .twilio(TwilioSettings(id: "tw", accountSID: "AC1", authToken: twilioTestToken, from: "+1", publicURL: twilioTestURL,
                                       apiBase: base)),
                .telegram(TelegramSettings(id: "tg", token: Self.telegramToken, mode: .webhook, webhookSecret: "tg-secret", apiBase: base)),
                .wecom(WeComSettings(id: "wecom", corpID: "ww1", secret: "S", openKfID: "wkKF", pollInterval: 0.2, apiBase: base)),
            ]
            config.media = MediaSettings(dir: folder + "/photos")
            do {
                try await withGateway(config) { gateway, port in
                    let client = CurlHTTPClient()
                    defer { client.shutdown() }
                    let admin = "http://127.0.0.1:\(port)"
                    // Twilio: a captioned photo, then a photo alone (signed like Twilio signs).
                    for (sid, body, media) in [("MM1", "2栋3单元电梯坏了", "ME1"), ("MM2", "", "ME2")] {
                        let form = [("MessageSid", sid), ("From", "+8618800000002"), ("To", "+1"), ("Body", body), ("NumMedia", "1"),
                                    ("MediaUrl0", "\(base)/2010-04-01/Accounts/AC1/Messages/\(sid)/Media/\(media)"),
                                    ("MediaContentType0", "image/jpeg")]
                        let signature = TwilioSignature.compute(authToken: twilioTestToken, url: twilioTestURL,
                                                                parameters: form.map { (name: $0.0, value: $0.1) })
                        let answer = try await client.execute(HTTPRequest(
                            method: .post, url: admin + "/webhooks/tw",
                            headers: [(name: "X-Twilio-Signature", value: signature),
                                      (name: "Content-Type", value: "application/x-www-form-urlencoded")],
                            body: Data(FormEncoding.encode(form).utf8)))
                        #expect(answer.status == 200)
                        try await Task.sleep(until: .now + .milliseconds(300))
                    }
                    // Telegram: a photo with a caption, then a photo alone.
                    let updates = [
                        #"{"update_id": 701, "message": {"message_id": 1, "date": \#(Int(Date().timeIntervalSince1970)), "chat": {"id": 5551, "type": "private"}, "caption": "5栋1单元电梯坏了", "photo": [{"file_id": "small-1", "width": 90, "height": 90}, {"file_id": "big-1", "width": 1280, "height": 960}]}}"#,
                        #"{"update_id": 702, "message": {"message_id": 2, "date": \#(Int(Date().timeIntervalSince1970)), "chat": {"id": 5551, "type": "private"}, "photo": [{"file_id": "small-2", "width": 90, "height": 90}, {"file_id": "big-2", "width": 1280, "height": 960}]}}"#,
                    ]
                    for update in updates {
                        let answer = try await client.execute(HTTPRequest(
                            method: .post, url: admin + "/webhooks/tg",
                            headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg-secret"), (name: "Content-Type", value: "application/json")],
                            body: Data(update.utf8)))
                        #expect(answer.status == 200)
                        try await Task.sleep(until: .now + .milliseconds(300))
                    }

                    func tickets() async throws -> [[String: Any]] {
                        let response = try await client.execute(HTTPRequest(url: admin + "/api/tickets?status=all",
                                                                            headers: [(name: "Authorization", value: "Bearer \(Self.adminToken)")]))
                        let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                        return object?["tickets"] as? [[String: Any]] ?? []
                    }
                    func storedAttachments(_ ticket: [String: Any]) -> [[String: Any]] {
                        (ticket["attachments"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "stored" }
                    }
                    let expected: [String: (text: String, photos: [Data])] = [
                        "+8618800000001": ("1栋1单元电梯坏了，困在里面", [photos.inboxCaptioned, photos.inboxAlone]),
                        "+8618800000002": ("2栋3单元电梯坏了", [photos.twilioCaptioned, photos.twilioAlone]),
                        "5551": ("5栋1单元电梯坏了", [photos.telegramCaptioned, photos.telegramAlone]),
                        "wmPhoto": ("6栋2单元电梯坏了", [photos.wecomFirst, photos.wecomAlone]),
                        "+8618800000009": ("4栋2单元电梯坏了", [photos.waiting]),
                    ]
                    let deadline = ContinuousClock.now + .seconds(40)
                    var found: [[String: Any]] = []
                    while ContinuousClock.now < deadline {
                        found = try await tickets()
                        let complete = expected.allSatisfy { resident, want in
                            found.contains { $0["resident"] as? String == resident && storedAttachments($0).count == want.photos.count }
                        }
                        if complete { break }
                        try await Task.sleep(until: .now + .milliseconds(200))
                    }
                    for (resident, want) in expected.sorted(by: { $0.key < $1.key }) {
                        let mine = found.filter { $0["resident"] as? String == resident }
                        #expect(mine.count == 1, "\(resident): one ticket, the photo alone joined it")
                        guard let ticket = mine.first else { continue }
                        #expect(ticket["text"] as? String == want.text, "\(resident): the caption is the message")
                        let stored = storedAttachments(ticket)
                        #expect(stored.count == want.photos.count, "\(resident): \(ticket["attachments"] ?? [])")
                        for (attachment, bytes) in zip(stored, want.photos) {
                            let url = try #require(attachment["url"] as? String)
                            let download = try await client.execute(HTTPRequest(url: admin + url,
                                                                                headers: [(name: "Authorization", value: "Bearer \(Self.adminToken)")]))
                            #expect(download.status == 200 && download.body == bytes, "\(resident): identical bytes from \(url)")
                            #expect(attachment["sha256"] as? String == MediaFolder.address(of: bytes))
                            // Stored content-addressed under media.dir.
                            #expect(FileManager.default.contents(atPath: folder + "/photos/\(url.suffix(64).prefix(2))/\(url.suffix(64))") == bytes)
                        }
                    }
                    // The download URL needs the admin token.
                    if let url = (found.first.flatMap { storedAttachments($0).first?["url"] as? String }) {
                        let anonymous = try await client.execute(HTTPRequest(url: admin + url))
                        #expect(anonymous.status == 401)
                    }
                    // A photo alone from someone with no ticket got the clarifying question; the ticket their words
                    // opened next took it (checked with the others above).
                    let outbox = try await gateway.store.outbound(status: nil)
                    #expect(outbox.contains { $0.to == "+8618800000009" && $0.text.contains("照片") })
                    let waiting = try await gateway.attachments.attachments(channel: "inbox", providerID: "i3")
                    #expect(waiting.count == 1 && waiting.first?.ticketRef != nil && waiting.first?.state == .stored)
                }
            }
        }
    }
}
