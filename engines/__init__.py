"""What computes for the rooms above: LLM chat backends (`engines.llm`), extractive QA readers
(`engines.readers`), the small Hugging Face training loop they share (`engines.hf_training`), the
cuda/mps/cpu choice (`engines.devices`) and where work items run (`engines.executors`: local threads or Ray).

builders/ and benchmarks/ both drive these; engines import only `core` (and optional third-party packages).
"""
