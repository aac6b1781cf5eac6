"""Experiment scripts (python -m bench.experiments.NAME): figures for the closing notes, not tests."""
