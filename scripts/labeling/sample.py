#!/usr/bin/env python3
"""Draw the questions to annotate, reproducibly (fixed seed), and cut them
into annotator batches.

Reads `earnings-qa questions` JSON Lines over ../shared/corpus, keeps only
files whose manifest split is train or dev (never heldout), and draws:
  - every question of the dev calls (Microsoft, Amazon, Alphabet, Meta,
    Oracle before October 2025), for the leave-company-out figure;
  - then strata by era (call in 2025-2026 or earlier) and sector (focus:
    technology, semiconductors, cloud, data centers, utilities; or other),
    at most PER_CALL questions per call so that many companies are covered.
Copies of one call from several sources share question ids; each id is
drawn once.

Writes OUT/sample.jsonl (ids, metadata and text: for the annotators'
eyes only, never committed) and OUT/batch-<annotator>.jsonl, where every
first-pass annotator also gets DOUBLE questions of the next annotator's
batch, mixed in, to measure agreement.

Round 2 (`--round 2`) draws, from the calls of 2025-2026 in the focus
sectors, every question that round 1 left out (up to ROUND2), because
round 1 gave too few `investment` questions; it writes
OUT/sample-2.jsonl and batches for ROUND2_ANNOTATORS.

Round 3 (`--round 3 LABELS_DIR`) completes the dev calls, which the
leave-company-out figure is measured on: for each dev call, the copy
(source file) with the most labeled questions, then the most questions,
then the first path, and every question of it not yet labeled; written to
OUT/sample-3.jsonl and batches for ROUND3_ANNOTATORS.

Round 4 (`--round 4 LABELS_DIR`) is a second, independent pass over every
labeled question that only one annotator has decided: each goes to one of
ROUND4_ANNOTATORS, none of whom labeled before; OUT/sample-4.jsonl.

Round 5 (`--round 5 LABELS_DIR`) draws ROUND5 new questions where the
classes are rare: a TF-IDF logistic regression trained on the labels so far
(needs scikit-learn) scores every unlabeled question, and the draw weights
each by its probability of not being `other` (at most PER_CALL a call), so
that profitability and investment questions of every sector and era turn
up more often than at random. Annotators never see the scores.

Round 6 (`--round 6 LABELS_DIR`, QUESTIONS.jsonl from `earnings-qa
classify`) draws ROUND6 new questions of `train` calls of 2024-2026 of the
FOCUS companies (cloud, software, semiconductors, data centers, power,
internet advertising), at most ROUND6_PER_CALL a call (the focus calls of
those years hold too few unlabeled questions for PER_CALL), weighted toward the questions the shipped model is least sure of
(weight 1 - margin between its two most likely labels, at least 0.05).
Every question goes to two of ROUND6_ANNOTATORS: annotator i labels parts
i and i+1 of the draw, mixed, so that each part is labeled twice,
independently.

Round 7 (`--round 7 LABELS_DIR`) draws ROUND7 new questions of `train`
calls that talk about capital spending (CAPEX below: capex, capital
intensity, depreciation, useful lives, payback, return on capital), where
every model splits profitability from investment worst (docs/model.md,
error analysis): every unlabeled one of the FOCUS companies, then others at
random, at most ROUND7_PER_CALL a call. Every question goes to two of
ROUND7_ANNOTATORS, as in round 6.

Round 8 (`--round 8 LABELS_DIR`, QUESTIONS.jsonl from `earnings-qa
classify`) is round 6 again over what round 6 left, from 2023 on:
ROUND8 new questions of the FOCUS companies' `train` calls of 2023-2026,
weighted the same way, at most ROUND8_PER_CALL a call; every question to
two of ROUND8_ANNOTATORS.

usage: sample.py QUESTIONS.jsonl MANIFEST.csv OUT_DIR [--round 2 | --round 3|4|5|6|7|8 LABELS_DIR]
"""
import csv
import json
import os
import random
import re
import sys

