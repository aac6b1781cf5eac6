"""Legal-element tagger: multi-label sentence classification over MUSER's label schema.

`data` (dedupe + seeded split), `metrics` (micro/macro P/R/F1), `linear` (jieba TF-IDF + a linear
model, the CPU baseline) and `hf` (fine-tune any Hugging Face checkpoint, GPU when present).
"""
