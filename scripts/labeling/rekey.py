#!/usr/bin/env python3
"""Carry decisions over to their questions' new ids after a fix changes a
call's fiscal period (ids hash ticker + period + text, so the same question
of the same call gets a new id). A question is the same where the same file
gives it at the same turn and index with the same text. Rewrites only the
`id` of the decisions in labels/*.jsonl (and labels/retired/); every other
field, and every decision whose question kept its id, stays as it was.

usage: rekey.py OLD_QUESTIONS.jsonl NEW_QUESTIONS.jsonl LABELS_DIR
(`earnings-qa questions ../shared/corpus/sources` before and after the fix)
"""
import glob
import json
import os
import sys


def by_place(path):
    out = {}
    with open(path) as f:
        for line in f:
            q = json.loads(line)
            out[(q["source"], q["turn"], q["index"], q["text"])] = q["id"]
    return out


def main():
    old_path, new_path, labels_dir = sys.argv[1:4]
    old, new = by_place(old_path), by_place(new_path)
    new_ids = set(new.values())
    moved = {i: new[k] for k, i in old.items() if k in new and new[k] != i and i not in new_ids}
    changed = 0
    files = glob.glob(os.path.join(labels_dir, "*.jsonl")) + glob.glob(os.path.join(labels_dir, "retired", "*.jsonl"))
    for path in sorted(files):
        with open(path) as f:
            lines = f.read().splitlines(keepends=True)
        out = []
        for line in lines:
            d = json.loads(line) if line.strip() else None
            if d and d.get("id") in moved:
                line = line.replace(f'"{d["id"]}"', f'"{moved[d["id"]]}"', 1)
                changed += 1
            out.append(line)
        with open(path, "w") as f:
            f.writelines(out)
    print(f"{changed} decisions moved to their question's new id", file=sys.stderr)


if __name__ == "__main__":
    main()
