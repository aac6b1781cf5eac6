"""The rule reader and what it shares with QASnowball's rule extractor: candidate spans (spaCy / jieba),
feature dicts, a hashed linear ranker, and English answer-class cues."""
