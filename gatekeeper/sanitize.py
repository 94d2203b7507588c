"""Making hostile commit data safe to print: control characters out, lengths bounded.

Commit messages, author names, paths and trailer values are attacker-controlled. Anything that
reaches a terminal, an annotation or a pusher's `remote:` line passes through `safe()` so ANSI
escapes, carriage returns and other control characters cannot rewrite what the reader sees.
"""

from __future__ import annotations

import re

# C0 and C1 controls (keeps nothing: tabs and newlines are replaced too when single_line).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Bidirectional overrides can reorder what a reader sees (Trojan Source); zero-width characters, the BOM,
# interlinear annotations and Unicode tag characters hide text or smuggle it past a reader.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060-\u2065\ufeff\ufff9-\ufffb"
                   "\U000e0000-\U000e007f]")


# What JSON may legally carry raw but a reader's terminal, editor or log viewer must not get raw: DEL, C1
# controls, bidi controls and marks, line/paragraph separators, zero-width and BOM characters. In JSON
# text these can only occur inside strings, so writing them as \uXXXX keeps the document valid and
# lossless (a parser returns the same string).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff"
                          "\ufff9-\ufffb\U000e0000-\U000e007f]")


def json_escape_unsafe(text: str) -> str:
    """JSON text (from json.dumps) with the characters above written as \\u escapes."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Anything safe() removes from a multi-line text: escape sequences start with ESC (a C0 control).
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\u2060-\u2065"
                     "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")


def visible(text: str) -> str:
    """`text` as a renderer shows it (safe() over several lines): escape sequences, bidi, zero-width and control
    characters but tab and newline removed. What they split is joined there, so a secret split by one is a
    secret to find and to redact in this form (red16: `ghp_…<U+200B>…` matched no rule, and the text output
    printed the token whole). The same string when there is nothing to remove, or nothing but the carriage
    returns of CRLF line ends (they join nothing: a newline follows each)."""
    probe = text.replace("\r\n", "\n") if "\r\n" in text else text
    return text if _HIDDEN.search(probe) is None else safe(text, single_line=False)


def safe(text: str, *, single_line: bool = True, limit: int | None = None) -> str:
    text = _ANSI.sub("", text)
    text = _BIDI.sub("", text)
    text = (_CONTROL_ALL if single_line else _CONTROL).sub(" " if single_line else "", text)
    if limit is not None:
        text = clip(text, limit)
    return text


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
