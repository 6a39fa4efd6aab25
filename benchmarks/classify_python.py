#!/usr/bin/env python3
"""The firstask classifier re-implemented in Python, as a throughput baseline for `firstask bench classify`.

It reads the same `prompts/rules.yaml` and follows the same semantics as FirstaskClassifier
(Sources/FirstaskClassifier: TextNormalizer, KeywordMatcher, RuleSet+Evaluation, Classifier):

- normalisation: full-width → half-width, case fold, traditional → simplified with the table generated
  from OpenCC (read from TraditionalChinese.swift, so both use the same pairs), emoji and zero-width
  characters dropped; one `str.translate` call
- keywords: one pyahocorasick automaton; ASCII keywords need word boundaries, `leak*` is a prefix
  covering its whole word, `{n}` keywords are compiled to `re` patterns (a run of numerals other than a
  bare 1/一); only maximal hits are kept (same-span hits all kept)
- negation: a negation word within `settings.negation.window` tokens before a hit, in the same clause
- rules: conditions dispatched per key (CONDITIONS below: any, all, none, near, regex), weights summed per
  target, the same category ranking, intent choice, exclusions, physical repair rule, severity threshold
  and cap, confidence
- location: regular expressions for the address styles of docs/LABELS.md (an approximation of the
  hand-written LocationScanner; `--eval` prints how close it gets)

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r benchmarks/requirements.txt
    /tmp/venv/bin/python benchmarks/classify_python.py --corpus Tests/FirstaskTests/Fixtures/dev.jsonl --repeat 20
    /tmp/venv/bin/python benchmarks/classify_python.py --corpus Tests/FirstaskTests/Fixtures/dev.jsonl --eval
    /tmp/venv/bin/python benchmarks/classify_python.py --classify < messages.jsonl   # like `firstask classify`

The benchmark output has the same three lines as `firstask bench classify`.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import ahocorasick
import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RULES = REPO / "prompts/rules.yaml"
TABLE_SOURCE = REPO / "Sources/FirstaskClassifier/Matching/TraditionalChinese.swift"

CATEGORIES = ["plumbing", "electrical", "elevator", "facility", "fire_safety", "security", "parking", "noise",
              "sanitation", "greenery", "fees", "renovation", "staff_conduct", "general"]
INTENTS = ["repair", "complaint", "inquiry", "suggestion", "praise"]
SEVERITIES = ["general", "major", "emergency"]  # ascending
DEPARTMENTS = ["engineering", "fire_control", "security", "environment", "service", "management"]


class RulesError(Exception):
    pass


# ================================================================================================ normalise

def load_traditional_table(path: Path = TABLE_SOURCE) -> dict[int, int]:
    """The (traditional, simplified) pairs of TraditionalChinese.swift's `pairs` string."""
    source = path.read_text(encoding="utf-8")
    try:
        blob = source.split('private static let pairs = """', 1)[1].split('"""', 1)[0]
    except IndexError:
        raise SystemExit(f"error: {path} has no `pairs` string; regenerate it with scripts/generate-traditional-table.py")
    scalars = [c for c in blob if not c.isspace()]
    return {ord(t): ord(s) for t, s in zip(scalars[0::2], scalars[1::2])}


def is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F)


# Characters outside the dropped blocks that Unicode presents as emoji by default (Swift checks
# `isEmojiPresentation`; Python has no such property).
EMOJI_PRESENTATION = [0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE]


def build_translation(table: dict[int, int]) -> dict[int, Optional[int]]:
    """TextNormalizer.map as a `str.translate` table: only the code points that change."""
    mapping: dict[int, Optional[int]] = {}
    for code in range(0x41, 0x5B):
        mapping[code] = code + 0x20
    for code in range(0xFF01, 0xFF5F):
        half = code - 0xFEE0
        mapping[code] = half + 0x20 if 0x41 <= half <= 0x5A else half
    mapping[0x3000] = 0x20
    for code in (0x3002, 0xFF61):
        mapping[code] = ord(".")
    for code in (0x3001, 0xFF64):
        mapping[code] = ord(",")
    for code in (0x2018, 0x2019):
        mapping[code] = ord("'")
    for code in (0x201C, 0x201D):
        mapping[code] = ord('"')
    dropped = [range(0x200B, 0x2010), [0x2060, 0xFEFF, 0x20E3], range(0xFE00, 0xFE10), range(0xE0020, 0xE0080),
               range(0x1F000, 0x1FB00), range(0x2600, 0x27C0), range(0x2B00, 0x2C00), EMOJI_PRESENTATION]
    for block in dropped:
        for code in block:
            mapping[code] = None
    for code, simplified in table.items():
        mapping.setdefault(code, simplified)
    # Other upper-case letters with a one-character lower case (Ä → ä, Σ → σ).
    for code in range(0x80, 0x10000):
        if code in mapping or is_cjk(code):
            continue
        char = chr(code)
        if char.isupper():
            lower = char.lower()
            if len(lower) == 1 and lower != char:
                mapping[code] = ord(lower)
    return mapping


