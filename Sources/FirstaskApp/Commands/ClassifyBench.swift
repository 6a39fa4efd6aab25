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
        print(Self.measure(classifier: Classifier(rules: ruleSet), texts: texts, repeat: `repeat`))
    }

    static func measure(classifier: Classifier, texts: [String], repeat count: Int) -> String {
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let size = classifier.rules.matcherSize
        var checksum = 0
        // One workspace for the run, as a worker classifying message after message would keep one.
        var workspace = Classifier.Workspace()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<count {
                for text in texts {
                    checksum &+= classifier.classify(text, using: &workspace).rules.count
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let messages = texts.count * count
        let megabytes = Double(bytes * count) / 1_000_000
        return """
            classify: \(texts.count) texts × \(count) = \(messages) messages, \(bytes) bytes of text each round
            throughput: \(String(format: "%.0f", Double(messages) / seconds)) messages/s, \(String(format: "%.2f", megabytes / seconds)) MB/s (1 thread)
            total: \(String(format: "%.3f", seconds)) s (\(checksum) rule hits)
            rules: \(size.keywords) keywords; automaton \(size.states) states, \(size.transitions) stored transitions
            """
    }
}
