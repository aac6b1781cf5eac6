"""KIND name -> module holding `KIND`; a new annotation job type is one module plus one line here."""
from __future__ import annotations


from annotation.labelstudio.base import Kind, LabelStudioError
from core.registry import resolve

KINDS: dict[str, str] = {
    "muser-pairs": "annotation.labelstudio.muser_pairs",
    "muser-elements": "annotation.labelstudio.muser_elements",
    "qasnowball-qa": "annotation.labelstudio.qasnowball_qa",
    "ultrachat-ratings": "annotation.labelstudio.ultrachat_ratings",
    "ultrachat-pairwise": "annotation.labelstudio.ultrachat_pairwise",
}


def available() -> list[str]:
    return sorted(KINDS)


def get_kind(name: str) -> Kind:
    if name not in KINDS:
        raise LabelStudioError(f"unknown annotation kind {name!r}; known: {', '.join(available())}")
    return resolve(KINDS[name]).KIND
