"""Span offsets between Label Studio (a JavaScript UI) and Python strings, checked in code points.

Our records index text by Unicode code points (Python `str`). JavaScript strings are UTF-16: an emoji
outside the Basic Multilingual Plane is two code units, so an offset counted in code units runs ahead
of the code-point offset by one per such emoji before it (Label Studio issues #1008, #1347; fixed to
code points in the editor later, but exports made by older versions or other tools still carry
UTF-16 offsets). CJK characters are one unit in both, so Chinese text alone never shows the problem.

`check_span` accepts a span when `text[start:end] == value.text` in code points; failing that, when
the offsets read as UTF-16 code units give the span text, it converts them and says so; anything else
is an error naming what was found.
"""
from __future__ import annotations

from dataclasses import dataclass


def utf16_len(s: str) -> int:
    """Length of `s` in UTF-16 code units (what JavaScript's `.length` returns)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in s)


def utf16_to_codepoint(text: str, offset: int) -> int | None:
    """The code-point index of UTF-16 offset `offset` in `text`; None inside a surrogate pair or past the end."""
    units = 0
    for i, ch in enumerate(text):
        if units == offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def codepoint_to_utf16(text: str, index: int) -> int:
    return utf16_len(text[:index])


@dataclass(frozen=True)
class Span:
    start: int            # code points
    end: int
    text: str
    converted: bool = False   # True when the export's offsets were UTF-16 code units


class SpanMismatch(ValueError):
    """The offsets select something else than the span's text, in code points and in UTF-16 units."""


def check_span(text: str, start: object, end: object, span_text: object) -> Span:
    """Validate one Label Studio text span against `text`; raise SpanMismatch with a one-line reason."""
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        raise SpanMismatch(f"start/end must be integers, got {start!r}/{end!r}")
    if not 0 <= start < end:
        raise SpanMismatch(f"empty or negative span [{start}, {end})")
    if span_text is not None and not isinstance(span_text, str):
        raise SpanMismatch(f"span text must be a string, got {type(span_text).__name__}")
    if end <= len(text) and (span_text is None or text[start:end] == span_text):
        return Span(start, end, text[start:end])
    s16, e16 = utf16_to_codepoint(text, start), utf16_to_codepoint(text, end)
    if s16 is not None and e16 is not None and s16 < e16 and (span_text is None or text[s16:e16] == span_text):
        return Span(s16, e16, text[s16:e16], converted=True)
    got = repr(text[start:end]) if end <= len(text) else f"past the end (text has {len(text)} code points)"
    raise SpanMismatch(f"[{start}, {end}) selects {got}, not {span_text!r} (checked as code points and as UTF-16 units)")
