"""`bench export NAME OUT_DIR`: write an HF-loadable folder (parquet + README YAML) with its data card."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import app, console


@app.command("export")
def export_cmd(
    name: str = typer.Argument(..., help="Exporter name (see bench/export/registry.py)."),
    out_dir: Path = typer.Argument(..., help="Folder to write (replaced atomically)."),
    source: Optional[Path] = typer.Option(None, "--source", help="Built dataset folder (builder outputs)."),
    card: bool = typer.Option(True, "--card/--no-card", help="Attach the data card to README.md."),
) -> None:
    """Export NAME so `datasets.load_dataset(OUT_DIR, CONFIG, split=...)` works offline with no script."""
    from bench.export.export import export_dataset, exported_configs

    folder, card_name = export_dataset(name, out_dir, source=source, card=card)
    console.print(f"{folder}: configs {', '.join(exported_configs(folder)) or '-'}"
                  + (f"; card data_cards/{card_name}" if card_name else "; no card attached"))