class Normalizer:
    def __init__(self, table: dict[int, int]):
        self.translation = build_translation(table)

    def __call__(self, text: str) -> str:
        return text.translate(self.translation)


def is_word(char: str) -> bool:
    """ASCII letters and digits: what English word boundaries are made of."""
    return ("a" <= char <= "z") or ("0" <= char <= "9") or ("A" <= char <= "Z")


# ================================================================================================ keywords

NUMBER = "{n}"
NUMERALS = "0123456789〇零一二两三四五六七八九十百千几多好"
# A `{n}`: two or more numerals, or one numeral other than 一/1 (KeywordMatcher's `justOne`).
NUMBER_PATTERN = "(?:[{all}]{{2,}}|[{single}])".format(
    all=re.escape(NUMERALS), single=re.escape(NUMERALS.replace("1", "").replace("一", "")))


@dataclass
class Keyword:
    spelling: str
    left_boundary: bool
    right_boundary: bool
    prefix: bool


class KeywordMatcher:
    """All maximal keyword hits in one pass: a pyahocorasick automaton, plus `re` for `{n}` keywords."""

    def __init__(self) -> None:
        self.keywords: list[Keyword] = []
        self.ids: dict[str, int] = {}
        self.automaton = ahocorasick.Automaton()
        self.bodies: dict[str, list[int]] = {}
        # `{n}` keywords: (literal part the text must contain, pattern, keyword id).
        self.patterns: list[tuple[str, re.Pattern, int]] = []

    def add(self, spelling: str) -> Optional[int]:
        if spelling in self.ids:
            return self.ids[spelling]
        body, prefix = (spelling[:-1], True) if spelling.endswith("*") else (spelling, False)
        if not body:
            return None
        first_word = body.startswith(NUMBER) or is_word(body[0])
        last_word = body.endswith(NUMBER) or is_word(body[-1])
        keyword_id = len(self.keywords)
        self.keywords.append(Keyword(spelling, first_word, (not prefix) and last_word, prefix))
        self.ids[spelling] = keyword_id
        if NUMBER in body:
            pattern = NUMBER_PATTERN.join(re.escape(part) for part in body.split(NUMBER))
            if prefix:
                pattern += "[0-9a-z]*"
            # Lookahead so that matches starting inside another match are found too. The pattern only
            # runs on texts containing its longest literal part (a plain substring test).
            anchor = max(body.split(NUMBER), key=len)
            self.patterns.append((anchor, re.compile(f"(?=({pattern}))"), keyword_id))
        else:
            self.bodies.setdefault(body, []).append(keyword_id)
        return keyword_id

    def finish(self) -> None:
        for body, ids in self.bodies.items():
            self.automaton.add_word(body, (len(body), ids))
        if self.bodies:
            self.automaton.make_automaton()

    def hits(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, keyword id) of every maximal hit, sorted by start."""
        hits: list[tuple[int, int, int]] = []
        count = len(text)
        keywords = self.keywords
        if self.bodies:
            for last, (length, ids) in self.automaton.iter(text):
                start = last + 1 - length
                end = last + 1
                for keyword_id in ids:
                    self._report(keywords[keyword_id], keyword_id, start, end, text, count, hits)
        for anchor, pattern, keyword_id in self.patterns:
            if anchor not in text:
                continue
            for match in pattern.finditer(text):
                self._report(keywords[keyword_id], keyword_id, match.start(1), match.end(1), text, count, hits)
        return maximal(hits)

    @staticmethod
    def _report(keyword: Keyword, keyword_id: int, start: int, end: int, text: str, count: int, hits: list) -> None:
        if keyword.left_boundary and start > 0 and is_word(text[start - 1]):
            return
        if keyword.right_boundary and end < count and is_word(text[end]):
            return
        if keyword.prefix:
            while end < count and is_word(text[end]):
                end += 1
        hits.append((start, end, keyword_id))


def maximal(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Drops hits inside a longer hit; hits with the same span are all kept (KeywordMatcher.maximal)."""
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda hit: (hit[0], -hit[1]))
    result = []
    max_end = -1
    max_span = (-1, -1)
    for hit in hits:
        same_span = hit[0] == max_span[0] and hit[1] == max_span[1]
        if hit[1] <= max_end and not same_span:
            continue
        result.append(hit)
        if hit[1] > max_end:
            max_end = hit[1]
            max_span = (hit[0], hit[1])
    return result


