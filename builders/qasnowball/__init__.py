"""QASnowball: iterative bootstrapping of extractive QA data from a small seed (EN + ZH).

`build(...)` in `builders.qasnowball.run` is the one entry point the CLI and the experiment call.
"""
