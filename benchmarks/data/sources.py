"""Each dataset's public origin: which repository and commit every file comes from.

A rule maps a local path prefix to (repo, commit, origin path prefix); the first matching rule
wins, so put exact files and sub-folders before the catch-all "". URLs are raw GitHub files at
a pinned commit, so the bytes can never change under a checksum.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Rule:
    local_prefix: str
    repo: str
    commit: str
    origin_prefix: str


@dataclass(frozen=True)
class DatasetSource:
    name: str              # registry name
    folder: str            # folder name in a mirror (shared/data/<folder>)
    language: str
    license: str
    description: str
    rules: tuple[Rule, ...]

    def rule_for(self, path: str) -> Rule:
        for rule in self.rules:
            if path == rule.local_prefix or (rule.local_prefix.endswith("/") or not rule.local_prefix) \
                    and path.startswith(rule.local_prefix):
                return rule
        raise KeyError(path)

    def origin_url(self, path: str) -> str:
        rule = self.rule_for(path)
        origin = rule.origin_prefix if path == rule.local_prefix else rule.origin_prefix + path[len(rule.local_prefix):]
        return f"https://raw.githubusercontent.com/{rule.repo}/{rule.commit}/{quote(origin)}"


_CRAN = ("oussbenk/cranfield-trec-dataset", "1208e6edfb6cb2527b2c44398d3d8fefd3249144")
_TERRIER = ("terrier-org/terrier-core", "3ceec7d89cb943a56e4bf298b00897d4221d0002")
_LECARD = ("myx666/LeCaRD", "b1a4b72b2050a4aa643e6360d5ff3a6b1fd221e3")
_BERTPLI = ("Wenorm/BERT-PLI", "9d1e5c0b8cd3afc50cce599ea417009e710815fc")
_MUSER = ("THUlawtech/MUSER", "085d223034ab82d55070a9f457ad6060aca045ef")
_CMRC = ("ymcui/cmrc2018", "c0eb1b6ba219847457e6af3180da722bbeb656af")
_XQUAD = ("google-deepmind/xquad", "7d30520c717524000f0d9d2f9c10a069acd9d285")
_TRANSFORMERS = ("huggingface/transformers", "447808c85f0e6d6b0aeeb07214942bf1e578f9d2")
_DUREADER = ("baidu/DuReader", "c625076b06da8f56d59f19c41c73bd580a98a347")
_WEBCPM = ("thunlp/WebCPM", "d80f1f47c7a255ebe2f6851f8506c81f15c3316f")
_ULTRACHAT = ("thunlp/UltraChat", "1f613e1b8dfc6d1e3a02efb6905de608ed06645b")

SOURCES: dict[str, DatasetSource] = {s.name: s for s in (
    DatasetSource("cranfield", "cranfield", "en", "none stated (Glasgow IR group test collection; research use)",
                  "Cranfield 1400: 1,400 aeronautics abstracts, 225 topics, binary TREC qrels",
                  (Rule("", *_CRAN, ""),)),
    DatasetSource("vaswani", "vaswani_npl", "en", "none stated for the data; Terrier is MPL-1.1",
                  "Vaswani (NPL): 11,429 physics abstracts, 93 topics, binary TREC qrels",
                  (Rule("TERRIER_LICENSE.txt", *_TERRIER, "LICENSE.txt"),
                   Rule("UPSTREAM_README.md", *_TERRIER, "share/vaswani_npl/README.md"),
                   Rule("", *_TERRIER, "share/vaswani_npl/"))),
    DatasetSource("lecard", "lecard", "zh", "MIT",
                  "LeCaRD legal case retrieval: 107 queries, graded labels; candidate pools of 25 queries",
                  (Rule("data/candidates/", *_BERTPLI, "LeCaRD/data/candidates/"), Rule("", *_LECARD, ""))),
    DatasetSource("muser", "muser", "zh", "MIT", "MUSER label, legal-element and baseline-run files",
                  (Rule("LICENSE", *_MUSER, "LICENSE"),
                   Rule("label_pred/", *_MUSER, "src/experiments/label_pred/"), Rule("", *_MUSER, "data/"))),
    DatasetSource("cmrc2018", "cmrc2018", "zh", "CC BY-SA 4.0", "CMRC 2018 SQuAD-style dev + trial",
                  (Rule("LICENCE", *_CMRC, "LICENCE"), Rule("", *_CMRC, "squad-style-data/"))),
    DatasetSource("xquad", "xquad", "en,zh", "CC BY-SA 4.0", "XQuAD English + Chinese (1,190 parallel questions)",
                  (Rule("", *_XQUAD, ""),)),
    DatasetSource("squad_v2_sample", "squad_v2_sample", "en", "Apache-2.0 (content CC BY-SA 4.0)",
                  "SQuAD 2.0 fixtures: 14 questions, 6 unanswerable",
                  (Rule("LICENSE", *_TRANSFORMERS, "LICENSE"),
                   Rule("", *_TRANSFORMERS, "tests/fixtures/tests_samples/SQUAD/"))),
    DatasetSource("dureader_demo", "dureader_demo", "zh", "Apache-2.0", "DuReader 2.0 demo dev (search), 100 questions",
                  (Rule("LICENSE", *_DUREADER, "DuReader-2.0/LICENSE"),
                   Rule("", *_DUREADER, "DuReader-2.0/data/demo/"))),
    DatasetSource("webcpm", "webcpm", "zh", "Apache-2.0", "WebCPM example outputs (action prediction, browsing)",
                  (Rule("", *_WEBCPM, ""),)),
    DatasetSource("ultrachat", "ultrachat", "en", "MIT", "UltraChat curated evaluation questions (385)",
                  (Rule("LICENSE", *_ULTRACHAT, "LICENSE"), Rule("", *_ULTRACHAT, "data/"))),
)}
