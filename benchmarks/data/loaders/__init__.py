"""Parsers that turn raw collection files into Corpus / Queries / Qrels (+ candidate pools).

Every parse error names the file, the line (or record) and the field, as a DataError.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.types import Corpus, Qrels, Queries


@dataclass
class Collection:
    corpus: Corpus
    queries: Queries
    qrels: Qrels
    pools: dict[str, list[str]] | None = None      # re-ranking tasks: qid -> candidate doc ids
    notes: dict[str, str] = field(default_factory=dict)
    other_queries: frozenset[str] = frozenset()    # the dataset's queries not scored here (other splits,
                                                   # unjudged): a run holding them is not for another task
