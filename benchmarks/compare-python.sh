#!/bin/sh
# Classifier throughput: the Swift classifier (`firstask bench classify`, release build) against the Python
# re-implementation (benchmarks/classify_python.py) on the same corpus and rules, one after the other.
# Builds nothing: build the release binary first (swift build -c release --product firstask) and install
# the Python requirements (pip install -r benchmarks/requirements.txt).
#
#   benchmarks/compare-python.sh [--corpus FILE] [--rules FILE] [--repeat N] [--python-repeat N]
#
# Environment: FIRSTASK (default .build/release/firstask), PYTHON (default python3).
# Both repeat counts only set how long each side runs; the figures are per second.
set -eu

cd "$(dirname "$0")/.."
corpus=Tests/FirstaskTests/Fixtures/dev.jsonl
rules=prompts/rules.yaml
repeat=200
python_repeat=10
while [ $# -gt 0 ]; do
    case "$1" in
        --corpus) corpus=$2; shift 2 ;;
        --rules) rules=$2; shift 2 ;;
        --repeat) repeat=$2; shift 2 ;;
        --python-repeat) python_repeat=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

firstask=${FIRSTASK:-.build/release/firstask}
python=${PYTHON:-python3}
if [ ! -x "$firstask" ]; then
    echo "error: $firstask not found; build it with: swift build -c release --product firstask" >&2
    exit 1
fi
if ! "$python" -c 'import ahocorasick, yaml' 2>/dev/null; then
    echo "error: $python lacks pyahocorasick or PyYAML; run: $python -m pip install -r benchmarks/requirements.txt" >&2
    exit 1
fi

echo "== Swift: $firstask bench classify --corpus $corpus --rules $rules --repeat $repeat"
swift_out=$("$firstask" bench classify --corpus "$corpus" --rules "$rules" --repeat "$repeat")
echo "$swift_out"
echo
echo "== Python: $python benchmarks/classify_python.py --corpus $corpus --rules $rules --repeat $python_repeat"
python_out=$("$python" benchmarks/classify_python.py --corpus "$corpus" --rules "$rules" --repeat "$python_repeat")
echo "$python_out"
echo

# "throughput: 123456 messages/s, 12.34 MB/s (1 thread)" → 123456
rate() { echo "$1" | sed -n 's/^throughput: \([0-9.]*\) messages\/s.*/\1/p'; }
swift_rate=$(rate "$swift_out")
python_rate=$(rate "$python_out")
awk -v s="$swift_rate" -v p="$python_rate" 'BEGIN {
    printf "Swift %.0f messages/s, Python %.0f messages/s: ratio Swift/Python %.2f (%s is %.1f× faster)\n",
        s, p, s / p, (s >= p ? "Swift" : "Python"), (s >= p ? s / p : p / s)
}'

# Same work on both sides: compare the full verdicts (labels, location, confidence, fired rules).
swift_json=$(mktemp) && python_json=$(mktemp)
trap 'rm -f "$swift_json" "$python_json"' EXIT
"$firstask" classify --rules "$rules" < "$corpus" > "$swift_json"
"$python" benchmarks/classify_python.py --rules "$rules" --classify < "$corpus" > "$python_json"
"$python" - "$swift_json" "$python_json" <<'PY'
import json, sys
swift, python = ([json.loads(line) for line in open(path, encoding="utf-8")] for path in sys.argv[1:3])
# Fields the Python side does not produce (such as matched spans) are not compared.
same = sum(all(s.get(key) == value for key, value in p.items()) for s, p in zip(swift, python))
print(f"agreement: {same}/{len(swift)} messages get the same verdict from both (labels, location, confidence, rules)")
PY
