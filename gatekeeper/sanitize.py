"""Making hostile commit data safe to print: control characters out, lengths bounded.

Commit messages, author names, paths and trailer values are attacker-controlled. Anything that
reaches a terminal, an annotation or a pusher's `remote:` line passes through `safe()` so ANSI
escapes, carriage returns and other control characters cannot rewrite what the reader sees.
"""

from __future__ import annotations

from gatekeeper.lazy_regex import lazy

# C0 and C1 controls (keeps nothing: tabs and newlines are replaced too when single_line).
_CONTROL = lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = lazy("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ANSI = lazy(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Bidirectional overrides can reorder what a reader sees (Trojan Source); zero-width characters, the BOM,
# interlinear annotations and Unicode tag characters hide text or smuggle it past a reader. Every format
# character (Unicode category Cf) is here, with the other code points that show as nothing: the combining
# grapheme joiner, variation selectors (and Mongolian ones), Khmer inherent vowels and Hangul fillers —
# one of them inside a token would otherwise hide it from the detector yet show it whole (red18).
# tests/test_sanitize.py holds this class to Python's own Cf list.
_INVISIBLE = ("\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
              "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
              "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
              "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef")
_BIDI = lazy(f"[{_INVISIBLE}]")


# What JSON may legally carry raw but a reader's terminal, editor or log viewer must not get raw: DEL, C1
# controls, bidi controls and marks, line/paragraph separators, zero-width and BOM characters. In JSON
# text these can only occur inside strings, so writing them as \uXXXX keeps the document valid and
# lossless (a parser returns the same string).
_JSON_UNSAFE = lazy(f"[\x7f-\x9f\u2028\u2029{_INVISIBLE}]")
# Lone surrogates: a record of the decision log may hold one (`"\\ud800"` is valid JSON), and no UTF-8 writer can
# write what it decodes to (red137). The readers of the log write it as the escape it was, json_text; safe() shows
# the replacement character, as a decoder would.
_SURROGATE = lazy("[\ud800-\udfff]")
_JSON_UNSAFE_OR_LONE = lazy(f"[\x7f-\x9f\u2028\u2029{_INVISIBLE}\ud800-\udfff]")


def json_escape_unsafe(text: str) -> str:
    """JSON text (from json.dumps) with the characters above written as \\u escapes (a surrogate pair for one
    beyond U+FFFF, as JSON spells those)."""
    return _JSON_UNSAFE.sub(lambda m: _json_escape(ord(m.group())), text)


def json_text(text: str) -> str:
    """json_escape_unsafe, and a lone surrogate (what a hostile JSON escape decodes to) written as its escape again:
    the JSON text of data read back from JSON, always writable as UTF-8 and lossless."""
    return _JSON_UNSAFE_OR_LONE.sub(lambda m: _json_escape(ord(m.group())), text)


def _json_escape(point: int) -> str:
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000
    return f"\\u{0xd800 + (point >> 10):04x}\\u{0xdc00 + (point & 0x3ff):04x}"


# Anything safe() removes from a multi-line text: escape sequences start with ESC (a C0 control).
_HIDDEN = lazy(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")


def visible(text: str) -> str:
    """`text` as a renderer shows it (safe() over several lines): escape sequences, bidi, zero-width and control
    characters but tab and newline removed. What they split is joined there, so a secret split by one is a
    secret to find and to redact in this form (red16: `ghp_…<U+200B>…` matched no rule, and the text output
    printed the token whole). The same string when there is nothing to remove, or nothing but the carriage
    returns of CRLF line ends (they join nothing: a newline follows each)."""
    probe = text.replace("\r\n", "\n") if "\r\n" in text else text
    return text if _HIDDEN.search(probe) is None else safe(text, single_line=False)


def safe(text: str, *, single_line: bool = True, limit: int | None = None) -> str:
    if text.isascii() and text.isprintable():
        # Printable ASCII (space to `~`) holds nothing the patterns below remove: an escape sequence starts
        # with ESC, every other character they match is a control or outside ASCII. Two C scans instead of
        # three regex passes, for the common case (this runs several times per commit of an audit).
        return text if limit is None else clip(text, limit)
    text = _ANSI.sub("", text)
    text = _BIDI.sub("", text)
    text = (_CONTROL_ALL if single_line else _CONTROL).sub(" " if single_line else "", text)
    text = _SURROGATE.sub("\ufffd", text)
    if limit is not None:
        text = clip(text, limit)
    return text


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
