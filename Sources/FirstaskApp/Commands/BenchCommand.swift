import ArgumentParser
import Foundation
import Logging

/// `firstask bench pipeline`: end-to-end throughput and latency, inbox to reply accepted, on loopback.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks.", subcommands: [PipelineBench.self, ClassifyBench.self])
}

struct PipelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Messages per second and p50/p99 latency from the inbox to the resident's reply accepted by it.")

    @Option(name: .long, help: "How many resident messages to play.")
    var messages: Int = 10_000

    @Option(name: .long, help: "Messages per second to offer; 0 puts them all in the inbox at once (saturation).")
    var rate: Double = 0

    @Option(name: .long, help: "Concurrent sends of the dispatcher.")
    var concurrency: Int = 32

    func validate() throws {
        guard messages > 0, messages <= 1_000_000 else { throw ValidationError("--messages must be 1…1000000") }
        guard rate >= 0 else { throw ValidationError("--rate must not be negative") }
    }

    func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("firstask-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = LoopbackRig.Options(folder: folder, promptsPath: try ShippedFiles.locate("prompts"),
                                          rosterPath: try ShippedFiles.locate("deploy/roster.yaml"))
        options.adminServer = false
        options.dispatcher.concurrency = concurrency
        let count = messages
        let rate = self.rate
        let report = try await LoopbackRig.with(options, logger: Logger(label: "firstask")) { rig in
            try await Self.measure(rig: rig, count: count, rate: rate)
        }
        print(report)
    }

    /// Residents' texts; `{n}` becomes a flat number that differs per message, so each report is a new
    /// matter at its own place (the same text from thousands of phones would all be one repeated problem).
    static let texts = [
        "3栋2单元{n}厨房水管漏水，麻烦尽快派人来看看", "A座{n}室門口走廊的燈壞咗，好黑",
        "The lift in Block 2 is making a grinding noise, Flat {n}", "楼下广场舞太吵了，每天晚上十点还在跳",
        "请问这个月的物业费什么时候交？", "小区门口的垃圾两天没人清理了",
    ]

    static func text(_ index: Int) -> String {
        let flat = 101 + (index / texts.count) % 3000
        return texts[index % texts.count].replacingOccurrences(of: "{n}", with: String(flat))
    }

    static func measure(rig: LoopbackRig, count: Int, rate: Double) async throws -> String {
        var injectedAt: [String: Date] = [:]
        injectedAt.reserveCapacity(count)
        let start = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        for index in 0..<count {
            if rate > 0 {
                let due = begin + .milliseconds(Int(Double(index) / rate * 1000))
                if due > clock.now { try await Task.sleep(until: due, clock: clock) }
            }
            let phone = "+86139" + String(format: "%08d", index)
            let now = Date()
            injectedAt[phone] = now
            rig.inbox.inject(from: phone, text: text(index), at: now)
        }
        // Every resident gets an acknowledgement; staff get their notifications too.
        let deadline = Date().addingTimeInterval(max(60, Double(count) / 200))
        var acknowledged: [String: Date] = [:]
        var seen = 0
        while Date() < deadline {
            let fresh = rig.inbox.deliveries(from: seen)
            seen += fresh.count
            for delivery in fresh where injectedAt[delivery.to] != nil && acknowledged[delivery.to] == nil {
                acknowledged[delivery.to] = delivery.at
            }
            if acknowledged.count == count { break }
            try await Task.sleep(until: .now + .milliseconds(50))
        }
        let latencies = acknowledged.map { phone, at in at.timeIntervalSince(injectedAt[phone]!) }.sorted()
        guard let last = acknowledged.values.max(), !latencies.isEmpty else { return "no replies arrived" }
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let elapsed = last.timeIntervalSince(start)
        let sends = rig.inbox.deliveries.count
        return """
            pipeline: \(count) messages\(rate > 0 ? " offered at \(Int(rate))/s" : " offered at once"), \(acknowledged.count) acknowledged
            throughput: \(String(format: "%.0f", Double(acknowledged.count) / elapsed)) messages/s (\(String(format: "%.2f", elapsed)) s, \(sends) texts sent incl. staff notifications, \(String(format: "%.0f", Double(sends) / elapsed)) sends/s)
            latency inbox→reply accepted: p50 \(String(format: "%.1f", percentile(0.5) * 1000)) ms, p99 \(String(format: "%.1f", percentile(0.99) * 1000)) ms, max \(String(format: "%.1f", latencies.last! * 1000)) ms
            duplicate sends seen by the inbox: \(rig.inbox.duplicateSends)
            """
    }
}
