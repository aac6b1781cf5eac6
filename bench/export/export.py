"""Run a registered exporter and attach the dataset's card (what `bench export` calls)."""
from __future__ import annotations

from pathlib import Path

from benchmarks.cards import attach_card, available as card_names
from bench.export.registry import get_exporter


def card_for(export_name: str) -> str | None:
    """The card of an export: same name, else the longest card name the export name starts with
    (`webcpm_actions` -> `webcpm`, `ultrachat_eval` -> `ultrachat`)."""
    cards = card_names()
    if export_name in cards:
        return export_name
    matches = [c for c in cards if export_name.startswith((c + "_", c + "-"))]
    return max(matches, key=len) if matches else None


def export_dataset(name: str, out_dir: str | Path, *, source: Path | None = None,
                   card: bool = True) -> tuple[Path, str | None]:
    """Export `name` to `out_dir`; returns (folder, card name attached or None)."""
    folder = Path(get_exporter(name)(Path(out_dir), source=source))
    card_name = card_for(name) if card else None
    if card_name:
        attach_card(folder, card_name)
    return folder, card_name


def exported_configs(folder: str | Path) -> list[str]:
    """The HF configs of an exported folder (one sub-folder each)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.is_dir())
