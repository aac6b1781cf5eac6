"""The real llama.cpp server fixture of the builder tests, shared with the judged-task tests."""
from tests.builders.conftest import llama_server  # noqa: F401
