import Foundation

/// Fits an ``NgramModel`` to labelled messages: pure and deterministic (the same examples and settings give
/// the same file).
///
/// Vocabulary: grams in at least `minimumDocuments` messages; idf = ln((1 + n) / (1 + df)) + 1. Each head is
/// a multinomial logistic regression trained by AdaGrad with L2 regularisation, in shuffled passes seeded
/// by `seed`. Grams whose weights all stay below `pruneBelow` are then dropped and the head fitted again on
/// what is left, so the shipped file holds only grams that matter.
public struct NgramTrainer: Sendable {
    /// One labelled message; `weight` counts it more than once (a staff correction is worth several).
    public struct Example: Sendable {
        public var text: String
        public var severity: String
        public var weight: Float

        public init(text: String, severity: String, weight: Float = 1) {
            self.text = text
            self.severity = severity
            self.weight = weight
        }
    }

    public var minimumDocuments = 5
    public var passes = 12
    public var learningRate: Float = 0.5
    public var l2: Float = 1e-5
    public var pruneBelow: Float = 0.08
    public var seed: UInt64 = 20_261_204

    public init() {}

    public func train(_ examples: [Example]) -> NgramModel {
        var text = NormalizedText()
        let normalized: [[Unicode.Scalar]] = examples.map {
            TextNormalizer.normalize($0.text, into: &text)
            return text.scalars
        }
        let severityClasses = ["emergency", "major", "general"]
        var vocabulary = Self.vocabulary(normalized, minimumDocuments: minimumDocuments)
        var model = fit(normalized, examples, vocabulary: vocabulary, severityClasses: severityClasses)
        let kept = vocabulary.indices.filter { index in
            (model.severity.weights[index * 3..<(index + 1) * 3].map(abs).max() ?? 0) >= pruneBelow
        }
        vocabulary = kept.map { vocabulary[$0] }
        model = fit(normalized, examples, vocabulary: vocabulary, severityClasses: severityClasses)
        return model
    }

    /// Grams (as scalar arrays) in at least `minimumDocuments` messages, with their document counts, sorted.
    static func vocabulary(_ texts: [[Unicode.Scalar]], minimumDocuments: Int) -> [(gram: [Unicode.Scalar], documents: Int)] {
        var documents: [UInt64: Int] = [:]
        var grams: [UInt64: [Unicode.Scalar]] = [:]
        for scalars in texts {
            var seen = Set<UInt64>()
            forEachGram(scalars) { start, length in
                let gram = Array(scalars[start..<start + length])
                let key = NgramModel.key(gram)
                if seen.insert(key).inserted {
                    documents[key, default: 0] += 1
                    grams[key] = gram
                }
            }
        }
        return documents.filter { $0.value >= minimumDocuments }
            .map { (gram: grams[$0.key]!, documents: $0.value) }
            .sorted { String(String.UnicodeScalarView($0.gram)) < String(String.UnicodeScalarView($1.gram)) }
    }

    /// Every gram position ``NgramModel/occurrences(_:into:)`` looks at.
    static func forEachGram(_ scalars: [Unicode.Scalar], _ body: (Int, Int) -> Void) {
        for index in scalars.indices where !NgramModel.isSpace(scalars[index]) {
            for length in 1...3 where index + length <= scalars.count { body(index, length) }
        }
    }

    private func fit(
        _ texts: [[Unicode.Scalar]], _ examples: [Example], vocabulary: [(gram: [Unicode.Scalar], documents: Int)],
        severityClasses: [String]
    ) -> NgramModel {
        let total = Float(texts.count)
        let idf = vocabulary.map { Foundation.log((1 + total) / (1 + Float($0.documents))) + 1 }
        func emptyHead(_ classes: [String]) -> NgramModel.Head {
            NgramModel.Head(classes: classes, bias: Array(repeating: 0, count: classes.count),
                            weights: Array(repeating: 0, count: vocabulary.count * classes.count))
        }
        var model = NgramModel(grams: vocabulary.map { String(String.UnicodeScalarView($0.gram)) }, idf: idf,
                               severity: emptyHead(severityClasses))
        var found: [NgramModel.Occurrence] = []
        let rows: [[NgramModel.Occurrence]] = texts.map { model.occurrences($0, into: &found); return found }
        let targets = examples.map { severityClasses.firstIndex(of: $0.severity) }
        model.severity = fitHead(model.severity, model: model, rows: rows, targets: targets, examples: examples)
        return model
    }

    private func fitHead(
        _ start: NgramModel.Head, model: NgramModel, rows: [[NgramModel.Occurrence]], targets: [Int?], examples: [Example]
    ) -> NgramModel.Head {
        var head = start
        let width = head.classes.count
        var squaredWeights = Array(repeating: Float(1e-8), count: head.weights.count)
        var squaredBias = Array(repeating: Float(1e-8), count: width)
        var random = SplitMix64(seed: seed)
        var order = Array(rows.indices)
        for _ in 0..<passes {
            order.shuffle(using: &random)
            for row in order {
                guard let target = targets[row] else { continue }
                let occurrences = rows[row]
                let probabilities = model.probabilities(head, occurrences)
                let (scale, idf) = model.features(occurrences)
                let weight = examples[row].weight
                for index in 0..<width {
                    let error = (probabilities[index] - (index == target ? 1 : 0)) * weight
                    squaredBias[index] += error * error
                    head.bias[index] -= learningRate * error / squaredBias[index].squareRoot()
                }
                for occurrence in occurrences {
                    let feature = Int(occurrence.feature)
                    let value = idf[feature] * scale
                    let base = feature * width
                    for index in 0..<width {
                        let slot = base + index
                        let gradient = (probabilities[index] - (index == target ? 1 : 0)) * weight * value + l2 * head.weights[slot]
                        squaredWeights[slot] += gradient * gradient
                        head.weights[slot] -= learningRate * gradient / squaredWeights[slot].squareRoot()
                    }
                }
            }
        }
        return head
    }
}

/// A small deterministic generator (SplitMix64), so training gives the same file every time.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