# ================================================================================================ rules

@dataclass
class Condition:
    """One condition of a rule: `kind` is its key in the rules file, `check` is CONDITIONS[kind]."""
    kind: str
    value: object
    check: Callable = None

    def __post_init__(self) -> None:
        self.check = CONDITIONS[self.kind]


@dataclass
class Rule:
    id: str
    target: tuple[str, str]          # ("category" | "intent" | "severity", label)
    weight: float
    negatable: bool
    conditions: list[Condition]
    trigger: list[int]               # keyword ids that can make it fire; empty: every message


@dataclass
class Settings:
    negation_window: int = 4
    category_intent_weight: float = 1.0
    severity_threshold: float = 1.0
    intent_order: list[str] = field(default_factory=lambda: ["praise", "suggestion", "complaint", "inquiry", "repair"])


@dataclass
class Context:
    """What a condition sees: the normalised text, hits, and first offsets of present keywords."""
    text: str
    hits: list[tuple[int, int, int]]
    present: dict[int, int]          # keyword id → first offset (negated hits left out if the rule says so)


# ---- conditions: each returns None when it does not hold, else the offset of the earliest keyword that
# made it hold (the category tie-break), or NO_POSITION when it names no keyword.
NO_POSITION = sys.maxsize

def condition_any(value: frozenset[int], context: Context) -> Optional[int]:
    present = context.present
    found = present.keys() & value
    return min(present[k] for k in found) if found else None


def condition_all(value: list[frozenset[int]], context: Context) -> Optional[int]:
    present = context.present
    position = NO_POSITION
    for alternatives in value:
        found = present.keys() & alternatives
        if not found:
            return None
        position = min(position, min(present[k] for k in found))
    return position


def condition_none(value: frozenset[int], context: Context) -> Optional[int]:
    return None if context.present.keys() & value else NO_POSITION


def condition_near(value: tuple[list[int], list[int], int], context: Context) -> Optional[int]:
    """`near: {words: [A, B], within: N}`: A and B at most N characters apart, in either order."""
    left, right, within = value
    left_hits = [(s, e) for s, e, k in context.hits if k in left and k in context.present]
    right_hits = [(s, e) for s, e, k in context.hits if k in right and k in context.present]
    best = None
    for a_start, a_end in left_hits:
        for b_start, b_end in right_hits:
            gap = b_start - a_end if a_start <= b_start else a_start - b_end
            if max(gap, 0) <= within:
                position = min(a_start, b_start)
                best = position if best is None else min(best, position)
    return best


def condition_regex(value: re.Pattern, context: Context) -> Optional[int]:
    match = value.search(context.text)
    return match.start() if match else None


CONDITIONS: dict[str, Callable[[object, Context], Optional[int]]] = {
    "any": condition_any,
    "all": condition_all,
    "none": condition_none,
    "near": condition_near,
    "regex": condition_regex,
}
RULE_KEYS = {"id", "category", "intent", "severity", "weight", "negation", "note"} | set(CONDITIONS)


