#!/usr/bin/env python3
"""Move decisions whose question the segmenter no longer produces (or
whose text changed) out of labels/*.jsonl into labels/retired/, which no
command reads: the audit trail keeps them, training and reports do not
count them.

usage: retire.py QUESTIONS.jsonl LABELS_DIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from to_journal import text_hash  # noqa: E402


def main():
    questions_path, labels_dir = sys.argv[1:3]
    hashes = {}
    with open(questions_path) as f:
        for line in f:
            q = json.loads(line)
            hashes[q["id"]] = text_hash(q["text"])
    retired_dir = os.path.join(labels_dir, "retired")
    total = 0
    for name in sorted(os.listdir(labels_dir)):
        if not name.endswith(".jsonl"):
            continue
        path = os.path.join(labels_dir, name)
        keep, gone = [], []
        for line in open(path):
            if line.strip():
                d = json.loads(line)
                (keep if hashes.get(d["id"]) == d["text_hash"] else gone).append(line)
        if gone:
            os.makedirs(retired_dir, exist_ok=True)
            with open(os.path.join(retired_dir, name), "a") as f:
                f.writelines(gone)
            with open(path, "w") as f:
                f.writelines(keep)
            total += len(gone)
            print(f"{name}: {len(gone)} decisions retired", file=sys.stderr)
    print(f"{total} decisions retired", file=sys.stderr)


if __name__ == "__main__":
    main()
