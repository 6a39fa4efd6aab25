import FirstaskApp
import FirstaskChannels
import FirstaskCurl
import FirstaskDesk
import FirstaskTesting
import Foundation
import Synchronization
import Testing

/// WeCom's push callback: signature, AES envelope, replay refusal and the pull it triggers.
@Suite("WeCom push callback (wecom-kf)", .serialized)
struct WeComCallbackTests {
    // WeCom's documented example (the official WXBizMsgCrypt samples): token, EncodingAESKey, corp id.
    static let sampleToken = "QDG6eK"
    static let sampleKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let sampleCorp = "wx5823bf96d3bd56c7"
    static let sampleEcho = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    static let samplePost = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="

    static func channel(token: String = sampleToken, key: String = sampleKey, corp: String = sampleCorp, kf: String = "wkKF",
                        apiBase: String = "http://127.0.0.1:9", client: CurlHTTPClient = sharedClient,
                        onCallback: @escaping @Sendable () -> Void = {}) -> WeComChannel {
        WeComChannel(settings: WeComSettings(id: "wecom", corpID: corp, secret: "S", openKfID: kf, apiBase: apiBase,
                                             callback: WeComCallbackSettings(token: token, encodingAESKey: key)),
                     client: client, onCallback: onCallback)
    }

    static func get(signature: String, timestamp: String, nonce: String, echo: String) -> WebhookRequest {
        let query = FormEncoding.encode([("msg_signature", signature), ("timestamp", timestamp), ("nonce", nonce), ("echostr", echo)])
        return WebhookRequest(method: "GET", path: "/webhooks/wecom", query: query, headers: [], body: Data())
    }

    static func post(signature: String, timestamp: String, nonce: String, encrypted: String, to: String = sampleCorp) -> WebhookRequest {
        let query = FormEncoding.encode([("msg_signature", signature), ("timestamp", timestamp), ("nonce", nonce)])
        let body = "<xml><ToUserName><![CDATA[\(to)]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
        return WebhookRequest(method: "POST", path: "/webhooks/wecom", query: query, headers: [], body: Data(body.utf8))
    }

    static func kfEvent(token: String, kf: String = "wkKF") -> String {
        "<xml><ToUserName><![CDATA[\(sampleCorp)]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[\(token)]]></Token><OpenKfId><![CDATA[\(kf)]]></OpenKfId></xml>"
    }

    /// A signed, encrypted `kf_msg_or_event` POST as WeCom would send it, made with our own crypto.
    static func signedEvent(_ crypto: WeComCrypto, token: String, timestamp: Int, nonce: String, kf: String = "wkKF") throws -> WebhookRequest {
        let encrypted = try crypto.encrypt(Data(kfEvent(token: token, kf: kf).utf8))
        return post(signature: crypto.signature(timestamp: "\(timestamp)", nonce: nonce, encrypted: encrypted),
                    timestamp: "\(timestamp)", nonce: nonce, encrypted: encrypted)
    }

