"""A process's memory as Linux reports it: the perf scripts measure peak RSS per phase, not per process.

`reset_peak` writes 5 to /proc/self/clear_refs, which resets VmHWM (the peak) to the current RSS, so a phase's
peak is VmHWM read at its end. RssAnon / RssFile split what is resident into the process's own memory and
file-backed pages (a memory-mapped index), which the kernel can drop under pressure.
"""
from __future__ import annotations

from pathlib import Path

KEYS = ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem")


def status() -> dict[str, int]:
    """KEYS from /proc/self/status, in bytes."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in KEYS:
            out[key] = int(value.split()[0]) * 1024
    return out


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS; False where the kernel does not allow it (the peak then spans phases)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False
