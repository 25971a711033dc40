#!/usr/bin/env python3
"""Does each call's fiscal period match the quarter its opening names?

Runs `earnings-qa questions` over the corpus, takes each call's
`fiscal_period`, and compares it with the first quarter named in words in
the call's opening ("fourth quarter and fiscal year 2024", "fiscal 2025
first quarter", "Q3 fiscal 2026"): the quarter the call says it reports.
A mention that guidance or a comparison introduces in the same sentence
("outlook for the first quarter of 2026", "up 12% from the fourth quarter
of 2024") is passed over. Usage:

    scripts/period-check.py [BINARY] [CORPUS]

Prints the number of calls compared and of disagreements, by split; lists
the disagreements of train and dev files (heldout files are only counted:
they are never read to write rules). A disagreement of one year at the
same quarter for a company whose fiscal year ends in January or February
is the company's own naming (retailers' "fiscal 2025" ends in early 2026;
the tool names a fiscal year by the calendar year it ends in) and is
counted apart.
"""
import collections, csv, json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(target, "release", "earnings-qa")
corpus = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "..", "shared", "corpus"))

ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
YEAR = r"'?(\d{4}|\d{2})\b"
# "fourth quarter and fiscal year 2024", "first quarter of fiscal 2025",
# "fourth-quarter in fiscal 2024", "Q3 fiscal 2026", "fiscal 2025 first quarter".
QUARTER_FIRST = re.compile(
    r"\b(?:(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter|q([1-4]))"
    r"(?:\s+(?:of|in|and|for|the|full|fiscal|year|calendar|results|,)){0,5}\s+(?:fy\s*)?" + YEAR,
    re.I,
)
NOT_REPORTED = re.compile(
    r"\b(outlook|guidance|guide|expect\w*|forecast\w*|quiet period|until|replay|compared?|versus|vs|since"
    r"|from the|next|upcoming|last year|prior|year-ago|ago|building on)\b",
    re.I,
)
YEAR_FIRST = re.compile(r"\b(?:fiscal|fy)(?:\s+year)?\s*" + YEAR + r"\s+(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter", re.I)


def decode(b):
    if b.startswith(b"\xef\xbb\xbf"):
        return b[3:].decode("utf-8", "replace")
    if b[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return b.decode("utf-16", "replace")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("cp1252", "replace")


def spoken_text(text):
    """The words of the call: JSON layouts' speeches and pages, else the text."""
    s = text.lstrip()
    if s.startswith(("{", "[")):
        try:
            doc = json.loads(s)
        except ValueError:
            return text
        if isinstance(doc, dict):
            for key in ("prepared_remarks", "q_and_a"):
                if isinstance(doc.get(key), list):
                    return "\n".join(str(t.get("speech", "")) for t in doc[key] if isinstance(t, dict))
            for key in ("transcript", "content"):
                if isinstance(doc.get(key), str):
                    return doc[key]
    return text


def first_quarter(text):
    """(year, quarter) first named in words in the opening, or None."""
    # Skip a header that holds the file's own label (capiq "Q4 2024 Earnings Call", headers
    # of `====` blocks): the opening starts where the operator or the host speaks.
    m = re.search(r"(?i)\b(good (?:morning|afternoon|day|evening)|welcome|ladies and gentlemen)\b", text)
    opening = text[m.start() if m else 0:][:3000]
    hits = []
    for m in QUARTER_FIRST.finditer(opening):
        q = ORD[m.group(1).lower()] if m.group(1) else int(m.group(2))
        hits.append((m.start(), m.group(3), q))
    for m in YEAR_FIRST.finditer(opening):
        hits.append((m.start(), m.group(1), ORD[m.group(2).lower()]))
    for start, y, q in sorted(hits):
        before = opening[:start]
        sentence = before[max(before.rfind(c) for c in ".?!") + 1 :]
        if NOT_REPORTED.search(sentence):
            continue
        y = int(y) + (2000 if len(y) == 2 else 0)
        return (y, q) if 1990 < y < 2100 else None
    return None


run = subprocess.run([binary, "questions", os.path.join(corpus, "sources")], capture_output=True, text=True)
periods, fye = {}, {}
for line in run.stdout.splitlines():
    q = json.loads(line)
    path = os.path.relpath(q["source"], corpus)
    periods.setdefault(path, q["fiscal_period"])
    m = re.match(r"FY\d{4} Q([1-4])$", q["fiscal_period"])
    if m and q["period_end"]:
        # The month the fiscal year ends: the quarter's last month plus the quarters left.
        fye[path] = (int(q["period_end"][5:7]) - 1 + 3 * (4 - int(m.group(1)))) % 12 + 1

with open(os.path.join(corpus, "manifest.csv")) as f:
    split = {r["path"]: r["split"] for r in csv.DictReader(f)}

counts = collections.Counter()
listed = []
for path, fiscal in sorted(periods.items()):
    with open(os.path.join(corpus, path), "rb") as f:
        said = first_quarter(spoken_text(decode(f.read())))
    if said is None:
        counts["no quarter in the opening"] += 1
        continue
    counts["compared"] += 1
    m = re.match(r"FY(\d{4}) Q([1-4])$", fiscal)
    got = (int(m.group(1)), int(m.group(2))) if m else None
    if got == said:
        continue
    s = split.get(path, "?")
    if got and fye.get(path) in (1, 2) and got[1] == said[1] and got[0] == said[0] + 1:
        counts["naming: fiscal year named by its end"] += 1
        continue
    counts[f"disagree ({s})"] += 1
    counts["disagree"] += 1
    if s != "heldout":
        listed.append(f"  {path}: period {fiscal or '(none)'}, opening says FY{said[0]} Q{said[1]}")

print(f"calls: {len(periods)}")
for k, v in sorted(counts.items()):
    print(f"{k}: {v}")
print("\n".join(listed))