SEED = 20261126
PER_CALL = 6
# Questions drawn per stratum, after the dev calls: (recent, focus) -> n.
QUOTA = {(True, True): 850, (True, False): 300, (False, True): 350, (False, False): 520}
ANNOTATORS = ["ann-1", "ann-2", "ann-3", "ann-4"]
DOUBLE = 85  # per annotator: questions of the next annotator's batch
ROUND2 = 1000
ROUND2_ANNOTATORS = ["ann-5", "ann-6"]
ROUND2_DOUBLE = 50
ROUND3_ANNOTATORS = ["ann-7", "ann-8"]
ROUND3_DOUBLE = 40
ROUND4_ANNOTATORS = ["ann-9", "ann-10", "ann-11", "ann-12", "ann-13"]
ROUND5 = 1200
ROUND5_ANNOTATORS = ["ann-14", "ann-15", "ann-16"]
ROUND5_DOUBLE = 150

ROUND6 = 2004
ROUND6_PER_CALL = 10
ROUND6_ANNOTATORS = ["ann-17", "ann-18", "ann-19", "ann-20", "ann-21", "ann-22"]

ROUND7 = 400
ROUND7_PER_CALL = 3
ROUND7_ANNOTATORS = ["ann-23", "ann-24", "ann-25", "ann-26"]

ROUND8 = 600
ROUND8_PER_CALL = 4
ROUND8_ANNOTATORS = ["ann-27", "ann-28", "ann-29", "ann-30", "ann-31", "ann-32"]
CAPEX = re.compile(r"\b(capex|cap ex|capital (expenditure|spend|intensity|investment|allocation)"
                   r"|infrastructure (spend|investment)|data ?cent(er|re) (build|investment|spend|capacity)"
                   r"|depreciation|return on (invested )?capital|roic|payback|useful li(fe|ves))", re.I)

FOCUS = set("""
MSFT AMZN GOOGL GOOG META ORCL AAPL NVDA AMD AVGO INTC QCOM MU TXN ADI AMAT LRCX KLAC ASML TSM MRVL
SMCI DELL HPE HPQ IBM CSCO ANET CRM NOW SNOW MDB PLTR ADBE INTU WDAY ZS OKTA CRWD NET DDOG GTLB CRWV
NBIS DLR EQIX IRM VRT ETN GEV APH TEL GLW CRDO COHR CIEN JBL SNX FN CLS STX WDC SNDK NTAP PSTG SNPS
CDNS ARM ON NXPI MCHP TER ENTG MPWR WOLF VMW DOCN AKAM FSLY TWLO SHOP UBER NFLX TSLA BABA BIDU JD PDD
TCOM TME IQ BILI XIAOMI RDDT SOUN U DUOL TOST AFRM UPST COIN HOOD FIG SPOT SNAP PINS APP TTD
NEE SO D DUK AEP EXC SRE PPL PNW IDA FE ES WEC AVA BKH OGE ALE AWR SJW UTL VST CEG TLN NRG ED XEL
PCG EIX ETR AEE CMS DTE LNT EVRG NI ATO PEG AES
""".split())


def year_of(q):
    for key in ("call_date", "period_end"):
        if q.get(key):
            return int(q[key][:4])
    return None


def read_questions(questions_path, manifest_path):
    """Train and dev questions by id (the first copy of a duplicated call)."""
    split = {}
    with open(manifest_path) as f:
        for row in csv.DictReader(f):
            split[row["path"]] = row["split"]
    corpus_root = os.path.dirname(os.path.abspath(manifest_path))
    by_id = {}
    with open(questions_path) as f:
        for line in f:
            q = json.loads(line)
            rel = os.path.relpath(os.path.abspath(q["source"]), corpus_root)
            s = split.get(rel)
            if s not in ("train", "dev"):
                continue  # heldout, or not in the manifest
            q["split"] = s
            by_id.setdefault(q["id"], q)
    return by_id