    @Test("WeCom's documented example: the URL check answers the decrypted echostr; the sample message decrypts and checks the corp id")
    func documentedVectors() throws {
        let crypto = try WeComCrypto(token: Self.sampleToken, encodingAESKey: Self.sampleKey, receiveID: Self.sampleCorp)
        #expect(crypto.signature(timestamp: "1409659589", nonce: "263014780", encrypted: Self.sampleEcho)
            == "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3")
        #expect(crypto.signature(timestamp: "1409659813", nonce: "1372623149", encrypted: Self.samplePost)
            == "477715d11cdb4164915debcba66cb864d751f3e6")
        let channel = Self.channel()
        let verified = try channel.parseWebhook(Self.get(signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", timestamp: "1409659589",
                                                         nonce: "263014780", echo: Self.sampleEcho),
                                                now: Date(timeIntervalSince1970: 1_409_659_589))
        #expect(verified.responseBody == "1616140317555161061")
        let message = String(decoding: try crypto.decrypt(Self.samplePost), as: UTF8.self)
        let fields = try #require(WeComXML.fields(Data(message.utf8)))
        #expect(fields["Content"] == "hello" && fields["MsgType"] == "text" && fields["FromUserName"] == "mycreate")
        #expect(fields["MsgId"] == "4561255354251345929" && fields["CreateTime"] == "1409659813")
        // The sample POST through the webhook: accepted (a text message, not a kf event: nothing to pull).
        let called = Mutex(0)
        let counting = Self.channel(onCallback: { called.withLock { $0 += 1 } })
        let intake = try counting.parseWebhook(Self.post(signature: "477715d11cdb4164915debcba66cb864d751f3e6", timestamp: "1409659813",
                                                         nonce: "1372623149", encrypted: Self.samplePost),
                                               now: Date(timeIntervalSince1970: 1_409_659_813))
        #expect(intake.messages.isEmpty && called.withLock { $0 } == 0)
        // The same example under another corp id: the receive id check refuses it.
        let otherCorp = try WeComCrypto(token: Self.sampleToken, encodingAESKey: Self.sampleKey, receiveID: "ww0000000000000000")
        #expect(throws: WeComCrypto.Failure.wrongReceiver) { try otherCorp.decrypt(Self.sampleEcho) }
    }

    @Test("forged, altered, stale, future, replayed and foreign callbacks are refused with a reason; nothing is pulled")
    func refusals() throws {
        let now = 1_800_000_000
        let called = Mutex(0)
        let channel = Self.channel(onCallback: { called.withLock { $0 += 1 } })
        let crypto = try WeComCrypto(token: Self.sampleToken, encodingAESKey: Self.sampleKey, receiveID: Self.sampleCorp)
        let at = Date(timeIntervalSince1970: Double(now))
        func refused(_ request: WebhookRequest, _ reason: String, code: WebhookError.Code = .forbidden,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try channel.parseWebhook(request, now: at)
                Issue.record("accepted; expected \(reason)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == code, sourceLocation: sourceLocation)
                #expect(error.reason.contains(reason), "\(error.reason)", sourceLocation: sourceLocation)
                #expect(!error.reason.contains(Self.sampleToken) && !error.reason.contains("PULL-"), sourceLocation: sourceLocation)
            }
        }
        let good = try Self.signedEvent(crypto, token: "PULL-1", timestamp: now, nonce: "n1")
        // Forged: a signature made with another token, or no signature at all.
        let forger = try WeComCrypto(token: "guess", encodingAESKey: Self.sampleKey, receiveID: Self.sampleCorp)
        refused(try Self.signedEvent(forger, token: "PULL-2", timestamp: now, nonce: "n2"), "msg_signature does not match")
        var unsigned = good
        unsigned.query = unsigned.query.replacingOccurrences(of: "msg_signature=", with: "sig=")
        refused(unsigned, "msg_signature is missing", code: .malformed)
        // Altered: someone with the token but not the key signs a ciphertext of their own.
        let otherKey = try WeComCrypto(token: Self.sampleToken, encodingAESKey: String(repeating: "A", count: 43), receiveID: Self.sampleCorp)
        refused(try Self.signedEvent(otherKey, token: "PULL-3", timestamp: now, nonce: "n3"), "not decryptable")
        // Another corp's message, correctly signed and encrypted with our key.
        let foreign = try WeComCrypto(token: Self.sampleToken, encodingAESKey: Self.sampleKey, receiveID: "wwOther")
        refused(try Self.signedEvent(foreign, token: "PULL-4", timestamp: now, nonce: "n4"), "receive id")
        // Stale and future timestamps, correctly signed.
        refused(try Self.signedEvent(crypto, token: "PULL-5", timestamp: now - 301, nonce: "n5"), "outside the 300 s window")
        refused(try Self.signedEvent(crypto, token: "PULL-6", timestamp: now + 301, nonce: "n6"), "outside the 300 s window")
        refused(Self.post(signature: "x", timestamp: "\(now)", nonce: "n7", encrypted: "x").withBody("<xml><Encrypt></Encrypt></xml>"),
                "not WeCom's callback XML", code: .malformed)
        #expect(called.withLock { $0 } == 0 && channel.pullToken.current(now: at) == nil)
        // The good one is accepted once; the same call again is a replay.
        _ = try channel.parseWebhook(good, now: at)
        #expect(called.withLock { $0 } == 1 && channel.pullToken.current(now: at) == "PULL-1")
        refused(good, "already accepted (replayed callback)")
        // A refused replay does not touch the token a later fresh callback set.
        _ = try channel.parseWebhook(try Self.signedEvent(crypto, token: "PULL-8", timestamp: now, nonce: "n8"), now: at)
        refused(good, "replayed")
        #expect(channel.pullToken.current(now: at) == "PULL-8" && called.withLock { $0 } == 2)
        // Another kf account of the corp: accepted (signed) but not ours to pull.
        _ = try channel.parseWebhook(try Self.signedEvent(crypto, token: "PULL-9", timestamp: now, nonce: "n9", kf: "wkOther"), now: at)
        #expect(channel.pullToken.current(now: at) == "PULL-8" && called.withLock { $0 } == 2)
        // A channel without callback settings refuses every call.
        let polling = WeComChannel(settings: WeComSettings(id: "wecom", corpID: Self.sampleCorp, secret: "S", openKfID: "wkKF"), client: sharedClient)
        #expect(throws: WebhookError.self) { try polling.parseWebhook(good, now: at) }
    }

    @Test("the replay memory forgets a nonce once its timestamp has left the window; the pull token lasts under 10 minutes")
    func replayWindowAndTokenLifetime() {
        let guardian = WeComReplayGuard(window: 300)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(guardian.admit(timestamp: "1800000000", nonce: "a", now: at) == nil)
        #expect(guardian.admit(timestamp: "1800000000", nonce: "a", now: at.addingTimeInterval(299)) != nil)
        #expect(guardian.admit(timestamp: "1800000000", nonce: "b", now: at) == nil, "another nonce")
        #expect(guardian.admit(timestamp: "1800000001", nonce: "a", now: at) == nil, "another timestamp")
        // Past the window the timestamp alone refuses it.
        #expect(guardian.admit(timestamp: "1800000000", nonce: "a", now: at.addingTimeInterval(301))?.contains("window") == true)
        #expect(guardian.admit(timestamp: "soon", nonce: "c", now: at) != nil)
        let token = WeComPullToken()
        token.received("T", at: at)
        #expect(token.current(now: at.addingTimeInterval(539)) == "T")
        #expect(token.current(now: at.addingTimeInterval(541)) == nil)
    }

    @Test("the flat XML reader: CDATA, entities, a declaration; malformed or repeated fields give nil")
    func xml() {
        let fields = WeComXML.fields(Data("<?xml version=\"1.0\"?>\n<xml>\n <A><![CDATA[x<y]]></A><B>1 &amp; 2 &#x4e2d;</B><C><D>n</D></C></xml>".utf8))
        #expect(fields == ["A": "x<y", "B": "1 & 2 中", "C": "<D>n</D>"])
        #expect(WeComXML.fields(Data("<xml><A>1</A><A>2</A></xml>".utf8)) == nil)
        #expect(WeComXML.fields(Data("<xml><A>1</B></xml>".utf8)) == nil)
        #expect(WeComXML.fields(Data("<root><A>1</A></root>".utf8)) == nil)
        #expect(WeComXML.fields(Data("<xml><A>&bogus;</A></xml>".utf8)) == nil)
        #expect(WeComXML.fields(Data("<xml></xml>".utf8)) == [:])
    }

    @Test("messages encrypted and signed by Python `cryptography` (pip-installed into .build/wecom-venv) open here, and ours match its bytes")
    func independentImplementation() throws {
        let venv = RepositoryFiles.root.appendingPathComponent(".build/wecom-venv").path
        let python = venv + "/bin/python"
        if !FileManager.default.isExecutableFile(atPath: python) || (try? run(python, ["-c", "import cryptography"])) == nil {
            try run("python3", ["-m", "venv", venv])
            try run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "cryptography"])
        }
        // WeCom's scheme written from its documentation, independently of the Swift code.
        let script = #"""
            import base64, hashlib, json, os, random, struct
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
            random.seed(15)
            b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            cases = []
            for i in range(120):
                # 43 random letters and digits, as the WeCom console makes them (the last one's low bits are dropped).
                key43 = "".join(random.choice(b64) for _ in range(43))
                key = base64.b64decode(key43 + "=")
                token = "".join(random.choice(b64) for _ in range(random.randint(3, 32)))
                corp = "ww" + "".join(random.choice("0123456789abcdef") for _ in range(16))
                pull = "ENC" + "".join(random.choice(b64) for _ in range(random.randint(10, 60)))
                filler = "".join(random.choice("漏水电梯abc 123<>&") for _ in range(random.randint(0, 70)))
                msg = ("<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                       "<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[wkKF]]></OpenKfId>"
                       "<Note><![CDATA[%s]]></Note></xml>") % (corp, 1800000000 + i, pull, filler)
                if i % 10 == 0:
                    msg = "x" * random.randint(0, 64)  # short and block-sized texts too
                raw = msg.encode()
                prefix = os.urandom(16)
                plain = prefix + struct.pack(">I", len(raw)) + raw + corp.encode()
                pad = 32 - len(plain) % 32
                plain += bytes([pad]) * pad
                enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
                encrypted = base64.b64encode(enc.update(plain) + enc.finalize()).decode()
                ts, nonce = str(1800000000 + i), str(random.randint(1, 10**10))
                sig = hashlib.sha1("".join(sorted([token, ts, nonce, encrypted])).encode()).hexdigest()
                cases.append({"key": key43, "token": token, "corp": corp, "pull": pull, "msg": msg, "prefix": list(prefix),
                              "encrypted": encrypted, "timestamp": ts, "nonce": nonce, "signature": sig, "pad": pad})
            print(json.dumps(cases))
            """#
        let output = try run(python, ["-c", script])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(cases.count == 120)
        var fullPadBlocks = 0
        for item in cases {
            let key = item["key"] as! String, token = item["token"] as! String, corp = item["corp"] as! String
            let message = item["msg"] as! String, encrypted = item["encrypted"] as! String
            let timestamp = item["timestamp"] as! String, nonce = item["nonce"] as! String, signature = item["signature"] as! String
            if item["pad"] as! Int == 32 { fullPadBlocks += 1 }
            let crypto = try WeComCrypto(token: token, encodingAESKey: key, receiveID: corp)
            #expect(crypto.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted) == signature)
            #expect(try crypto.decrypt(encrypted) == Data(message.utf8))
            // Our encryption with Python's random prefix is byte-identical to Python's.
            #expect(try crypto.encrypt(Data(message.utf8), random: (item["prefix"] as! [Int]).map { UInt8($0) }) == encrypted)
            // Through the webhook: accepted once, its pull token kept; the replay and a flipped byte refused.
            guard message.hasPrefix("<xml>") else { continue }
            let called = Mutex(0)
            let channel = Self.channel(token: token, key: key, corp: corp, onCallback: { called.withLock { $0 += 1 } })
            let at = Date(timeIntervalSince1970: Double(timestamp)! + 5)
            let request = Self.post(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted)
            _ = try channel.parseWebhook(request, now: at)
            #expect(channel.pullToken.current(now: at) == item["pull"] as? String && called.withLock { $0 } == 1)
            #expect(throws: WebhookError.self) { try channel.parseWebhook(request, now: at) }
            var cipher = Data(base64Encoded: encrypted)!
            cipher[cipher.count / 2] ^= 0x01
            let altered = cipher.base64EncodedString()
            let resigned = Self.post(signature: crypto.signature(timestamp: timestamp, nonce: "other", encrypted: altered),
                                     timestamp: timestamp, nonce: "other", encrypted: altered)
            #expect(throws: WebhookError.self) { try channel.parseWebhook(resigned, now: at) }
        }
        #expect(fullPadBlocks > 0, "some case has a whole 32-byte padding block")
    }

    @Test("a kf_msg_or_event callback's Token goes with the next kf/sync_msg pulls")
    func pullCarriesTheToken() async throws {
        let fake = FakeProvider { call, _ in
            if call.path == "/cgi-bin/gettoken" { return FakeProvider.Reply(200, #"{"errcode": 0, "access_token": "T", "expires_in": 7200}"#) }
            return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "c1", "has_more": 0, "msg_list": []}"#)
        }
        try await fake.serve { base in
            let channel = Self.channel(apiBase: base)
            _ = try await channel.fetch(after: nil)
            let crypto = try WeComCrypto(token: Self.sampleToken, encodingAESKey: Self.sampleKey, receiveID: Self.sampleCorp)
            let now = Int(Date().timeIntervalSince1970)
            _ = try channel.parseWebhook(try Self.signedEvent(crypto, token: "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR", timestamp: now, nonce: "p1"),
                                         now: Date())
            _ = try await channel.fetch(after: "c1")
            let syncs = fake.recorded.filter { $0.path == "/cgi-bin/kf/sync_msg" }
            #expect(syncs.map { $0.json?["token"] as? String } == [nil, "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR"])
        }
    }
}

extension WebhookRequest {
    func withBody(_ text: String) -> WebhookRequest {
        var copy = self
        copy.body = Data(text.utf8)
        return copy
    }
}

@Suite("WeCom push callback through a running gateway", .serialized)
struct WeComCallbackGatewayTests {
    @Test("URL check and a kf_msg_or_event POST over HTTP: the poller pulls at once (poll_interval is 10 minutes) with the callback's Token and the message reaches a ticket; a replay is answered 403")
    func callbackWakesThePoller() async throws {
        let pulled = Mutex(false)
        let fake = FakeProvider { call, _ in
            if call.path == "/cgi-bin/gettoken" { return FakeProvider.Reply(200, #"{"errcode": 0, "access_token": "T", "expires_in": 7200}"#) }
            guard call.path == "/cgi-bin/kf/sync_msg" else { return FakeProvider.Reply(200, #"{"errcode": 0}"#) }
            // Only a pull carrying the callback's token gets the customer's message.
            guard call.json?["token"] as? String == "PULL-TOKEN-1", !pulled.withLock({ $0 }) else {
                return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "c0", "has_more": 0, "msg_list": []}"#)
            }
            pulled.withLock { $0 = true }
            let item = WeComTests.textItem("m-cb-1", user: "wmResident", text: "3栋2单元电梯坏了", at: Date().timeIntervalSince1970)
            return FakeProvider.Reply(200, #"{"errcode": 0, "next_cursor": "c1", "has_more": 0, "msg_list": [\#(item)]}"#)
        }
        try await fake.serve { base in
            let folder = try RepositoryFiles.temporaryFolder("wecom-callback")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var config = GatewayConfig(listenHost: "127.0.0.1", listenPort: 0, adminToken: "wecom-callback-admin-token",
                                       sqlitePath: folder + "/firstask.sqlite", promptsPath: RepositoryFiles.prompts,
                                       rosterPath: RepositoryFiles.roster, channels: [])
            config.providerChannels = [.wecom(WeComSettings(
                id: "wecom", corpID: WeComCallbackTests.sampleCorp, secret: "S", openKfID: "wkKF", pollInterval: 600, apiBase: base,
                callback: WeComCallbackSettings(token: WeComCallbackTests.sampleToken, encodingAESKey: WeComCallbackTests.sampleKey)))]
            try await withGateway(config) { gateway, port in
                let client = CurlHTTPClient()
                defer { client.shutdown() }
                let hook = "http://127.0.0.1:\(port)/webhooks/wecom"
                let crypto = try WeComCrypto(token: WeComCallbackTests.sampleToken, encodingAESKey: WeComCallbackTests.sampleKey,
                                             receiveID: WeComCallbackTests.sampleCorp)
                let now = Int(Date().timeIntervalSince1970)
                // The console's URL check.
                let echo = try crypto.encrypt(Data("echo-4242".utf8))
                let check = WeComCallbackTests.get(signature: crypto.signature(timestamp: "\(now)", nonce: "g1", encrypted: echo),
                                                   timestamp: "\(now)", nonce: "g1", echo: echo)
                let verified = try await client.execute(HTTPRequest(url: hook + "?" + check.query))
                #expect(verified.status == 200 && String(decoding: verified.body, as: UTF8.self) == "echo-4242")
                // Wait for the first (start-up) pull, so the next one can only come from the callback.
                let deadline = ContinuousClock.now + .seconds(20)
                while fake.recorded.filter({ $0.path == "/cgi-bin/kf/sync_msg" }).isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(until: .now + .milliseconds(50))
                }
                let event = try WeComCallbackTests.signedEvent(crypto, token: "PULL-TOKEN-1", timestamp: now, nonce: "p1")
                let started = ContinuousClock.now
                let answer = try await client.execute(HTTPRequest(method: .post, url: hook + "?" + event.query,
                                                                  headers: [(name: "Content-Type", value: "text/xml")], body: event.body))
                #expect(answer.status == 200)
                var tickets: [Ticket] = []
                while tickets.isEmpty, ContinuousClock.now < started + .seconds(20) {
                    try await Task.sleep(until: .now + .milliseconds(50))
                    tickets = try await gateway.store.tickets(.open)
                }
                #expect(tickets.first?.resident == "wmResident", "the pulled message made a ticket")
                #expect(ContinuousClock.now - started < .seconds(20))
                #expect(fake.recorded.contains { $0.path == "/cgi-bin/kf/sync_msg" && $0.json?["token"] as? String == "PULL-TOKEN-1" })
                let replay = try await client.execute(HTTPRequest(method: .post, url: hook + "?" + event.query, body: event.body))
                #expect(replay.status == 403 && String(decoding: replay.body, as: UTF8.self).contains("replayed"))
                var forged = event
                forged.query = forged.query.replacingOccurrences(of: "nonce=p1", with: "nonce=p2")
                let refused = try await client.execute(HTTPRequest(method: .post, url: hook + "?" + forged.query, body: event.body))
                #expect(refused.status == 403 && String(decoding: refused.body, as: UTF8.self).contains("msg_signature"))
            }
        }
    }
}
