#!/usr/bin/env python3
"""Writes tests/data/all-mpnet-base-v2.json: sentences written for this
project (no transcript text), their token ids, and their embeddings by
sentence-transformers all-mpnet-base-v2 computed in float64, which
tests/integration/encoder.rs checks the candle MPNet against. Run once, in a Python with
sentence-transformers (scripts/bench-classify.sh --with-python makes one):

    python scripts/mpnet-reference.py models/all-mpnet-base-v2
"""
import json
import sys

import torch
from sentence_transformers import SentenceTransformer, models

folder = sys.argv[1]
word = models.Transformer(folder, max_seq_length=384)
model = SentenceTransformer(modules=[word, models.Pooling(768, "mean"), models.Normalize()], device="cpu")
model = model.to(torch.float64)
sentences = [
    "How should we think about capital expenditures next year, and does the step-up continue?",
    "Can you talk about the monetization of the new AI assistant and the margin profile of that business?",
    "Thank you.",
    # Long enough (over 128 tokens) to reach the relative-position buckets past the exact range.
    " ".join(["Could you walk us through the drivers of cloud revenue growth in the quarter, how much came from"
              " inference workloads versus training, and whether capacity constraints limited the upside?"] * 6),
]
ids = [model.tokenizer(s, truncation=True, max_length=384)["input_ids"] for s in sentences]
with torch.no_grad():
    emb = model.encode(sentences, convert_to_tensor=True, normalize_embeddings=True).double()
json.dump({"model": "sentence-transformers/all-mpnet-base-v2", "dtype": "float64", "sentences": sentences,
           "token_ids": ids, "embeddings": emb.tolist()}, open("tests/data/all-mpnet-base-v2.json", "w"))
print([len(i) for i in ids])
