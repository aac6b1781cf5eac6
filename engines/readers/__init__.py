"""Extractive QA readers behind one protocol (`engines.readers.base.Reader`): the CPU rule reader
(`engines.readers.rule`) and any Hugging Face QA checkpoint (`engines.readers.hf`).

QASnowball's filter and the QA benchmark tasks use the same readers, so they live below both.
"""
