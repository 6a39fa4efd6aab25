import FirstaskClassifier

/// The frame of every HTML page the records write: UTF-8, inline print-friendly CSS, no scripts or external
/// resources, so the file can be mailed, archived and printed as it is.
enum HTMLPage {
    static func document(title: String, locale: ReplyLocale, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(locale.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(RecordFormat.html(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let css = """
        body { font-family: "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
               color: #111; margin: 2em auto; max-width: 60em; padding: 0 1em; line-height: 1.45; font-size: 14px; }
        h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.15em; border-bottom: 2px solid #333; padding-bottom: .15em; margin-top: 1.6em; }
        .ref { font-family: Menlo, Consolas, monospace; } .meta { color: #444; margin: 0; }
        table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
        th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
        thead th { background: #eee; } table.fields th { width: 12em; background: #f6f6f6; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .nowrap { white-space: nowrap; } tr.mark td { background: #fff6e0; }
        .missed { color: #a00; font-weight: 600; } .met { color: #060; } .note { color: #444; font-size: .95em; }
        .sign { margin-top: 3em; }
        .charts { display: flex; flex-wrap: wrap; gap: 1.5em; } .chart { flex: 1 1 26em; } .chart svg { width: 100%; height: auto; }
        @media print {
          body { margin: 0; max-width: none; font-size: 11pt; }
          h2 { break-after: avoid; } tr, .chart, table.fields { break-inside: avoid; } thead { display: table-header-group; }
          thead th, table.fields th, tr.mark td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        @page { size: A4; margin: 15mm; }
        """
}
