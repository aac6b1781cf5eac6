"""Datasets: where their files come from (registry), how they are fetched and verified, and
loaders that turn raw collection files into Corpus / Queries / Qrels."""
