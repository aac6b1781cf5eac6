"""The builders' name for the shared executor, which lives on the ground floor (annotation/floor/executors.py)
because dense retrieval fans its encoding out the same way and retrieval/ must not import builders/."""
from annotation.floor.executors import (EXECUTORS, RAY_PIP, ExecutorError, ExecutorSpec, LocalExecutor,  # noqa: F401
                                        RayExecutor, create_executor, shard_of)
