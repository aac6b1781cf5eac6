"""The composing layer: the `bench` CLI (`bench.cli`), exports to HF-loadable folders (`bench.export`),
stats reports (`bench.stats_report`) and experiment scripts (`bench.experiments`).

It is the only package that imports both `builders` and `benchmarks`; nothing imports it.
"""
