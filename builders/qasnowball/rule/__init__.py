"""The `rule` backend: CPU-only, offline, still learning from the seed (scikit-learn rankers)."""
