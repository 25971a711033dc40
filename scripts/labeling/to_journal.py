#!/usr/bin/env python3
"""Turn an annotator's answer sheet (one `id<TAB>label[<TAB>note]` a line)
into decisions appended to labels/<annotator>.jsonl: id, hash of the text
the annotator saw, label, annotator, time, note. No transcript text.

usage: to_journal.py SAMPLE.jsonl SHEET.tsv ANNOTATOR LABELS_DIR
"""
import datetime
import hashlib
import json
import os
import sys

from sample import read_decisions

LABELS = {"profitability", "investment", "other"}


def normalize(text):
    """Same as question::normalize in the crate."""
    words, cur = [], []
    for c in text:
        if c.isalnum():
            cur.append(c)
        elif cur:
            words.append("".join(cur).lower())
            cur = []
    if cur:
        words.append("".join(cur).lower())
    return " ".join(words)


def text_hash(text):
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:16]


def main():
    sample_path, sheet_path, annotator, labels_dir = sys.argv[1:5]
    texts = {}
    with open(sample_path) as f:
        for line in f:
            q = json.loads(line)
            texts[q["id"]] = q["text"]
    at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out, bad = [], 0
    with open(sheet_path) as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if not parts[0].strip():
                continue
            qid, label = parts[0].strip(), (parts[1].strip().lower() if len(parts) > 1 else "")
            if qid not in texts or label not in LABELS:
                print(f"{sheet_path}:{n}: skipped ({qid!r}, {label!r})", file=sys.stderr)
                bad += 1
                continue
            d = {"id": qid, "text_hash": text_hash(texts[qid]), "label": label, "annotator": annotator, "at": at}
            if len(parts) > 2 and parts[2].strip():
                d["note"] = parts[2].strip()
            out.append(d)
    # The most recent decision is final, to the second: an adjudication
    # stamped in the same second as the passes it settles would not be.
    ids = {d["id"] for d in out}
    for prior in read_decisions(labels_dir) if os.path.isdir(labels_dir) else []:
        if prior["id"] in ids and prior["at"] >= at:
            sys.exit(f"{prior['annotator']}: a decision on {prior['id']} is stamped {prior['at']}, not before "
                     "this one: wait a second and rerun, nothing written")
    os.makedirs(labels_dir, exist_ok=True)
    with open(os.path.join(labels_dir, f"{annotator}.jsonl"), "a") as f:
        for d in out:
            f.write(json.dumps(d) + "\n")
    print(f"{annotator}: {len(out)} decisions written, {bad} lines skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
