#!/usr/bin/env python3
"""Per-format coverage of `earnings-qa questions` on ../shared/corpus.

For each format in the corpus manifest: how many files yield at least one
analyst question, how many get a "skipped" diagnostic (and the reasons), and
how many get neither (must be zero). Usage:

    scripts/coverage.py [BINARY] [CORPUS]

BINARY defaults to $CARGO_TARGET_DIR/release/earnings-qa (or target/release),
CORPUS to ../shared/corpus. Prints a Markdown table.
"""
import collections, csv, json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(target, "release", "earnings-qa")
corpus = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", "shared", "corpus"))

run = subprocess.run([binary, "questions", os.path.join(corpus, "sources")], capture_output=True, text=True)
yielded = collections.Counter()
for line in run.stdout.splitlines():
    yielded[os.path.relpath(json.loads(line)["source"], corpus)] += 1
skipped = {}
for line in run.stderr.splitlines():
    m = re.match(r"earnings-qa: skipped (.*?): (.*)$", line)
    if m:
        skipped[os.path.relpath(m.group(1), corpus)] = m.group(2)

rows = collections.defaultdict(lambda: collections.Counter())
reasons = collections.defaultdict(collections.Counter)
silent = []
with open(os.path.join(corpus, "manifest.csv")) as f:
    for r in csv.DictReader(f):
        fmt, path = r["format"], r["path"]
        c = rows[fmt]
        c["files"] += 1
        if yielded[path]:
            c["yield"] += 1
            c["questions"] += yielded[path]
        elif path in skipped:
            c["skipped"] += 1
            reasons[fmt][re.sub(r"\(.*", "", skipped[path]).strip()] += 1
        else:
            silent.append(path)
            c["silent"] += 1

print("| format | files | with questions | % | skipped with diagnostic | silent | questions |")
print("|---|---|---|---|---|---|---|")
for fmt, c in sorted(rows.items()):
    print(f"| `{fmt}` | {c['files']} | {c['yield']} | {100 * c['yield'] / c['files']:.1f} | {c['skipped']} | {c['silent']} | {c['questions']} |")
print()
for fmt, rs in sorted(reasons.items()):
    print(f"`{fmt}` skips: " + "; ".join(f"{n} x {why}" for why, n in rs.most_common()))
if silent:
    print("\nsilent (no question, no diagnostic):", *silent[:20], sep="\n  ")
print("\nsummary:", run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "", f"exit {run.returncode}")
