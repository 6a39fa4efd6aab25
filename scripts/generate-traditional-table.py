#!/usr/bin/env python3
"""Regenerates Sources/FirstaskClassifier/Matching/TraditionalChinese.swift from OpenCC's data.

The data comes from OpenCC's own source distribution on PyPI (`opencc`, pinned below, SHA-256 checked),
which ships the dictionaries as text under `data/dictionary/`:

- `TSCharacters.txt`                    traditional → simplified characters (t2s)
- `HKVariants.txt`, `TWVariants.txt`    OpenCC traditional → Hong Kong / Taiwan variant; reversed here
                                        exactly as OpenCC's build does (`data/scripts/reverse.py`,
                                        honouring `# @reverse-prefer:`), giving HKVariantsRev / TWVariantsRev
- `CJK_Compatibility_Ideographs.txt`    compatibility ideographs (U+F900…) → unified ideographs

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install setuptools wheel
    /tmp/venv/bin/python scripts/generate-traditional-table.py            # download, check, write
    /tmp/venv/bin/python scripts/generate-traditional-table.py --sdist opencc-1.4.2.tar.gz
    python3 scripts/generate-traditional-table.py --check                 # is the committed file current?

`pip download` of an sdist prepares its metadata, and OpenCC's setup.py needs `setuptools` and `wheel`
to do that; `--no-build-isolation` keeps pip from trying to build cmake from source for it. Nothing is
compiled or installed.

How each character's simplified form is chosen (OpenCC's hk2s / tw2s / t2s chains, one character at a time,
without the phrase tables):
1. A compatibility ideograph is first replaced by its unified ideograph (OpenCC's normalisation step).
2. If TSCharacters maps the character to something else, its FIRST candidate is used: that is OpenCC's
   default when no phrase decides (乾 → 干, 於 → 于, 麵 → 面). Lines OpenCC marks `@tofu-risk` list the
   character itself first (the rare simplified form goes to TSCharactersExt, off by default), so they stay
   unmapped here too.
3. Otherwise the Hong Kong, then the Taiwan variant route is tried: HKVariantsRev / TWVariantsRev
   (first candidate) followed by TSCharacters (first candidate). This is how 著 → 着, 衞 → 卫 and 啟 → 启
   map. A character that is itself the simplified form of some TSCharacters entry (么, 才, 台) never
   takes a variant route: the reversed variant tables map a few simplified characters to traditional
   ones (么 → 幺 in tw2s, fixed up there by phrase tables we do not use), which would corrupt
   simplified text.
4. Only pairs whose source and result are single, different scalars are kept. The table is sorted by
   source scalar, one entry per source.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

OPENCC_VERSION = "1.4.2"
OPENCC_SHA256 = "47977905f131d7d9cfcec29fba5d841154907e1da73103105a4a68744e0f4f1a"
SDIST_NAME = f"opencc-{OPENCC_VERSION}.tar.gz"
DICTIONARY = f"opencc-{OPENCC_VERSION}/data/dictionary/"
REVERSE_PREFER = "# @reverse-prefer:"

REPO = Path(__file__).resolve().parent.parent
SWIFT_OUT = REPO / "Sources/FirstaskClassifier/Matching/TraditionalChinese.swift"
PAIRS_PER_LINE = 32


# ---------------------------------------------------------------------------------------------- fetching

def download(directory: Path) -> Path:
    """`pip download` the pinned OpenCC sdist into `directory` and return its path."""
    for module in ("setuptools", "wheel"):
        try:
            __import__(module)
        except ImportError:
            sys.exit(f"error: this interpreter lacks '{module}', which pip needs to read OpenCC's sdist metadata;"
                     f" run in a venv with `pip install setuptools wheel`, or pass --sdist FILE")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
               "--no-build-isolation", f"opencc=={OPENCC_VERSION}", "-d", str(directory)]
    print("+ " + " ".join(command[2:]), file=sys.stderr)
    subprocess.run(command, check=True)
    path = directory / SDIST_NAME
    if not path.exists():
        sys.exit(f"error: pip did not save {SDIST_NAME} in {directory}")
    return path


def verified_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    print(f"{path.name}: sha256 {digest}", file=sys.stderr)
    if digest != OPENCC_SHA256:
        sys.exit(f"error: {path.name} has sha256 {digest}, expected {OPENCC_SHA256}; refusing to use it")
    return data


def dictionary_files(sdist: bytes) -> dict[str, str]:
    wanted = ["TSCharacters.txt", "HKVariants.txt", "TWVariants.txt", "CJK_Compatibility_Ideographs.txt"]
    files: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(sdist), mode="r:gz") as archive:
        for name in wanted:
            member = archive.extractfile(DICTIONARY + name)
            if member is None:
                sys.exit(f"error: {SDIST_NAME} has no {DICTIONARY}{name}")
            files[name] = member.read().decode("utf-8")
    return files


# ---------------------------------------------------------------------------------------------- parsing

def parse(text: str) -> tuple[list[tuple[str, list[str]]], dict[str, str]]:
    """OpenCC's text dictionary format: `key<TAB>value value…`, `#` comments, blank lines.

    Returns the entries in file order and the `# @reverse-prefer:` annotations (reversed key → value).
    """
    entries: list[tuple[str, list[str]]] = []
    preferences: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(REVERSE_PREFER):
            fields = line[len(REVERSE_PREFER):].split()
            if len(fields) not in (1, 2):
                sys.exit(f"error: bad reverse preference on line {number}: {line}")
            preferences[fields[0]] = fields[-1]
            continue
        if line.startswith("#") or not line.strip():
            continue
        key, _, values = line.partition("\t")
        if not values:
            sys.exit(f"error: line {number} has no tab: {line!r}")
        entries.append((key, values.split(" ")))
    return entries, preferences


def first_candidates(entries: list[tuple[str, list[str]]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, values in entries:
        table.setdefault(key, values[0])
    return table


def reversed_first(entries: list[tuple[str, list[str]]], preferences: dict[str, str]) -> dict[str, str]:
    """OpenCC's `Dict.swap` (data/scripts/common.py): every value maps back to its keys, file order,
    with `@reverse-prefer` moving the preferred key first. Returns the first candidate of each."""
    reverse: dict[str, list[str]] = {}
    for key, values in entries:
        for value in values:
            reverse.setdefault(value, []).append(key)
    for key, preferred in preferences.items():
        if key not in reverse or preferred not in reverse[key]:
            sys.exit(f"error: reverse preference {key} -> {preferred} has no matching mapping")
        reverse[key].remove(preferred)
        reverse[key].insert(0, preferred)
    return {key: values[0] for key, values in reverse.items()}


def single(text: str) -> bool:
    return len(text) == 1


# ---------------------------------------------------------------------------------------------- building

def build(files: dict[str, str]) -> tuple[dict[int, int], list[str]]:
    ts_entries, _ = parse(files["TSCharacters.txt"])
    hk_entries, hk_prefer = parse(files["HKVariants.txt"])
    tw_entries, tw_prefer = parse(files["TWVariants.txt"])
    compat_entries, _ = parse(files["CJK_Compatibility_Ideographs.txt"])

    ts = first_candidates(ts_entries)
    compat = first_candidates(compat_entries)
    routes = [("hk", reversed_first(hk_entries, hk_prefer)), ("tw", reversed_first(tw_entries, tw_prefer))]
    simplified_forms = {value for key, value in ts.items() if value != key}

    def t2s(char: str) -> str:
        return ts.get(char, char)

    def convert(char: str) -> tuple[str, str]:
        source = compat.get(char, char)
        direct = t2s(source)
        if direct != source or source in simplified_forms:
            return direct, "ts"
        for name, reverse in routes:
            if source in reverse:
                via = t2s(reverse[source])
                if via != source:
                    return via, name
        return source, "compat" if source != char else "none"

    sources = set(ts) | set(compat)
    for _, reverse in routes:
        sources |= set(reverse)

    table: dict[int, int] = {}
    counts = {"ts": 0, "hk": 0, "tw": 0, "compat": 0}
    multi = sum(1 for _, values in ts_entries if len(values) > 1)
    skipped_multi_scalar = 0
    identity = 0
    for char in sorted(sources):
        target, route = convert(char)
        if not single(char) or not single(target):
            skipped_multi_scalar += 1
            continue
        if target == char:
            identity += 1
            continue
        table[ord(char)] = ord(target)
        counts[route] += 1

    report = [
        f"OpenCC {OPENCC_VERSION}: TSCharacters {len(ts_entries)} entries ({multi} with several candidates:"
        " first taken), HKVariants {0}, TWVariants {1}, compatibility ideographs {2}".format(
            len(hk_entries), len(tw_entries), len(compat_entries)),
        f"pairs: {len(table)} (t2s {counts['ts']}, Hong Kong variants {counts['hk']}, Taiwan variants"
        f" {counts['tw']}, compatibility ideographs {counts['compat']}); {identity} characters map to"
        f" themselves, {skipped_multi_scalar} are not single scalars",
    ]
    return table, report


# ---------------------------------------------------------------------------------------------- output

def swift_source(table: dict[int, int]) -> str:
    keys = sorted(table)
    lines = []
    for start in range(0, len(keys), PAIRS_PER_LINE):
        chunk = keys[start:start + PAIRS_PER_LINE]
        lines.append("        " + "".join(chr(key) + chr(table[key]) for key in chunk))
    pairs = "\n".join(lines)
    return f'''// GENERATED by scripts/generate-traditional-table.py from OpenCC {OPENCC_VERSION} — do not edit by hand.
// OpenCC is Apache-2.0 licensed; see third_party/OpenCC-NOTICE.md.

/// Traditional → simplified Chinese characters, used to normalise text before matching rules.
///
/// The complete one-to-one character table of OpenCC {OPENCC_VERSION} ({len(table)} pairs): `TSCharacters.txt`,
/// reached directly or through OpenCC's reversed Hong Kong and Taiwan variant tables (著 → 着, 啟 → 启),
/// plus compatibility ideographs. Where OpenCC lists several candidates the first, its default, is used
/// (乾 → 干, 於 → 于): this map is for matching, where rules and messages go through the same mapping,
/// not for display. How every entry is chosen is documented in the generator.
///
/// Storage: one string of (traditional, simplified) pairs sorted by the traditional scalar, which compiles
/// in no time, parsed once into a dense table over the BMP ideograph blocks (one array read per character)
/// and a sorted array searched by bisection for the supplementary planes.
enum TraditionalChinese {{
    /// Simplified form of a traditional character, or nil if the character is not traditional-only.
    @inline(__always)
    static func simplified(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {{
        let value = scalar.value
        let mapped: UInt32
        if value >= denseBase && value < denseBase + UInt32(dense.count) {{
            mapped = dense[Int(value - denseBase)]
        }} else {{
            mapped = supplementary(value)
        }}
        return mapped == 0 ? nil : Unicode.Scalar(mapped)
    }}

    /// True for characters written only in traditional script (including common Cantonese-only
    /// characters, which Hong Kong residents write alongside traditional script).
    static func isTraditionalOnly(_ scalar: Unicode.Scalar) -> Bool {{
        traditionalOnly.contains(scalar.value)
    }}

    /// True for characters written only in simplified script.
    static func isSimplifiedOnly(_ scalar: Unicode.Scalar) -> Bool {{
        simplifiedOnly.contains(scalar.value)
    }}

    /// Every (traditional, simplified) pair in the order of the source string: ascending traditional scalar.
    static let entries: [(traditional: UInt32, simplified: UInt32)] = {{
        var entries: [(traditional: UInt32, simplified: UInt32)] = []
        var pending: UInt32?
        for scalar in pairs.unicodeScalars where !scalar.properties.isWhitespace {{
            if let traditional = pending {{
                entries.append((traditional, scalar.value))
                pending = nil
            }} else {{
                pending = scalar.value
            }}
        }}
        return entries
    }}()

    /// First scalar of the dense table: CJK Extension A. The table runs to the end of the compatibility
    /// ideographs (U+FAFF), which takes in the unified block in between.
    private static let denseBase: UInt32 = 0x3400
    private static let denseEnd: UInt32 = 0xFB00

    /// Indexed by `scalar - denseBase`: the simplified scalar, or 0 for none.
    private static let dense: [UInt32] = {{
        var table = [UInt32](repeating: 0, count: Int(denseEnd - denseBase))
        for entry in entries where entry.traditional >= denseBase && entry.traditional < denseEnd {{
            table[Int(entry.traditional - denseBase)] = entry.simplified
        }}
        return table
    }}()

    private static let supplementaryKeys: [UInt32] = entries.filter {{ $0.traditional >= denseEnd }}.map(\\.traditional)
    private static let supplementaryValues: [UInt32] = entries.filter {{ $0.traditional >= denseEnd }}.map(\\.simplified)

    private static func supplementary(_ value: UInt32) -> UInt32 {{
        var low = 0
        var high = supplementaryKeys.count
        while low < high {{
            let middle = (low + high) / 2
            if supplementaryKeys[middle] < value {{ low = middle + 1 }} else {{ high = middle }}
        }}
        return low < supplementaryKeys.count && supplementaryKeys[low] == value ? supplementaryValues[low] : 0
    }}

    /// The pairs that tell the scripts apart. Compatibility ideographs (U+F900…, U+2F800…) are legacy
    /// encodings of ordinary characters (U+F9BA is 了): they say nothing about traditional or simplified.
    private static let scriptPairs = entries.filter {{
        !(0xF900...0xFAFF).contains($0.traditional) && !(0x2F800...0x2FA1F).contains($0.traditional)
    }}

    private static let traditionalOnly: Set<UInt32> = {{
        let simplifiedForms = Set(scriptPairs.map(\\.simplified))
        var set = Set(scriptPairs.map(\\.traditional).filter {{ !simplifiedForms.contains($0) }})
        set.formUnion(cantonese.unicodeScalars.map(\\.value))
        return set
    }}()

    private static let simplifiedOnly: Set<UInt32> = {{
        let traditionalForms = Set(scriptPairs.map(\\.traditional))
        return Set(scriptPairs.map(\\.simplified).filter {{ !traditionalForms.contains($0) }})
    }}()

    /// Cantonese-only characters; they have no simplified form but mark a Hong Kong writer.
    private static let cantonese = "嘅咗喺唔冇嚟哋佢嗰啲咁㗎𨋢㩒嘢攞畀俾嚿"

    /// Pairs of (traditional, simplified) characters, concatenated, sorted by the traditional one; line
    /// breaks and indentation are ignored.
    private static let pairs = """
{pairs}
        """
}}
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, help=f"use this {SDIST_NAME} instead of downloading it")
    parser.add_argument("--output", type=Path, default=SWIFT_OUT, help="Swift file to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if the output file is not what would be written")
    parser.add_argument("--tsv", type=Path, help="also write the pairs as TSV (traditional<TAB>simplified)")
    args = parser.parse_args()

    if args.sdist:
        sdist = verified_bytes(args.sdist)
    else:
        with tempfile.TemporaryDirectory() as directory:
            sdist = verified_bytes(download(Path(directory)))
    table, report = build(dictionary_files(sdist))
    for line in report:
        print(line, file=sys.stderr)

    source = swift_source(table)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != source:
            sys.exit(f"{args.output} is out of date; run {Path(__file__).name}")
        print(f"{args.output}: up to date", file=sys.stderr)
        return
    args.output.write_text(source, encoding="utf-8")
    print(f"wrote {os.path.relpath(args.output)}", file=sys.stderr)
    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8") as handle:
            for key in sorted(table):
                handle.write(f"{chr(key)}\t{chr(table[key])}\n")
        print(f"wrote {os.path.relpath(args.tsv)}", file=sys.stderr)


if __name__ == "__main__":
    main()
