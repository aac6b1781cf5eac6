"""HF-loadable folders for the QA datasets: CMRC 2018 (dev, trial), XQuAD (en, zh), QASnowball outputs.

Rows use the `squad` column layout (id, title, context, question, answers{text, answer_start}). Public
files are exported as loaded by the repairing loader: CMRC offsets that were off are fixed, answers
whose text is not in the context are left out of `answers` (the card says how many).
"""
from __future__ import annotations

from pathlib import Path

from builders.common.hf_folder import write_hf_folder

__all__ = ["export_cmrc2018", "export_xquad", "export_qasnowball"]

_YAML = "license: cc-by-sa-4.0\ntask_categories:\n- question-answering"


def _rows(records):
    return [{"id": r["id"], "title": r.get("title", ""), "context": r["context"], "question": r["question"],
             "answers": {"text": list(r["answers"]["text"]), "answer_start": list(r["answers"]["answer_start"])}}
            for r in records]


def export_cmrc2018(out_dir: Path, *, source: Path | None = None) -> Path:
    from benchmarks.data.registry import dataset_dir
    from annotation.squad_io import load_qa_file

    folder = Path(source) if source else dataset_dir("cmrc2018")
    splits, notes = {}, []
    for split in ("dev", "trial"):
        rep = load_qa_file(folder / f"cmrc2018_{split}.json")
        splits[split] = _rows(rep.records)
        notes.append(f"- {split}: {rep.summary()}")
    body = ("# CMRC 2018 (SQuAD-style dev and trial)\n\nFrom ymcui/cmrc2018 (CC BY-SA 4.0). Offsets repaired by "
            "locating the answer text; answers not found verbatim are left out:\n" + "\n".join(notes))
    return write_hf_folder(out_dir, {"default": splits}, card_body=body, card_yaml=_YAML + "\nlanguage:\n- zh")


def export_xquad(out_dir: Path, *, source: Path | None = None) -> Path:
    from benchmarks.data.registry import dataset_dir
    from annotation.squad_io import load_qa_file

    folder = Path(source) if source else dataset_dir("xquad")
    configs = {lang: {"test": _rows(load_qa_file(folder / f"xquad.{lang}.json").records)} for lang in ("en", "zh")}
    body = ("# XQuAD English and Chinese\n\nFrom google-deepmind/xquad (CC BY-SA 4.0): 240 paragraphs, 1,190 "
            "questions per language, SQuAD v1.1 dev subset and its professional Chinese translation.")
    return write_hf_folder(out_dir, configs, card_body=body, card_yaml=_YAML + "\nlanguage:\n- en\n- zh",
                           default_config="en")


def export_qasnowball(out_dir: Path, *, source: Path | None = None) -> Path:
    """`source`: a `bench build qasnowball` output folder, or its generated.jsonl."""
    from core import iter_jsonl
    from annotation.squad import QADataError, validate_records
    from builders.qasnowball.output import CARD, hf_rows

    if source is None:
        raise QADataError("export qasnowball needs --source (a build output folder or generated.jsonl)")
    path = Path(source)
    path = path / "generated.jsonl" if path.is_dir() else path
    pairs = list(iter_jsonl(path, error=QADataError))
    if not pairs:
        raise QADataError(f"{path}: no records (empty file)")
    issues = validate_records(pairs, file=str(path))
    if issues:
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        raise QADataError(f"{issues[0]}{more}")
    return write_hf_folder(out_dir, {"default": {"train": hf_rows([r for _, r in pairs])}}, card_body=CARD,
                           card_yaml=_YAML)