class RuleSet:
    """prompts/rules.yaml, parsed like RuleSetParser (every scalar read as a string, as Yams gives it)."""

    def __init__(self, text: str, normalize: Normalizer):
        self.normalize = normalize
        self.matcher = KeywordMatcher()
        self.negators: set[int] = set()
        self.groups: dict[str, list[int]] = {}
        root = yaml.load(text, Loader=yaml.BaseLoader) or {}
        self.settings = self._settings(root.get("settings") or {})
        self.categories = self._categories(root.get("categories") or {})
        self.max_severity = {intent: fields["max_severity"] for intent, fields in (root.get("intents") or {}).items()
                             if "max_severity" in fields}
        for name, entries in (root.get("groups") or {}).items():
            self.groups[name] = [k for entry in entries for k in self._term(entry, f"groups.{name}")]
        for word in root.get("ignore") or []:
            self._keyword(word, "ignore")
        self.rules = [self._rule(node, index) for index, node in enumerate(root.get("rules") or [])]
        self.matcher.finish()
        self.triggers: dict[int, list[int]] = {}
        self.always: list[int] = []
        for index, rule in enumerate(self.rules):
            if not rule.trigger:
                self.always.append(index)
            for keyword_id in set(rule.trigger):
                self.triggers.setdefault(keyword_id, []).append(index)

    def _settings(self, node: dict) -> Settings:
        settings = Settings()
        negation = node.get("negation") or {}
        for word in negation.get("words") or []:
            self.negators.add(self._keyword(word, "settings.negation.words"))
        if "window" in negation:
            settings.negation_window = int(negation["window"])
        if "category_intent_weight" in node:
            settings.category_intent_weight = float(node["category_intent_weight"])
        if "severity_threshold" in node:
            settings.severity_threshold = float(node["severity_threshold"])
        if "intent_order" in node:
            settings.intent_order = list(node["intent_order"])
        return settings

    @staticmethod
    def _categories(node: dict) -> dict[str, dict]:
        categories = {}
        for name, fields in node.items():
            if name not in CATEGORIES:
                raise RulesError(f"categories: unknown category '{name}'")
            categories[name] = {
                "department": fields["department"],
                "intent": fields.get("intent"),
                "physical": parse_bool(fields.get("physical", "false")),
                "not_with": set(fields.get("not_with") or []),
            }
        return categories

    def _keyword(self, word: str, context: str) -> int:
        keyword_id = self.matcher.add(self.normalize(word.strip()))
        if keyword_id is None:
            raise RulesError(f"{context}: empty keyword")
        return keyword_id

    def _term(self, entry: str, context: str) -> list[int]:
        if entry.startswith("@"):
            if entry[1:] not in self.groups:
                raise RulesError(f"{context}: unknown group '{entry}'")
            return self.groups[entry[1:]]
        return [self._keyword(entry, context)]

    def _flat(self, entries: list, context: str) -> list[int]:
        return [k for entry in entries for k in self._term(entry, context)]

    def _alternatives(self, entry, context: str) -> list[int]:
        return self._flat(entry, context) if isinstance(entry, list) else self._term(entry, context)

    def _rule(self, node: dict, index: int) -> Rule:
        rule_id = node.get("id") or f"rules[{index}]"
        unknown = set(node) - RULE_KEYS
        if unknown:
            raise RulesError(f"rule '{rule_id}': unknown key '{sorted(unknown)[0]}' (add a condition to CONDITIONS)")
        targets = [(key, node[key]) for key in ("category", "intent", "severity") if key in node]
        if len(targets) != 1:
            raise RulesError(f"rule '{rule_id}' must set exactly one of category, intent, severity")
        negatable = targets[0][0] != "category"
        if "negation" in node:
            negatable = parse_bool(node["negation"])
        conditions: list[Condition] = []
        trigger: list[int] = []
        context = f"rule '{rule_id}'"
        # Conditions in a fixed order (cheap keyword checks before regular expressions).
        if "any" in node:
            ids = self._flat(node["any"], f"{context} any")
            conditions.append(Condition("any", frozenset(ids)))
            trigger = ids
        if "all" in node:
            groups = [self._alternatives(entry, f"{context} all") for entry in node["all"]]
            conditions.append(Condition("all", [frozenset(group) for group in groups]))
            trigger = trigger or (groups[0] if groups else [])
        if "near" in node:
            near = node["near"]
            words = near["words"]
            if len(words) != 2:
                raise RulesError(f"{context}: near.words must list two entries")
            left = self._alternatives(words[0], f"{context} near")
            right = self._alternatives(words[1], f"{context} near")
            conditions.append(Condition("near", (set(left), set(right), int(near["within"]))))
            trigger = trigger or left
        if "none" in node:
            conditions.append(Condition("none", frozenset(self._flat(node["none"], f"{context} none"))))
        if "regex" in node:
            conditions.append(Condition("regex", re.compile(node["regex"], re.IGNORECASE)))
        if not any(c.kind in ("any", "all", "near", "regex") for c in conditions):
            raise RulesError(f"{context} needs 'any', 'all', 'near' or 'regex'")
        return Rule(rule_id, targets[0], float(node.get("weight", "1")), negatable, conditions, trigger)

    def department(self, category: str) -> str:
        return self.categories.get(category, {}).get("department", "service")


