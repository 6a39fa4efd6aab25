import FirstaskClassifier
import FirstaskDesk
import Foundation
import Mustache

/// What the console shows, loaded from the prompts folder: every word in `console/<locale>.yaml` (the same keys
/// in zh-Hans, zh-Hant and en, `{name}` placeholders as in the SMS templates) and the pages' markup in
/// `console/pages/*.mustache`, which holds no words of its own, only `{{t.key}}` lookups.
public struct ConsoleTexts: Sendable {
    public let words: Templates
    let pages: MustacheLibrary

    /// Loads and checks `folder/console`; an error names the file and key at fault.
    public static func load(promptsFolder folder: String) throws -> ConsoleTexts {
        var texts: [ReplyLocale: [String: String]] = [:]
        for locale in ReplyLocale.allCases {
            texts[locale] = try Prompts.flatStrings("\(folder)/console/\(locale.rawValue).yaml")
        }
        let keys = Set(texts[.en]?.keys ?? [:].keys)
        for locale in ReplyLocale.allCases {
            let own = Set(texts[locale]?.keys ?? [:].keys)
            if let missing = keys.subtracting(own).sorted().first ?? own.subtracting(keys).sorted().first {
                throw ConfigError(file: "\(folder)/console/\(locale.rawValue).yaml", key: missing,
                                  problem: "is not in every locale: each console text needs zh-Hans, zh-Hant and en")
            }
        }
        var library = MustacheLibrary()
        let pagesFolder = "\(folder)/console/pages"
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: pagesFolder).filter { $0.hasSuffix(".mustache") }.sorted()
        } catch {
            throw ConfigError(file: pagesFolder, key: "", problem: "cannot be read: the console's page templates are missing")
        }
        for name in names {
            let path = "\(pagesFolder)/\(name)"
            do {
                try library.register(try ConfigFile.text(at: path), named: String(name.dropLast(".mustache".count)))
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ConfigError(file: path, key: "", problem: "is not a valid mustache template")
            }
        }
        return ConsoleTexts(words: Templates(texts), pages: library)
    }

    /// Every word of `locale`, for `{{t.key}}` in the pages: `nav.tickets` nested as `["nav": ["tickets": …]]`,
    /// since mustache reads a dotted name one level at a time.
    func table(_ locale: ReplyLocale) -> [String: Any] {
        var root: [String: Any] = [:]
        func insert(_ path: ArraySlice<String>, _ value: String, into node: inout [String: Any]) {
            guard let head = path.first else { return }
            if path.count == 1 { return node[head] = value }
            var child = node[head] as? [String: Any] ?? [:]
            insert(path.dropFirst(), value, into: &child)
            node[head] = child
        }
        for (key, value) in words.texts[locale] ?? [:] {
            insert(ArraySlice(key.split(separator: ".").map(String.init)), value, into: &root)
        }
        return root
    }

    func word(_ key: String, _ locale: ReplyLocale, _ values: [String: String] = [:]) -> String {
        words.render(key, locale, values)
    }

    /// Renders page `name` (inside `layout`) with `data`, the words of `locale` as `t`.
    func render(_ name: String, _ locale: ReplyLocale, _ data: [String: Any]) -> String {
        var context = data
        context["t"] = table(locale)
        context["lang"] = locale.rawValue
        let body = pages.render(context, withTemplate: name) ?? ""
        context["body"] = body
        return pages.render(context, withTemplate: "layout") ?? body
    }
}
