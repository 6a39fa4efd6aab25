import FirstaskApp
import FirstaskClassifier
import FirstaskDesk
import FirstaskTesting
import Foundation
import Testing

// Learning from staff corrections, end to end: residents text the simulated inbox, the gateway (SQLite, real
// HTTP) opens tickets, staff correct them by text, and the `firstask` process lists the corrections and
// suggests rules from that gateway's own database. The three messages are ones the shipped rules misread
// (the garage puddle replaced the flooded garage once the rules learnt that flooding in a car park is plumbing);
// when the rules learn to read one, replace it with one they still misread.

@Suite("Learning from corrections, end to end")
struct CorrectionsEndToEndTests {
    /// Messages the shipped rules misread, with what staff say they are.
    static let misread = [
        (phone: "+8613911110001", text: "3栋楼顶天台门没锁 有小孩在上面跑来跑去", category: Category.security, severity: Severity.emergency),
        (phone: "+8613911110002", text: "5栋地下车库B2停车位上有一大滩水", category: .plumbing, severity: .general),
        (phone: "+447700900123", text: "Block 3 flat 501 the balcony glass is cracked and could fall", category: .facility,
         severity: .emergency),
    ]
    /// Other residents' messages, to compare with.
    static let others = [
        "3栋2单元501厨房水管漏水", "7栋1单元楼道的墙皮大片脱落", "12栋2单元的电梯按钮坏了", "楼下停车位被人占了三天了",
        "请问物业费怎么交？", "8栋1单元的路灯不亮了", "The lift in Block 6 is making a grinding noise, Flat 1203",
        "Rubbish has not been collected at Block 2 for three days", "9栋的绿化带好久没人修剪了", "隔壁装修太吵了，周末早上七点就开始",
    ]