def parse_bool(value: str) -> bool:
    lowered = str(value).lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    raise RulesError(f"'{value}' is not true or false")


# ================================================================================================ evaluate

CLAUSE_ENDS = set(",.!?;:\n~")


def is_negated(hit: tuple[int, int, int], text: str, negations: list[tuple[int, int, int]], window: int) -> bool:
    cursor = hit[0]
    tokens = 0
    while cursor > 0 and tokens < window:
        char = text[cursor - 1]
        if char in CLAUSE_ENDS:
            break
        if char == " ":
            cursor -= 1
            continue
        if is_word(char) or char == "'":
            while cursor > 0 and (is_word(text[cursor - 1]) or text[cursor - 1] == "'"):
                cursor -= 1
        else:
            cursor -= 1
        tokens += 1
    return any(n[0] >= cursor and n[1] <= hit[0] for n in negations)


@dataclass
class Evaluation:
    category_scores: dict[str, float] = field(default_factory=dict)
    category_first: dict[str, int] = field(default_factory=dict)
    intent_scores: dict[str, float] = field(default_factory=dict)
    severity_scores: dict[str, float] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)


def evaluate(rules: RuleSet, text: str) -> Evaluation:
    hits = rules.matcher.hits(text)
    negators = rules.negators
    negations = [hit for hit in hits if hit[2] in negators]
    plain: dict[int, int] = {}
    anywhere: dict[int, int] = {}
    for hit in hits:
        keyword_id = hit[2]
        if keyword_id in negators:
            continue
        if keyword_id not in anywhere:
            anywhere[keyword_id] = hit[0]
        if keyword_id not in plain and not (negations and is_negated(hit, text, negations, rules.settings.negation_window)):
            plain[keyword_id] = hit[0]

    candidates = set(rules.always)
    for hit in hits:
        candidates.update(rules.triggers.get(hit[2], ()))
    evaluation = Evaluation()
    plain_context = Context(text, hits, plain)
    any_context = Context(text, hits, anywhere)
    for index in sorted(candidates):
        rule = rules.rules[index]
        context = plain_context if rule.negatable else any_context
        position: Optional[int] = NO_POSITION
        for condition in rule.conditions:
            offset = condition.check(condition.value, context)
            if offset is None:
                position = None
                break
            position = min(position, offset)
        if position is None:
            continue
        evaluation.fired.append(rule.id)
        kind, label = rule.target
        if kind == "category":
            evaluation.category_scores[label] = evaluation.category_scores.get(label, 0) + rule.weight
            evaluation.category_first[label] = min(evaluation.category_first.get(label, NO_POSITION), position)
        elif kind == "intent":
            evaluation.intent_scores[label] = evaluation.intent_scores.get(label, 0) + rule.weight
        else:
            evaluation.severity_scores[label] = evaluation.severity_scores.get(label, 0) + rule.weight
    return evaluation


# ================================================================================================ classify

