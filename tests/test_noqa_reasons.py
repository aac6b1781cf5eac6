"""Every noqa comment says why, after its code: the rule cannot see the reason, the next reader needs it.

ruff's RUF100 (pyproject.toml) already fails on a `noqa` that silences nothing; this adds the reason.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)$")
REASONED = re.compile(r"^:\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*\s+-\s+\S")


def _python_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / f for f in out.split() if (REPO / f).is_file()]


def test_every_noqa_names_its_codes_and_a_reason() -> None:
    bad = []
    for path in _python_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = NOQA.search(line)
            if m and not REASONED.match(m.group("rest")):
                bad.append(f"{path.relative_to(REPO)}:{lineno}: {line.strip()}")
    assert not bad, "write the codes, a dash and the reason the rule cannot see (e.g. F401 - registers the verb):\n" + "\n".join(bad)


def test_the_pattern_tells_a_reason_from_none() -> None:
    assert REASONED.match(": F401 - importing a verb module registers it")
    assert REASONED.match(": E402,F401 - after the importorskip above")
    assert not REASONED.match(": F401")
    assert not REASONED.match("")