def round1(by_id, rng):
    """Returns the round-1 sample and the per-stratum pools it drew from."""
    chosen = [q for q in by_id.values() if q["split"] == "dev"]
    taken = {q["id"] for q in chosen}
    calls = {}
    for q in by_id.values():
        if q["id"] in taken or year_of(q) is None:
            continue
        calls.setdefault((q["ticker"], q["fiscal_period"]), []).append(q)
    strata = {k: [] for k in QUOTA}
    for key in sorted(calls):
        qs = calls[key]
        rng.shuffle(qs)
        recent = year_of(qs[0]) >= 2025
        strata[(recent, key[0] in FOCUS)].extend(qs[:PER_CALL])
    for k, n in QUOTA.items():
        pool = sorted(strata[k], key=lambda q: q["id"])
        rng.shuffle(pool)
        chosen.extend(pool[:n])
        print(f"stratum recent={k[0]} focus={k[1]}: {min(n, len(pool))} of {len(pool)}", file=sys.stderr)
    rng.shuffle(chosen)
    return chosen


def write_batch(batch, path):
    """An annotator's batch: what they see of each question, never the model's scores."""
    with open(path, "w") as f:
        for q in batch:
            keep = {x: q[x] for x in ("id", "ticker", "company", "fiscal_period", "call_date", "analyst", "firm", "text")}
            f.write(json.dumps(keep) + "\n")


def write_batches(chosen, annotators, double, out_dir, rng):
    k = len(annotators)
    primary = [chosen[i::k] for i in range(k)]
    for i, name in enumerate(annotators):
        batch = primary[i] + primary[(i + 1) % k][:double]
        rng.shuffle(batch)
        write_batch(batch, os.path.join(out_dir, f"batch-{name}.jsonl"))
    print(f"{len(chosen)} questions, {k} batches, {k * double} double-labeled", file=sys.stderr)


def write_sample(chosen, path):
    with open(path, "w") as f:
        for q in chosen:
            f.write(json.dumps(q) + "\n")


def read_decisions(labels_dir):
    for name in sorted(os.listdir(labels_dir)):
        if name.endswith(".jsonl"):
            with open(os.path.join(labels_dir, name)) as f:
                yield from map(json.loads, filter(str.strip, f))


def decisions(labels_dir):
    """id -> annotator -> (time, label) of that annotator's latest decision."""
    out = {}
    for d in read_decisions(labels_dir):
        cur = out.setdefault(d["id"], {})
        if d["annotator"] not in cur or cur[d["annotator"]][0] <= d["at"]:
            cur[d["annotator"]] = (d["at"], d["label"])
    return out


def labeled_ids(labels_dir):
    return set(decisions(labels_dir))


def final_labels(labels_dir):
    """id -> final label: the most recent decision (as src/labels.rs)."""
    return {i: max((at, a, label) for a, (at, label) in m.items())[2] for i, m in decisions(labels_dir).items()}


def round4(by_id, labels_dir, rng):
    """Labeled questions decided by one annotator only, dealt out so that
    nobody sees a question twice."""
    single = sorted(i for i, m in decisions(labels_dir).items()
                    if len(set(m) - {"adjudicator"}) == 1 and i in by_id)
    rng.shuffle(single)
    print(f"round 4: {len(single)} singly labeled questions", file=sys.stderr)
    return [by_id[q] for q in single]


def round5(by_id, labels_dir, rng):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    final = final_labels(labels_dir)
    train = sorted(i for i in final if i in by_id)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x = vec.fit_transform([by_id[i]["text"] for i in train])
    model = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(x, [final[i] for i in train])
    other = list(model.classes_).index("other")
    calls = {}
    for q in sorted(by_id.values(), key=lambda q: q["id"]):
        if q["id"] not in final:
            calls.setdefault((q["ticker"], q["fiscal_period"]), []).append(q)
    pool = []
    for key in sorted(calls):
        qs = calls[key]
        rng.shuffle(qs)
        pool.extend(qs[:PER_CALL])
    p_other = model.predict_proba(vec.transform([q["text"] for q in pool]))[:, other]
    # Weighted sampling without replacement (Efraimidis-Spirakis keys).
    keys = [rng.random() ** (1 / max(1e-6, 1 - p)) for p in p_other]
    order = sorted(range(len(pool)), key=lambda k: -keys[k])
    chosen = [pool[k] for k in order[:ROUND5]]
    print(f"round 5: {len(chosen)} of {len(pool)} unlabeled questions (mean P(other) drawn "
          f"{sum(p_other[k] for k in order[:ROUND5]) / len(chosen):.2f}, pool {p_other.mean():.2f})", file=sys.stderr)
    return chosen


