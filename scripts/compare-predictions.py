#!/usr/bin/env python3
"""Compare `earnings-qa eval --holdout-companies ... --predictions FILE` runs
on the questions they share: macro-F1, accuracy and confusion of each, a 95%
bootstrap over the questions (2,000 draws, seed 0), the paired bootstrap of
each run's macro-F1 minus the first's, errors by topic group
(docs/error-analysis-topics.csv), and the share of each label per calendar
quarter with at least 40 questions, counting the predicted labels.

usage: compare-predictions.py FIRST.jsonl [OTHER.jsonl ...]
"""
import csv
import json
import os
import random
import sys

LABELS = ["profitability", "investment", "other"]
TOPICS = os.path.join(os.path.dirname(__file__), "..", "docs", "error-analysis-topics.csv")


def macro_f1(rows):
    f1 = []
    for c in LABELS:
        tp = sum(r["label"] == c and r["predicted"] == c for r in rows)
        n = sum(r["predicted"] == c for r in rows) + sum(r["label"] == c for r in rows)
        f1.append(2 * tp / n if tp else 0.0)
    return sum(f1) / len(f1)


def shares(rows, key):
    return [100 * sum(r[key] == c for r in rows) / len(rows) for c in LABELS]


def main():
    files = sys.argv[1:]
    if not files:
        sys.exit(__doc__)
    runs = [{r["id"]: r for r in map(json.loads, open(f))} for f in files]
    ids = sorted(set.intersection(*map(set, runs)))
    topics = {r["id"]: r["topic"] for r in csv.DictReader(open(TOPICS))}
    rng = random.Random(0)
    draws = [[rng.choice(ids) for _ in ids] for _ in range(2000)]
    lo, hi = 50, 1949  # the 2.5th and 97.5th of 2,000 sorted draws
    print(f"{len(ids)} questions in every run")
    for f, run in zip(files, runs):
        rows = [run[i] for i in ids]
        acc = sum(r["label"] == r["predicted"] for r in rows) / len(rows)
        boot = sorted(macro_f1([run[i] for i in d]) for d in draws)
        diff = sorted(macro_f1([run[i] for i in d]) - macro_f1([runs[0][i] for i in d]) for d in draws)
        print(f"\n{f}: macro-F1 {macro_f1(rows):.3f}, accuracy {acc:.3f}, 95% bootstrap {boot[lo]:.3f}-{boot[hi]:.3f}; "
              f"minus the first: {diff[lo]:+.3f} to {diff[hi]:+.3f}, <= 0 in {sum(x <= 0 for x in diff) / 20:.0f}% of draws")
        for c in LABELS:
            print(f"  true {c}: predicted", [sum(r["label"] == c and r["predicted"] == p for r in rows) for p in LABELS])
        errors = {}
        for r in rows:
            t = topics.get(r["id"], "(no topic)")
            errors[t] = errors.get(t, 0) + (r["label"] != r["predicted"])
        print("  errors by topic:", ", ".join(f"{t} {n}" for t, n in sorted(errors.items())), f"(all {sum(errors.values())})")
        quarters = {}
        for r in rows:
            quarters.setdefault(r["calendar_quarter"], []).append(r)
        gaps = []
        for q in sorted(k for k in quarters if k):
            qs = quarters[q]
            if len(qs) < 40:
                continue
            labelled, counted = shares(qs, "label"), shares(qs, "predicted")
            gaps += [abs(a - b) for a, b in zip(labelled, counted)]
            print(f"  {q} ({len(qs)}): labelled", " / ".join(f"{x:.0f}" for x in labelled),
                  "counted", " / ".join(f"{x:.0f}" for x in counted))
        if gaps:
            print(f"  share error, counting: mean {sum(gaps) / len(gaps):.1f}, largest {max(gaps):.1f} points, "
                  f"{sum(g <= 5 for g in gaps)} of {len(gaps)} cells within 5")


if __name__ == "__main__":
    main()