class Classifier:
    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.normalize = rules.normalize

    def classify(self, text: str) -> dict:
        rules = self.rules
        normalized = self.normalize(text)
        evaluation = evaluate(rules, normalized)
        scores = evaluation.category_scores
        ranked = sorted((c for c in scores if scores[c] > 0),
                        key=lambda c: (-scores[c], evaluation.category_first.get(c, sys.maxsize)))
        category = ranked[0] if ranked else "general"
        intent = self._intent(evaluation, category)
        config = rules.categories.get(category)
        if config and intent in config["not_with"]:
            category = next((c for c in ranked if intent not in rules.categories.get(c, {}).get("not_with", {intent})),
                            "general")
        physical = rules.categories.get(category, {}).get("physical", False)
        if intent == "repair" and not physical:
            intent = "complaint"

        severity = "general"
        for level in ("emergency", "major"):
            if evaluation.severity_scores.get(level, 0) >= rules.settings.severity_threshold:
                severity = level
                break
        cap = rules.max_severity.get(intent)
        if cap and SEVERITIES.index(severity) > SEVERITIES.index(cap):
            severity = cap

        location = scan_location(normalized)
        missing = []
        if location is None and (intent == "repair" or (intent == "complaint" and physical)):
            missing.append("location")
        return {
            "intent": intent,
            "category": category,
            "department": rules.department(category),
            "severity": severity,
            "location": location,
            "confidence": self._confidence(evaluation, category, intent),
            "rules": evaluation.fired,
            "missing": missing,
        }

    def _intent_scores(self, evaluation: Evaluation, category: str) -> dict[str, float]:
        scores = dict(evaluation.intent_scores)
        prior = self.rules.categories.get(category, {}).get("intent")
        if prior:
            scores[prior] = scores.get(prior, 0) + self.rules.settings.category_intent_weight
        return scores

    def _intent(self, evaluation: Evaluation, category: str) -> str:
        scores = self._intent_scores(evaluation, category)
        best = "inquiry" if category == "general" else "complaint"
        best_score = 0.0
        for intent in self.rules.settings.intent_order:
            score = scores.get(intent, 0)
            if score > best_score:
                best, best_score = intent, score
        return best

    def _confidence(self, evaluation: Evaluation, category: str, intent: str) -> float:
        def clarity(scores: dict[str, float], winner: str) -> float:
            top = scores.get(winner, 0)
            if top <= 0:
                return 0.3
            runner_up = max((v for k, v in scores.items() if k != winner), default=0)
            return top / (top + runner_up) * min(1, top / 2)
        value = (clarity(evaluation.category_scores, category)
                 + clarity(self._intent_scores(evaluation, category), intent)) / 2
        return math.floor(value * 100 + 0.5) / 100   # Swift's rounded(): halves away from zero


# ================================================================================================ location

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN = "〇零一二三四五六七八九十廿"


def cn_number(text: str) -> Optional[str]:
    """Digits, or a Chinese numeral below 100 (三, 十二, 廿五) or spelt digit by digit (一二〇一)."""
    if text.isdigit():
        return text
    if "十" not in text and "廿" not in text:
        return "".join(str(CN_DIGITS[c]) for c in text) if all(c in CN_DIGITS for c in text) else None
    match = re.fullmatch(r"([一二三四五六七八九])?([十廿])([一二三四五六七八九])?", text)
    if not match or (match.group(2) == "廿" and match.group(1)):
        return None
    tens = 2 if match.group(2) == "廿" else (CN_DIGITS[match.group(1)] if match.group(1) else 1)
    return str(tens * 10 + (CN_DIGITS[match.group(3)] if match.group(3) else 0))


def pad(flat: str) -> str:
    return "0" + flat if len(flat) == 1 else flat


NB = r"(?<![0-9a-z])"          # not glued to a preceding letter or digit
NA = r"(?![0-9a-z])"           # not glued to a following letter or digit
# Digits must not continue a word; Chinese numerals may follow anything (LocationScanner does the same).
NUM = rf"((?<![0-9a-z])[0-9]+|[{CN}]+)"
SEP = r"[ #(:.]{0,3}"