def take_per_call(ordered, per_call_max, n):
    """The first n questions of `ordered`, at most per_call_max of a call;
    also the count taken of each call."""
    chosen, per_call = [], {}
    for q in ordered:
        call = (q["ticker"], q["fiscal_period"])
        if per_call.get(call, 0) < per_call_max and len(chosen) < n:
            per_call[call] = per_call.get(call, 0) + 1
            chosen.append(q)
    return chosen, per_call


def uncertain(by_id, labels_dir, rng, round_no, since, per_call_max, n):
    """Rounds 6 and 8: unlabeled `train` questions of FOCUS calls from `since`
    on, weighted toward the shipped model's uncertainty."""
    labeled = labeled_ids(labels_dir) | labeled_ids(os.path.join(labels_dir, "retired"))
    pool = [q for q in sorted(by_id.values(), key=lambda q: q["id"])
            if q["split"] == "train" and q["id"] not in labeled and q["ticker"] in FOCUS
            and (year_of(q) or 0) >= since]

    def weight(q):
        top = sorted(q["probs"].values(), reverse=True)
        return max(0.05, 1 - (top[0] - top[1]))

    # Weighted sampling without replacement (Efraimidis-Spirakis keys), at most per_call_max a call.
    keys = {q["id"]: rng.random() ** (1 / weight(q)) for q in pool}
    chosen, per_call = take_per_call(sorted(pool, key=lambda q: -keys[q["id"]]), per_call_max, n)
    mean = lambda qs: sum(weight(q) for q in qs) / len(qs)
    print(f"round {round_no}: {len(chosen)} of {len(pool)} unlabeled questions from {len(per_call)} calls "
          f"(mean uncertainty drawn {mean(chosen):.2f}, pool {mean(pool):.2f})", file=sys.stderr)
    return chosen


def round6(by_id, labels_dir, rng):
    return uncertain(by_id, labels_dir, rng, 6, 2024, ROUND6_PER_CALL, ROUND6)


def round8(by_id, labels_dir, rng):
    return uncertain(by_id, labels_dir, rng, 8, 2023, ROUND8_PER_CALL, ROUND8)


def round7(by_id, labels_dir, rng):
    labeled = labeled_ids(labels_dir) | labeled_ids(os.path.join(labels_dir, "retired"))
    pool = [q for q in sorted(by_id.values(), key=lambda q: q["id"])
            if q["split"] == "train" and q["id"] not in labeled and CAPEX.search(q["text"])]
    rng.shuffle(pool)
    pool.sort(key=lambda q: q["ticker"] not in FOCUS)  # stable: focus first, each part shuffled
    chosen, per_call = take_per_call(pool, ROUND7_PER_CALL, ROUND7)
    focus = sum(q["ticker"] in FOCUS for q in chosen)
    print(f"round 7: {len(chosen)} of {len(pool)} unlabeled capital-spending questions from "
          f"{len(per_call)} calls ({focus} of focus companies)", file=sys.stderr)
    rng.shuffle(chosen)
    return chosen


def write_double_batches(chosen, annotators, out_dir, rng):
    """Annotator i gets parts i and i+1 (mod k): every question twice, by two people."""
    k = len(annotators)
    parts = [chosen[i::k] for i in range(k)]
    for i, name in enumerate(annotators):
        batch = parts[i] + parts[(i + 1) % k]
        rng.shuffle(batch)
        write_batch(batch, os.path.join(out_dir, f"batch-{name}.jsonl"))
    print(f"{len(chosen)} questions in {k} parts, each labeled by two annotators", file=sys.stderr)


