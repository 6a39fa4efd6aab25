import ArgumentParser
import FirstaskClassifier
import FirstaskDesk
import Foundation

/// `firstask rules train`: fits the learned component (``NgramModel``) to labelled corpora and the staff
/// corrections in a gateway's store, and writes the model file beside the rules.
struct RulesTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit the learned n-gram model to labelled corpora and staff corrections; writes ngram-model.tsv.",
        discussion: """
            The model speaks only where the rules are silent: the severity of a message no severity rule fired on.
            Its evidence is listed as the rules learned.severity.emergency and learned.severity.major, with the
            character grams that decided. Staff re-grades are trained on (category corrections and transfers are for
            `rules suggest`). Training is deterministic. Keep the corpus you quote untouched: never train on it.
            Exits 0; a bad corpus 2, a bad config 78.
            """)

    @Option(name: .long, help: "A labelled corpus (JSON lines as `rules eval` reads); repeat for several.")
    var corpus: [String] = []

    @Option(name: .long, help: "A gateway configuration: its store's staff corrections are trained on as well.")
    var config: String?

    @Option(name: .long, help: "How many corpus messages one staff correction counts as.")
    var correctionWeight: Double = 3

    @Option(name: .long, help: "Only grams found in at least this many messages are features.")
    var minimumDocuments: Int = NgramTrainer().minimumDocuments

    @Option(name: .long, help: "Drop grams whose weights all stay below this (a smaller file, a little less accuracy).")
    var pruneBelow: Double = Double(NgramTrainer().pruneBelow)

    @Option(name: .long, help: "Where to write the model (default: ngram-model.tsv beside the shipped prompts/rules.yaml).")
    var output: String?

    func validate() throws {
        if corpus.isEmpty && config == nil { throw ValidationError("give at least one --corpus or a --config with corrections") }
        if minimumDocuments < 1 { throw ValidationError("--minimum-documents must be 1 or more") }
        if !(pruneBelow >= 0) { throw ValidationError("--prune-below must be 0 or more") }
        if !(correctionWeight > 0) { throw ValidationError("--correction-weight must be above 0") }
    }

    func run() async throws {
        var examples: [NgramTrainer.Example] = []
        for path in corpus {
            let entries = try RulesCommand.readCorpus(path, Corpus.parse)
            examples += entries.map { .init(text: $0.text, severity: $0.severity.rawValue) }
        }
        var corrections = 0
        if let config {
            let context = try await RecordsContext.open(configPath: config)
            for correction in try await context.store.corrections(since: nil) {
                guard let severity = correction.severity else { continue }
                examples.append(.init(text: correction.reading.text, severity: severity.rawValue, weight: Float(correctionWeight)))
                corrections += 1
            }
        }
        let start = ContinuousClock.now
        var trainer = NgramTrainer()
        trainer.pruneBelow = Float(pruneBelow)
        trainer.minimumDocuments = minimumDocuments
        let model = trainer.train(examples)
        let path = try output ?? Prompts.modelPath(besideRules: ShippedFiles.locate("prompts/rules.yaml"))
        let text = model.serialized(comment: [
            "firstask learned n-gram model: written by `firstask rules train`; retrain rather than edit.",
            "Trained on \(examples.count - corrections) corpus messages and \(corrections) staff re-grades.",
        ])
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            RulesCommand.printError("error: \(path): cannot be written (check the folder exists and is writable)")
            throw ExitCode(1)
        }
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("\(path): \(model.grams.count) grams from \(examples.count - corrections) corpus messages and \(corrections) re-grades"
            + " (\(text.utf8.count / 1024) KiB, \(String(format: "%.1f", seconds)) s)")
    }
}
