/// One table of the monthly report, the same for every output format.
public struct ReportTable: Sendable, Equatable {
    /// A stable machine name (`by_category`), used for CSV section names and HTML ids.
    public var id: String
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    /// Columns that hold numbers (right-aligned in HTML).
    public var numeric: Set<Int>
    /// A sentence printed under the title.
    public var note: String?
}
