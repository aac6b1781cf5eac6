#!/usr/bin/env bash
# One-shot set-up of the test environment on a fresh machine: venv, Python packages,
# the packages that must be installed without their dependencies, and system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -r requirements-test.txt