# Each pattern yields parts: (kind, value) in the order they appear. Kinds: building, unit, floor, room, flat.
LOCATION_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], list[tuple[str, str]]]]] = [
    (re.compile(rf"{NB}([1-9][0-9]{{0,2}})-([0-9]{{1,2}})-([0-9]{{3,4}}){NA}"),
     lambda m: [("building", m[1]), ("unit", m[2]), ("room", m[3])]),
    (re.compile(rf"{NB}([1-9][0-9]?)-([0-9]{{1,2}})(?=[^\x00-\x7f点时号日月年天个次岁分元块万人户楼层])"),
     lambda m: [("building", m[1]), ("unit", m[2])]),
    (re.compile(rf"{NB}([0-9]{{1,3}})f-([0-9]{{1,2}}){NA}"), lambda m: [("room", m[1] + pad(m[2]))]),
    (re.compile(rf"{NB}([1-9][0-9]{{0,2}})([a-eg]){NA}"), lambda m: [("room", m[1] + m[2].upper())]),
    # 一栋楼, 整座楼 count buildings rather than name one (a Chinese numeral before 栋/座 and 楼).
    (re.compile(rf"(?:((?<![0-9a-z])[0-9]+|[{CN}]+(?![栋幢座]楼))|{NB}([a-z])) ?(号楼|栋|幢|座)"),
     lambda m: [("building_or_unit" if m[3] == "座" else "building", cn_number(m[1]) if m[1] else m[2].upper())]),
    (re.compile(rf"{NUM} ?单元"), lambda m: [("unit", cn_number(m[1]))]),
    (re.compile(rf"{NB}([0-9]{{1,2}}) ?[门梯翼]"), lambda m: [("unit", m[1])]),
    (re.compile(rf"{NUM} ?[楼层] *之([0-9]{{1,2}}){NA}"), lambda m: [("room", cn_number(m[1]) + pad(m[2]))]),
    (re.compile(rf"{NUM} ?[楼层] *([a-z])(?![0-9a-z])室?"), lambda m: [("room", cn_number(m[1]) + m[2].upper())]),
    (re.compile(rf"{NUM} ?[楼层] *([0-9]{{1,2}})室"), lambda m: [("room", cn_number(m[1]) + pad(m[2]))]),
    (re.compile(rf"{NUM} ?[楼层]"), lambda m: [("floor", cn_number(m[1]))]),
    (re.compile(rf"{NB}([0-9]+) ?/f{NA}"), lambda m: [("floor", m[1])]),
    (re.compile(rf"{NB}([1-9][0-9]*) ?(?:室|号房)"), lambda m: [("room", m[1])]),
    (re.compile(rf"{NB}(?:block|blk|tower|twr)(?![a-z]){SEP}([1-9][0-9]{{0,2}}|[a-z]){NA}"),
     lambda m: [("building", m[1].upper())]),
    (re.compile(rf"{NB}(?:bldg|building)(?![a-z]){SEP}([1-9][0-9]{{0,2}}){NA}"), lambda m: [("building", m[1])]),
    (re.compile(rf"{NB}unit(?![a-z]){SEP}([1-9][0-9]{{0,3}}[a-z]?){NA}"),
     lambda m: [("room" if sum(c.isdigit() for c in m[1]) >= 3 else "unit", m[1].upper())]),
    (re.compile(rf"{NB}(?:flat|room|rm|apt|apartment|suite)(?![a-z]){SEP}([1-9][0-9]{{0,3}}[a-z]?|[a-z]){NA}"),
     lambda m: [("room" if (sum(c.isdigit() for c in m[1]) >= 3 or (m[1][-1].isalpha() and m[1][0].isdigit()))
                 else "flat", m[1].upper())]),
    (re.compile(rf"{NB}([1-9][0-9]{{2,3}}){NA}"), lambda m: [("bare", m[1])]),
]
# One search for all patterns; each alternative is wrapped in a named group so `lastgroup` says which matched.
# The leading lookahead lets the engine skip most positions with one character-class test.
LOCATION_SCAN = re.compile(f"(?=[0-9a-z{CN}])(?:" + "|".join(
    f"(?P<p{index}>{pattern.pattern})" for index, (pattern, _) in enumerate(LOCATION_PATTERNS)) + ")")


