import ArgumentParser
import FirstaskClassifier
import Foundation

/// `firstask bench classify --corpus FILE`: classifier throughput on one thread.
struct ClassifyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Messages per second and MB/s of the classifier alone, on one thread, over a corpus's texts.")

    @Option(name: .long, help: "Corpus: JSON lines, each with a \"text\" string (other fields are ignored).")
    var corpus: String

    @Option(name: .long, help: "How many times to classify every text.")
    var `repeat`: Int = 100

    @Option(name: .long, help: "Rules file (default: the shipped prompts/rules.yaml).")
    var rules: String?

    @Flag(name: .long, help: "Also time the pipeline step by step (normalise, keyword scan, rule evaluation, the rest).")
    var stages = false

    func validate() throws {
        guard `repeat` > 0, `repeat` <= 1_000_000 else { throw ValidationError("--repeat must be 1…1000000") }
    }

    func run() throws {
        let ruleSet = try RulesCommand.load(try RulesCommand.path(rules), failure: 1)
        let texts = try RulesCommand.readCorpus(corpus, Corpus.texts)
        guard !texts.isEmpty else {
            RulesCommand.printError("error: \(corpus): no messages")
            throw ExitCode(2)
        }
        let classifier = Classifier(rules: ruleSet)
        print(Self.measure(classifier: classifier, texts: texts, repeat: `repeat`))
        if stages {
            print("stages, best pass (ns per message: cumulative, and the step's own):")
            for (stage, cumulative, own) in classifier.stageNanoseconds(texts, passes: `repeat`) {
                let total = cumulative.map { String(format: "%7.0f", $0) } ?? "       "
                print("  \(stage.padding(toLength: 36, withPad: " ", startingAt: 0)) \(total)  (\(String(format: "%.0f", max(0, own))))")
            }
        }
    }

    static func measure(classifier: Classifier, texts: [String], repeat count: Int) -> String {
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let size = classifier.rules.matcherSize
        var checksum = 0
        // One workspace for the run, as a worker classifying message after message would keep one.
        var workspace = Classifier.Workspace()
        let clock = ContinuousClock()
        // Each pass over the texts is timed too: on a shared machine the whole-run figure swings with the
        // neighbours' load, while the median and best passes show what the code itself costs.
        var passes: [Duration] = []
        passes.reserveCapacity(count)
        let elapsed = clock.measure {
            for _ in 0..<count {
                let start = clock.now
                for text in texts {
                    checksum &+= classifier.classify(text, using: &workspace).firedRuleCount
                }
                passes.append(start.duration(to: clock.now))
            }
        }
        let seconds = Self.seconds(elapsed)
        passes.sort()
        let perPass = Double(texts.count)
        let median = perPass / max(1e-9, Self.seconds(passes[passes.count / 2]))
        let best = perPass / max(1e-9, Self.seconds(passes[0]))
        let messages = texts.count * count
        let megabytes = Double(bytes * count) / 1_000_000
        return """
            classify: \(texts.count) texts × \(count) = \(messages) messages, \(bytes) bytes of text each round
            throughput: \(String(format: "%.0f", Double(messages) / seconds)) messages/s, \(String(format: "%.2f", megabytes / seconds)) MB/s (1 thread)
            passes: median \(String(format: "%.0f", median)) messages/s, best \(String(format: "%.0f", best)) messages/s (\(count) passes over the texts)
            total: \(String(format: "%.3f", seconds)) s (\(checksum) rule hits)
            rules: \(size.keywords) keywords; automaton \(size.states) states, \(size.transitions) stored transitions in \(size.cells) cells
            """
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
