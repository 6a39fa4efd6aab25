/// Turns the free-text reason a channel gives for an unreadable inbound item into a short code for the
/// `reason` label: a bounded set, so a reason that quotes an id or a charset never becomes a label value.
public enum RejectionReason {
    public static let codes = ["too_long", "empty", "not_text", "bad_sender", "malformed", "missing_field", "other"]

    public static func code(for reason: String) -> String {
        let text = reason.lowercased()
        if text.contains("longer than") || text.contains("too long") || text.contains("too large") { return "too_long" }
        if text.contains("empty") { return "empty" }
        if text.contains("sender address") { return "bad_sender" }
        if text.contains("charset") || text.contains("binary") || text.contains("without text") || text.contains("not text")
            || text.hasPrefix("text is not valid") || text.contains("encoding") { return "not_text" }
        if text.contains("not a json") || text.contains("malformed") || text.contains("unreadable") { return "malformed" }
        if text.hasPrefix("no ") || text.contains(" has no ") || text.contains("without") || text.contains("missing") {
            return "missing_field"
        }
        return "other"
    }
}
