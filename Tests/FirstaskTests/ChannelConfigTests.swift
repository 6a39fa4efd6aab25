import FirstaskApp
import FirstaskChannels
import FirstaskTesting
import Foundation
import Testing

@Suite("Channel configuration")
struct ChannelConfigTests {
    static let head = """
        admin: {token: "0123456789abcdef0123"}
        store: {sqlite: "db.sqlite"}
        prompts: "../prompts"
        roster: "roster.yaml"

        """

    func load(_ text: String, environment: [String: String] = [:]) throws -> GatewayConfig {
        let folder = try RepositoryFiles.temporaryFolder("channel-config")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/gateway.yaml"
        try (Self.head + text).write(toFile: path, atomically: true, encoding: .utf8)
        return try GatewayConfig.load(path: path, environment: environment)
    }

    @Test("a kannel channel with its secrets from the environment, flood and webhook limits, and a rate limit")
    func kannel() throws {
        let config = try load("""
            http: {listen: "127.0.0.1:8080", webhook_max_bytes: 4096}
            flood: {max_per_window: 5, window: 2m, notice: none}
            dispatcher: {alert_channels: [kannel]}
            channels:
              - {id: sms, type: http-inbox, base_url: "http://127.0.0.1:9000"}
              - id: kannel
                type: kannel
                sendsms_url: "http://127.0.0.1:13013/cgi-bin/sendsms"
                username: firstask
                dlr_url: "http://127.0.0.1:8080/webhooks/kannel"
                rate_per_second: 0.5
                rate_burst: 3
            """, environment: ["FIRSTASK_CHANNELS_1_PASSWORD": "from-env", "FIRSTASK_CHANNELS_1_SECRET": "hook_secret-1"])
        #expect(config.channelIDs == ["sms", "kannel"])
        guard case let .kannel(kannel) = config.providerChannels.first else { Issue.record("no kannel channel"); return }
        #expect(kannel.password == "from-env" && kannel.secret == "hook_secret-1" && kannel.maxParts == 10)
        #expect(config.dispatcher.rateLimits["kannel"] == RateLimit(perSecond: 0.5, burst: 3))
        #expect(config.dispatcher.rateLimits["sms"] == nil)
        #expect(config.dispatcher.alertChannels == ["kannel"])
        #expect(config.intake.webhookMaxBytes == 4096)
        #expect(config.intake.flood.maxPerWindow == 5 && config.intake.flood.window == 120 && !config.intake.floodNotice)
    }

