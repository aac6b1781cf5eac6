"""Experiment scripts (python -m benchmarks.experiments.NAME): figures for the closing notes, not tests."""