    func run(_ arguments: [String], in folder: String) async throws -> (status: Int32?, output: String) {
        let log = folder + "/out-\(UUID().uuidString).txt"
        let process = try launch(arguments, log: log)
        let status = try await waitForExit(process, timeout: .seconds(120))
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test("a resident reports, staff re-grade and re-categorise by text; rules corrections lists it and rules suggest fixes it")
    func learnsFromCorrections() async throws {
        try await Conversation.run { c in
            for (index, text) in Self.others.enumerated() {
                try await c.resident("+86139222200\(String(format: "%02d", index))", text)
            }
            let first = try #require(try await c.tickets().last?.ref).dropFirst()
            let base = Int(first)!  // the misread messages' tickets follow
            for message in Self.misread { try await c.resident(message.phone, message.text) }
            let refs = (1...Self.misread.count).map { Ticket.ref(number: base + $0) }
            // The shipped classifier: the rules and the learned model beside them, as the gateway reads.
            let shipped = Classifier(rules: try Prompts.loadRules(RepositoryFiles.prompts + "/rules.yaml"))
            let misreadNow = Self.misread.filter { message in
                let labels = shipped.classify(message.text)
                return labels.category != message.category || labels.severity != message.severity
            }.count

            // Staff correct by text: the engineering head re-grades the roof (the duty team and control room are
            // paged) and hands it to security by its category; security re-categorises the flooded garage; the
            // first responder re-grades the balcony in English.
            let roof = try await c.require(refs[0])
            #expect(roof.department == .engineering && roof.severity == .general)
            try await c.staff("zhao_gang", "改 \(refs[0]) 紧急 小孩在天台栏杆外")
            c.expectReply(to: "sun_li", containing: "【紧急】工单\(refs[0])")
            c.expectReply(to: "zhao_gang", containing: "已改为紧急")
            try await c.staff("zhao_gang", "类别 \(refs[0]) 治安")
            c.expectReply(to: "wu_hao", containing: "【转派给你】工单\(refs[0])")
            let garage = try await c.require(refs[1])
            try await c.staff(garage.handler, "category \(refs[1].replacingOccurrences(of: "T00", with: "T")) plumbing")
            #expect(try await c.require(refs[1]).department == .engineering)
            let balcony = try await c.require(refs[2])
            try await c.staff(balcony.firstResponder, "regrade \(refs[2]) emergency")
            c.expectReply(to: balcony.firstResponder, containing: refs[2])
            #expect(try await c.require(refs[2]).severity == .emergency)

            let folder = URL(fileURLWithPath: c.rig.gateway.config.sqlitePath).deletingLastPathComponent().path
            let config = try writeGatewayConfig(in: folder, inboxPort: c.rig.inboxPort, channelOptions: "poll_interval: 1")

            // rules corrections: every correction, with the message, the original labels and the fired rules.
            let listed = try await run(["rules", "corrections", "--config", config], in: folder)
            #expect(listed.status == 0, "\(listed.output)")
            #expect(listed.output.hasPrefix("4 corrections of 3 tickets"))
            #expect(listed.output.contains("\(refs[0])  2026-12-01 10:"))
            #expect(listed.output.contains("赵刚 (zhao_gang)  severity"))
            #expect(listed.output.contains("text:       3栋楼顶天台门没锁 有小孩在上面跑来跑去"))
            // What the rules said and fired, as the shipped rules read the message (they are being tuned).
            let read = shipped.classify(Self.misread[0].text)
            #expect(listed.output.contains("read as:    \(read.intent.rawValue) / \(read.category.rawValue) / "
                + "\(read.department.rawValue) / \(read.severity.rawValue) (intent / category / department / severity; "
                + "rules \(shipped.rules.version))"))
            #expect(listed.output.contains("fired:      \(read.rules.joined(separator: ", "))"))
            #expect(listed.output.contains("corrected:  severity: \(read.severity.rawValue) → emergency"))
            #expect(listed.output.contains("corrected:  category: \(read.category.rawValue) → security"))
            #expect(listed.output.contains("corrected:  category: \(shipped.classify(Self.misread[1].text).category.rawValue) → plumbing"))
            #expect(!listed.output.contains("+86139"))
            let later = try await run(["rules", "corrections", "--config", config, "--since", "2026-12-02"], in: folder)
            #expect(later.status == 0 && later.output.hasPrefix("0 corrections of 0 tickets since 2026-12-02"))
            let badConfig = try await run(["rules", "corrections", "--config", folder + "/missing.yaml"], in: folder)
            #expect(badConfig.status == 78)

            // rules suggest: a complete rules file that passes `rules check` and reads the corrected messages as
            // staff said; nothing applied.
            let output = folder + "/suggested.yaml"
            let suggested = try await run(["rules", "suggest", "--config", config, "--output", output], in: folder)
            #expect(suggested.status == 0, "\(suggested.output)")
            #expect(suggested.output.contains("fixes 3 of 3 corrected messages (the current rules: \(3 - misreadNow) of 3)"),
                    "\(suggested.output)")
            #expect(suggested.output.contains("would change "))
            let checked = try await run(["rules", "check", output], in: folder)
            #expect(checked.status == 0 && checked.output.contains(": ok ("), "\(checked.output)")
            let yaml = try String(contentsOfFile: output, encoding: .utf8)
            let shippedYAML = try String(contentsOfFile: RepositoryFiles.prompts + "/rules.yaml", encoding: .utf8)
            if misreadNow > 0 {
                #expect(yaml.contains("- id: suggested."))
                #expect(yaml.contains("note: \"from staff corrections of T"))
            }
            // The current rules are all still there, unchanged and in order.
            #expect(yaml.hasPrefix(String(shippedYAML.prefix(upTo: try #require(shippedYAML.range(of: "\nrules:")).upperBound))))
            let new = Classifier(rules: try RuleSet.parse(yaml: yaml).attaching(try #require(shipped.rules.learned)))
            for message in Self.misread {
                let labels = new.classify(message.text)
                #expect(labels.category == message.category && labels.severity == message.severity, "\(message.text): \(labels)")
            }

            // rules train: the learned component refitted on a corpus and the store's re-grades (each is an example;
            // the category corrections are for `rules suggest`), written where asked; nothing applied.
            let model = folder + "/" + NgramModel.fileName
            let dev = URL(fileURLWithPath: RepositoryFiles.prompts).deletingLastPathComponent().path + "/Tests/FirstaskTests/Fixtures/dev.jsonl"
            let trained = try await run(["rules", "train", "--config", config, "--corpus", dev, "--output", model], in: folder)
            #expect(trained.status == 0, "\(trained.output)")
            #expect(trained.output.contains("from 400 corpus messages and 2 re-grades"), "\(trained.output)")
            #expect(try NgramModel.parse(String(contentsOfFile: model, encoding: .utf8)).grams.count > 100)
            let noCorpus = try await run(["rules", "train", "--output", model], in: folder)
            #expect(noCorpus.status != 0 && noCorpus.output.contains("--corpus"), "\(noCorpus.output)")

            // The gateway still runs on the rules it had.
            #expect(c.rig.gateway.desk.current.classifier.rules.version == shipped.rules.version)
        }
    }
}