    @Test("keys of another type, a bad secret and a missing password are errors naming the key", arguments: [
        ("  - {id: k, type: kannel, sendsms_url: \"http://x/s\", username: u, password: p, base_url: \"http://x\"}", "channels[0].base_url' is not a key of this channel type"),
        ("  - {id: k, type: kannel, sendsms_url: \"http://x/s\", username: u, password: p, secret: \"a%b\"}", "channels[0].secret' may hold only"),
        ("  - {id: k, type: kannel, sendsms_url: \"http://x/s\", username: u}", "channels[0].password' is missing"),
        ("  - {id: s, type: http-inbox, base_url: \"http://x\", username: u}", "channels[0].username' is not a key of this channel type"),
        ("  - {id: s, type: http-inbox, base_url: \"http://x\", rate_per_second: fast}", "channels[0].rate_per_second' must be a number"),
        ("  - {id: w, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk, token: T0ken}", "channels[0].encoding_aes_key' is missing"),
        ("  - {id: w, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk, encoding_aes_key: \"\(String(repeating: "a", count: 43))\"}", "channels[0].token' is missing"),
        ("  - {id: w, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk, token: T0ken, encoding_aes_key: short-key-value}", "channels[0].encoding_aes_key' must be the 43 characters"),
        ("  - {id: w, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk, token: \"to ken\", encoding_aes_key: \"\(String(repeating: "a", count: 43))\"}", "channels[0].token' must be 1-32 letters or digits"),
    ])
    func errors(channel: String, expected: String) throws {
        #expect {
            _ = try load("channels:\n" + channel)
        } throws: { error in
            // The error names the key and never echoes the value.
            "\(error)".contains(expected) && !"\(error)".contains("short-key-value") && !"\(error)".contains("to ken")
        }
    }

    @Test("media: dir relative to the file, max_bytes and types read; a bad type list is an error naming the key")
    func media() throws {
        let config = try load("""
            media: {dir: photos, max_bytes: 2048, types: [image/JPEG, application/pdf]}
            channels: [{id: sms, type: http-inbox, base_url: "http://127.0.0.1:9000"}]
            """)
        #expect(config.media.dir?.hasSuffix("/photos") == true && config.media.policy.maxBytes == 2048)
        #expect(config.media.policy.allowedTypes == ["image/jpeg", "application/pdf"])
        #expect(try load("channels: [{id: sms, type: http-inbox, base_url: \"http://127.0.0.1:9000\"}]").media == MediaSettings())
        #expect {
            _ = try load("media: {types: [jpeg-please]}\nchannels: [{id: sms, type: http-inbox, base_url: \"http://127.0.0.1:9000\"}]")
        } throws: { error in
            "\(error)".contains("media.types' must be a list of MIME types") && !"\(error)".contains("jpeg-please")
        }
    }

    @Test("a wecom-kf channel with the push callback: token and key from the environment, the callback window")
    func wecomCallback() throws {
        let key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
        let config = try load("""
            channels:
              - {id: wecom, type: wecom-kf, corp_id: ww1, secret: s, open_kfid: wk, callback_window: 120}
              - {id: plain, type: wecom-kf, corp_id: ww1, secret: s, open_kfid: wk2}
            """, environment: ["FIRSTASK_CHANNELS_0_TOKEN": "QDG6eK", "FIRSTASK_CHANNELS_0_ENCODING_AES_KEY": key])
        guard case let .wecom(wecom) = config.providerChannels.first, case let .wecom(plain) = config.providerChannels.last else {
            Issue.record("no wecom channels")
            return
        }
        #expect(wecom.callback == WeComCallbackSettings(token: "QDG6eK", encodingAESKey: key, replayWindow: 120))
        #expect(plain.callback == nil)
    }
}

@Suite("Channel wiring")
struct ChannelWiringTests {
    @Test("a configuration with every channel type builds a gateway: sinks, webhooks and pollers where each type needs them")
    func everyType() async throws {
        let folder = try RepositoryFiles.temporaryFolder("wiring")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/gateway.yaml"
        try """
            admin: {token: "0123456789abcdef0123"}
            store: {sqlite: "\(folder)/db.sqlite"}
            prompts: "\(RepositoryFiles.prompts)"
            roster: "\(RepositoryFiles.roster)"
            channels:
              - {id: kannel, type: kannel, sendsms_url: "http://127.0.0.1:9/cgi-bin/sendsms", username: u, password: p}
              - {id: inbox, type: http-inbox, base_url: "http://127.0.0.1:9"}
              - {id: twilio, type: twilio, account_sid: AC1, auth_token: t, from: "+1", public_url: "https://gw/webhooks/twilio"}
              - {id: tg, type: telegram, token: "1:x"}
              - {id: tghook, type: telegram, token: "1:y", mode: webhook, webhook_secret: s3cret}
              - {id: wecom, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk}
              - {id: wecomhook, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk2, token: T, encoding_aes_key: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try GatewayConfig.load(path: path, environment: [:])
        #expect(config.channelIDs == ["kannel", "inbox", "twilio", "tg", "tghook", "wecom", "wecomhook"], "file order")
        #expect(config.dispatcher.rateLimits["twilio"] == RateLimit(perSecond: 1, burst: 1))
        #expect(config.dispatcher.rateLimits["tg"] == RateLimit(perSecond: 30, burst: 30))
        #expect(config.dispatcher.rateLimits["kannel"] == nil)
        let gateway = try await Gateway.build(config: config, logger: quietLogger())
        defer { gateway.client.shutdown() }
        #expect(Set(gateway.webhooks.keys) == ["kannel", "twilio", "tghook", "wecomhook"])
        // Services: dispatcher, desk worker, reload, then one poller each for inbox, tg, wecom and wecomhook (the
        // callback wakes the poller; it does not replace it) (+ the rest of the desk's).
        let pollers = gateway.services(withAdminServer: false).filter { $0 is InboxPoller }
        #expect(pollers.count == 4)
    }
}
