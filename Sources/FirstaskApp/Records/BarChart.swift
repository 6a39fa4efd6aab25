import Foundation

/// A horizontal bar chart drawn as inline SVG: one row per bar, label on the left, count on the right.
struct BarChart {
    var title: String
    var bars: [(label: String, value: Int)]
    var color: String

    static let width = 520.0
    static let rowHeight = 24.0

    /// Room for the longest label at 13 px: about 13 px per CJK character, 7.5 px per other character.
    var labelWidth: Double {
        let widest = bars.map { bar in
            bar.label.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 13 : 7.5) }
        }.max() ?? 0
        return min(260, max(60, widest + 12))
    }

    func svg() -> String {
        let e = RecordFormat.html
        let top = 30.0
        let height = top + Double(max(bars.count, 1)) * Self.rowHeight + 8
        let labelWidth = self.labelWidth
        let barSpace = Self.width - labelWidth - 50
        let largest = max(bars.map(\.value).max() ?? 0, 1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(e(title))\" font-family=\"sans-serif\" font-size=\"13\">\n"
        out += "<title>\(e(title))</title>\n<text x=\"0\" y=\"18\" font-weight=\"bold\" font-size=\"14\">\(e(title))</text>\n"
        if bars.isEmpty {
            out += "<text x=\"0\" y=\"\(Int(top + 16))\" fill=\"#666\">–</text>\n"
        }
        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * Self.rowHeight
            let length = Double(bar.value) / Double(largest) * barSpace
            out += "<text x=\"\(Int(labelWidth - 8))\" y=\"\(format(y + 16))\" text-anchor=\"end\">\(e(bar.label))</text>"
            out += "<rect x=\"\(Int(labelWidth))\" y=\"\(format(y + 4))\" width=\"\(format(length))\" height=\"\(format(Self.rowHeight - 8))\" fill=\"\(color)\"/>"
            out += "<text x=\"\(format(labelWidth + length + 6))\" y=\"\(format(y + 16))\">\(bar.value)</text>\n"
        }
        return out + "</svg>"
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
