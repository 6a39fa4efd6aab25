import FirstaskApp
import FirstaskChannels
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

/// Staff are known by phone number, so they are texted on their own roster channel or on the first channel
/// that texts phone numbers, whatever channel the resident wrote on (a Telegram chat id is no phone number).
@Suite("Staff channels")
struct StaffChannelTests {
    /// Every channel type, a chat channel first, so "the first configured channel" would be the wrong answer.
    static let channels = """
        channels:
          - {id: tg, type: telegram, token: "1:x"}
          - {id: wecom, type: wecom-kf, corp_id: c, secret: s, open_kfid: wk}
          - {id: kannel, type: kannel, sendsms_url: "http://127.0.0.1:9/cgi-bin/sendsms", username: u, password: p}
          - {id: inbox, type: http-inbox, base_url: "http://127.0.0.1:9"}
          - {id: twilio, type: twilio, account_sid: AC1, auth_token: t, from: "+1", public_url: "https://gw/webhooks/twilio"}
        """

    /// One resident per channel type, each with their address as that channel writes it.
    static let residents: [(channel: String, address: String, text: String)] = [
        ("tg", "987654321", "3栋2单元501厨房水管漏水"),
        ("wecom", "wmAbCdEf0123456789", "5栋1单元302卫生间漏水"),
        ("kannel", "+8613911110003", "2号楼电梯困人了，有人被关在里面"),
        ("inbox", "+8613911110004", "7栋1单元101门口的路灯坏了"),
        ("twilio", "+447700900123", "Strong gas smell in Flat 1203, Block 2"),
    ]

    @Test("the channels that can reach staff are those that text phone numbers, in configuration order")
    func staffChannelIDs() throws {
        let folder = try RepositoryFiles.temporaryFolder("staff-channels")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try load(in: folder, roster: RepositoryFiles.roster)
        #expect(config.channelIDs == ["tg", "wecom", "kannel", "inbox", "twilio"])
        #expect(config.staffChannelIDs == ["kannel", "inbox", "twilio"])
    }

    @Test("residents on every channel type: staff are texted on their own roster channel or the first phone channel, residents on theirs")
    func residentsOnEveryChannel() async throws {
        let folder = try RepositoryFiles.temporaryFolder("staff-channels")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 张伟 (engineering, on duty) is reached on Twilio; everyone else has no channel of their own.
        let shipped = try String(contentsOfFile: RepositoryFiles.roster, encoding: .utf8)
        let roster = folder + "/roster.yaml"
        let own = "department: engineering, channel: twilio}"
        let edited = shipped.replacingOccurrences(of: "phone: \"+8613800000011\", department: engineering}",
                                                  with: "phone: \"+8613800000011\", \(own)")
        try #require(edited.contains(own))
        try edited.write(toFile: roster, atomically: true, encoding: .utf8)

        let gateway = try await Gateway.build(config: try load(in: folder, roster: roster), logger: quietLogger())
        defer { gateway.client.shutdown() }
        #expect(gateway.desk.current.defaultChannel == "kannel")
        let desk = gateway.desk.current
        let now = Conversation.morning
        for (index, resident) in Self.residents.enumerated() {
            _ = try await gateway.store.storeInbound(InboundBatch(channel: resident.channel, messages: [
                InboundMessage(channel: resident.channel, providerID: "m\(index)", from: resident.address, text: resident.text,
                               receivedAt: now),
            ], cursor: nil))
        }
        _ = try await gateway.store.write { tx in try desk.process(tx, now: now, limit: 100) }

        let staff = try await gateway.store.roster()
        let rows = try await gateway.store.outbound(status: nil)
        #expect(try await gateway.store.tickets(.all).count == Self.residents.count)
        for resident in Self.residents {
            let ticket = try #require(try await gateway.store.tickets(.all).first { $0.resident == resident.address })
            let toResident = rows.filter { $0.to == resident.address }
            #expect(!toResident.isEmpty && toResident.allSatisfy { $0.channel == resident.channel },
                    "the resident on \(resident.channel) is answered there")
            let toStaff = rows.filter { $0.ticketRef == ticket.ref && staff.member(address: $0.to) != nil }
            #expect(toStaff.count >= 2, "first responder and handler of \(ticket.ref) are told")
            for row in toStaff {
                let member = try #require(staff.member(address: row.to))
                #expect(row.channel == (member.channel ?? "kannel"),
                        "\(member.id) about \(ticket.ref) (resident on \(resident.channel)) was texted on \(row.channel)")
            }
        }
        #expect(rows.contains { $0.to == "+8613800000011" && $0.channel == "twilio" }, "张伟 on his own channel")
    }

    @Test("a dead-letter alert goes on a channel that can reach the staff member, never on a chat channel")
    func deadLetterAlertSkipsChatChannels() async throws {
        let clock = FakeClock()
        let store = InMemoryStore()
        try await store.replaceRoster(Roster(timeZone: .gmt, staff: [
            Staff(id: "emma", name: "Emma", address: "+85298000001", department: .service, locale: .en),
        ], shifts: [Shift(staffID: "emma", department: .service, start: 0, end: 0)]))
        try await store.write { tx in
            try tx.enqueue(OutboundMessage(id: "a", channel: "sms", to: "+8613900000001", text: "您好", ticketRef: "T0001",
                                           nextAttemptAt: clock.now, createdAt: clock.now))
        }
        let sinks = ["sms", "tg", "backup"].map { RecordingSink(channelID: $0) }
        sinks[0].fail("a", retry: .never)
        let dispatcher = Dispatcher(
            store: store, sinks: Dictionary(uniqueKeysWithValues: sinks.map { ($0.channelID, $0 as any MessageSink) }),
            settings: DispatcherSettings(), clock: clock, bell: Doorbell(), logger: quietLogger(),
            channelOrder: ["sms", "tg", "backup"], staffChannels: ["sms", "backup"])
        #expect(try await dispatcher.dispatchRound() == 1)
        let alerts = try await store.outbound(status: .pending)
        #expect(alerts.map(\.channel) == ["backup"], "the first other channel that texts phone numbers, not tg")
    }

    func load(in folder: String, roster: String) throws -> GatewayConfig {
        let path = folder + "/gateway.yaml"
        try """
            admin: {token: "0123456789abcdef0123"}
            store: {sqlite: "\(folder)/db.sqlite"}
            prompts: "\(RepositoryFiles.prompts)"
            roster: "\(roster)"
            \(Self.channels)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try GatewayConfig.load(path: path, environment: [:])
    }
}
