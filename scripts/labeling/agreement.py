#!/usr/bin/env python3
"""Agreement between first-pass annotators on the questions two of them
labeled independently: Cohen's kappa, the confusion between them, and
macro-F1 of one against the other. Lists the disagreements (ids) for
adjudication.

usage: agreement.py LABELS_DIR [--disagreements OUT.tsv]
"""
import collections
import glob
import json
import os
import sys

LABELS = ["profitability", "investment", "other"]
FIRST_PASS = ("ann-",)
# Sampling round of each first-pass annotator (scripts/labeling/sample.py);
# a pair counts in the round of its later annotator.
ROUND = {**{f"ann-{i}": 1 for i in range(1, 5)}, "ann-5": 2, "ann-6": 2, "ann-7": 3, "ann-8": 3,
         **{f"ann-{i}": 4 for i in range(9, 14)}, **{f"ann-{i}": 5 for i in range(14, 17)},
         **{f"ann-{i}": 6 for i in range(17, 23)}, **{f"ann-{i}": 7 for i in range(23, 27)},
         **{f"ann-{i}": 8 for i in range(27, 33)}}


def latest(labels_dir):
    """annotator -> id -> label (latest decision wins)."""
    cur = collections.defaultdict(dict)
    for path in sorted(glob.glob(os.path.join(labels_dir, "*.jsonl"))):
        for line in open(path):
            if line.strip():
                d = json.loads(line)
                prev = cur[d["annotator"]].get(d["id"])
                if prev is None or prev["at"] <= d["at"]:
                    cur[d["annotator"]][d["id"]] = d
    return cur


def kappa_of(pairs):
    n = len(pairs)
    po = sum(x == y for x, y, *_ in pairs) / n
    pe = sum(sum(p[0] == l for p in pairs) * sum(p[1] == l for p in pairs) for l in LABELS) / n / n
    return po, (po - pe) / (1 - pe)


def main():
    labels_dir = sys.argv[1]
    out = sys.argv[sys.argv.index("--disagreements") + 1] if "--disagreements" in sys.argv else None
    cur = latest(labels_dir)
    firsts = sorted(a for a in cur if a.startswith(FIRST_PASS))
    pairs = []  # (label of annotator with smaller name, label of the other, id)
    for i, a in enumerate(firsts):
        for b in firsts[i + 1:]:
            for qid in cur[a].keys() & cur[b].keys():
                pairs.append((cur[a][qid]["label"], cur[b][qid]["label"], qid, a, b))
    n = len(pairs)
    if not n:
        sys.exit("no doubly labeled questions")
    conf = {x: {y: 0 for y in LABELS} for x in LABELS}
    for x, y, *_ in pairs:
        conf[x][y] += 1
    po, kappa = kappa_of(pairs)
    f1s = []
    for l in LABELS:
        tp = conf[l][l]
        fp = sum(conf[r][l] for r in LABELS) - tp
        fn = sum(conf[l].values()) - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    print(f"doubly labeled questions: {n}")
    print(f"observed agreement: {po:.3f}   Cohen's kappa: {kappa:.3f}   macro-F1 (one vs other): {sum(f1s) / 3:.3f}")
    print("per-class F1: " + ", ".join(f"{l} {f:.3f}" for l, f in zip(LABELS, f1s)))
    print("confusion (rows: first annotator of the pair, columns: second):")
    print(f"{'':>15}" + "".join(f"{l:>15}" for l in LABELS))
    for l in LABELS:
        print(f"{l:>15}" + "".join(f"{conf[l][r]:>15}" for r in LABELS))
    rounds = sorted({max(ROUND.get(a, 0), ROUND.get(b, 0)) for *_, a, b in pairs})
    for r in rounds:
        sub = [p for p in pairs if max(ROUND.get(p[3], 0), ROUND.get(p[4], 0)) == r]
        po_r, k_r = kappa_of(sub)
        print(f"round {r}: {len(sub)} pairs, observed agreement {po_r:.3f}, kappa {k_r:.3f}")
    if out:
        with open(out, "w") as f:
            for x, y, qid, a, b in sorted(pairs, key=lambda p: p[2]):
                if x != y:
                    f.write(f"{qid}\t{a}={x}\t{b}={y}\n")
        print(f"disagreements: {sum(1 for p in pairs if p[0] != p[1])} -> {out}")


if __name__ == "__main__":
    main()
