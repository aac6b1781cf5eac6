"""Extractive QA readers for the QA benchmark: any HF QA checkpoint (GPU when present) or the CPU rule reader."""
