/// What the resident wants from the message, as labelled in `docs/LABELS.md`.
///
/// A broken thing reported neutrally is `repair`; the same thing reported with anger about delay is
/// `complaint`; a report that something is now fixed, with thanks, is `praise`.
public enum Intent: String, Sendable, Codable, CaseIterable {
    case repair, complaint, inquiry, suggestion, praise
}