def location_parts(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, value, start, end) of address-like tokens, left to right, without overlaps."""
    parts = []
    position = 0
    while True:
        match = LOCATION_SCAN.search(text, position)
        if not match:
            break
        pattern, make = LOCATION_PATTERNS[int(match.lastgroup[1:])]
        sub = pattern.match(text, match.start())
        for kind, value in make(sub):
            if value is not None:
                parts.append((kind, value, sub.start(), sub.end()))
        position = max(match.end(), match.start() + 1)
    return parts


def scan_location(text: str) -> Optional[dict]:
    """Groups nearby parts and returns the most complete group (LocationScanner's conventions)."""
    parts = location_parts(text)
    if not parts:
        return None
    resolved = []
    for index, (kind, value, start, end) in enumerate(parts):
        if kind == "building_or_unit":
            previous = resolved[-1] if resolved else None
            kind = "unit" if previous and previous[0] == "building" and start - previous[3] <= 4 else "building"
        if kind == "bare":
            before = resolved[-1] if resolved else None
            after = parts[index + 1] if index + 1 < len(parts) else None
            touches = (before and before[0] in ("building", "unit") and start - before[3] <= 2) or \
                      (after and after[0] in ("building", "building_or_unit") and after[2] - end <= 2)
            if not touches:
                continue
            kind = "room"
        resolved.append((kind, value, start, end))

    groups: list[dict] = []
    current: Optional[dict] = None
    last_end = -100
    for kind, value, start, end in resolved:
        gap = text[last_end:start] if last_end >= 0 else ""
        fits = current is not None and start - last_end <= 16 and not any(c in ".!?;\n" for c in gap) and (
            (kind in ("building", "unit") and kind not in current) or
            (kind == "floor" and "floor" not in current and "room" not in current) or
            (kind == "room" and "room" not in current) or
            (kind == "flat" and "flat" not in current and "room" not in current))
        if not fits:
            current = {}
            groups.append(current)
        current[kind] = value
        last_end = end

    locations = []
    for group in groups:
        room = group.get("room")
        if room is None and "flat" in group:
            flat = group["flat"]
            room = group["floor"] + (pad(flat) if flat.isdigit() else flat) if "floor" in group else flat
        location = {key: group.get(key) for key in ("building", "unit")}
        location["room"] = room
        if any(location.values()):
            locations.append(location)
    if not locations:
        return None

    def count(location: dict) -> int:
        return sum(v is not None for v in location.values())

    best = locations[0]
    for location in locations[1:]:
        if count(location) > count(best):
            best = location
    if count(best) == 1 and best["building"] and any(
            count(l) == 1 and l["building"] and l["building"] != best["building"] for l in locations):
        return None
    best = dict(best)
    for other in locations:
        if other == best or any(other[k] and best[k] and other[k] != best[k] for k in best):
            continue
        for key in best:
            best[key] = best[key] or other[key]
    return {key: value for key, value in best.items() if value is not None}


# ================================================================================================ commands

def read_corpus(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row.get("text"), str):
                    raise SystemExit(f"error: {path}:{number}: no \"text\" string")
                rows.append(row)
    return rows


def bench(classifier: Classifier, texts: list[str], repeat: int) -> str:
    """The same measurement and output as `firstask bench classify` (ClassifyBench.measure)."""
    size = sum(len(text.encode("utf-8")) for text in texts)
    checksum = 0
    classify = classifier.classify
    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            checksum += len(classify(text)["rules"])
    seconds = time.perf_counter() - started
    messages = len(texts) * repeat
    megabytes = size * repeat / 1_000_000
    return (f"classify: {len(texts)} texts × {repeat} = {messages} messages, {size} bytes of text each round\n"
            f"throughput: {messages / seconds:.0f} messages/s, {megabytes / seconds:.2f} MB/s (1 thread)\n"
            f"total: {seconds:.3f} s ({checksum} rule hits)")


def evaluate_corpus(classifier: Classifier, rows: list[dict]) -> str:
    correct = {"category": 0, "intent": 0, "severity": 0, "location": 0}
    for row in rows:
        result = classifier.classify(row["text"])
        for key in ("category", "intent", "severity"):
            correct[key] += result[key] == row.get(key)
        correct["location"] += result["location"] == (row.get("location") or None)
    total = len(rows)
    lines = [f"messages: {total}", "", "accuracy"]
    for key in ("intent", "category", "severity", "location"):
        lines.append(f"  {key:<11} {100 * correct[key] / total:.1f}% ({correct[key]}/{total})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="JSON lines with a \"text\" string (labels too, for --eval)")
    parser.add_argument("--repeat", type=int, default=10, help="how many times to classify every text")
    parser.add_argument("--rules", default=str(DEFAULT_RULES), help="rules file (default: prompts/rules.yaml)")
    parser.add_argument("--eval", action="store_true", help="print accuracy against the corpus labels instead")
    parser.add_argument("--classify", action="store_true",
                        help="read {\"id\", \"text\"} lines on stdin, write one JSON line each (like `firstask classify`)")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 1_000_000:
        parser.error("--repeat must be 1…1000000")

    normalize = Normalizer(load_traditional_table())
    try:
        rules = RuleSet(Path(args.rules).read_text(encoding="utf-8"), normalize)
    except (RulesError, KeyError, yaml.YAMLError, re.error) as error:
        raise SystemExit(f"error: {args.rules}: {error}")
    classifier = Classifier(rules)

    if args.classify:
        for line in sys.stdin:
            if line.strip():
                row = json.loads(line)
                result = classifier.classify(row["text"])
                del result["missing"]
                print(json.dumps({"id": row.get("id"), **result}, ensure_ascii=False))
        return
    if not args.corpus:
        parser.error("--corpus is required (unless --classify)")
    rows = read_corpus(args.corpus)
    if not rows:
        raise SystemExit(f"error: {args.corpus}: no messages")
    if args.eval:
        print(evaluate_corpus(classifier, rows))
    else:
        print(bench(classifier, [row["text"] for row in rows], args.repeat))


if __name__ == "__main__":
    main()