def round3(questions_path, manifest_path, labels_dir):
    """Unlabeled questions of one copy of each dev call."""
    split = {}
    with open(manifest_path) as f:
        for row in csv.DictReader(f):
            split[row["path"]] = row["split"]
    corpus_root = os.path.dirname(os.path.abspath(manifest_path))
    labeled = labeled_ids(labels_dir)
    copies = {}  # call -> source -> questions
    with open(questions_path) as f:
        for line in f:
            q = json.loads(line)
            if split.get(os.path.relpath(os.path.abspath(q["source"]), corpus_root)) == "dev":
                q["split"] = "dev"
                copies.setdefault((q["ticker"], q["fiscal_period"]), {}).setdefault(q["source"], []).append(q)
    chosen = []
    for call in sorted(copies):
        src = min(copies[call], key=lambda s: (-sum(q["id"] in labeled for q in copies[call][s]), -len(copies[call][s]), s))
        chosen.extend(q for q in copies[call][src] if q["id"] not in labeled)
    print(f"round 3: {len(chosen)} unlabeled questions in {len(copies)} dev calls", file=sys.stderr)
    return chosen


def main():
    questions_path, manifest_path, out_dir = sys.argv[1:4]
    if sys.argv[4:6] == ["--round", "3"]:
        chosen = round3(questions_path, manifest_path, sys.argv[6])
        rng = random.Random(SEED + 3)
        rng.shuffle(chosen)
        write_sample(chosen, os.path.join(out_dir, "sample-3.jsonl"))
        write_batches(chosen, ROUND3_ANNOTATORS, ROUND3_DOUBLE, out_dir, rng)
        return
    by_id = read_questions(questions_path, manifest_path)
    os.makedirs(out_dir, exist_ok=True)
    doubled = {"6": (round6, ROUND6_ANNOTATORS), "7": (round7, ROUND7_ANNOTATORS), "8": (round8, ROUND8_ANNOTATORS)}
    if sys.argv[4:5] == ["--round"] and sys.argv[5] in doubled:
        draw, annotators = doubled[sys.argv[5]]
        rng = random.Random(SEED + int(sys.argv[5]))
        chosen = draw(by_id, sys.argv[6], rng)
        write_sample(chosen, os.path.join(out_dir, f"sample-{sys.argv[5]}.jsonl"))
        write_double_batches(chosen, annotators, out_dir, rng)
        return
    later = {"4": (round4, ROUND4_ANNOTATORS, 0), "5": (round5, ROUND5_ANNOTATORS, ROUND5_DOUBLE)}
    if sys.argv[4:5] == ["--round"] and sys.argv[5] in later:
        draw, annotators, double = later[sys.argv[5]]
        rng = random.Random(SEED + int(sys.argv[5]))
        chosen = draw(by_id, sys.argv[6], rng)
        write_sample(chosen, os.path.join(out_dir, f"sample-{sys.argv[5]}.jsonl"))
        write_batches(chosen, annotators, double, out_dir, rng)
        return
    second = sys.argv[4:6] == ["--round", "2"]
    rng = random.Random(SEED)
    chosen = round1(by_id, rng)
    if not second:
        write_sample(chosen, os.path.join(out_dir, "sample.jsonl"))
        write_batches(chosen, ANNOTATORS, DOUBLE, out_dir, rng)
        return
    rng = random.Random(SEED + 2)
    taken = {q["id"] for q in chosen}
    pool = sorted((q for q in by_id.values() if q["id"] not in taken and year_of(q) is not None
                   and year_of(q) >= 2025 and q["ticker"] in FOCUS), key=lambda q: q["id"])
    rng.shuffle(pool)
    chosen2 = pool[:ROUND2]
    print(f"round 2: {len(chosen2)} of {len(pool)} left in recent focus calls", file=sys.stderr)
    write_sample(chosen2, os.path.join(out_dir, "sample-2.jsonl"))
    write_batches(chosen2, ROUND2_ANNOTATORS, ROUND2_DOUBLE, out_dir, rng)


if __name__ == "__main__":
    main()
