"""What the renderers strip from hostile text, and what the scan therefore also reads: every character that shows
as nothing. A token split by one would otherwise hide from the detector and still be shown whole (red16, red18)."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from gatekeeper.sanitize import json_escape_unsafe, safe, visible

# Not Cf, but drawn as nothing: combining grapheme joiner, Mongolian free variation selectors, variation
# selectors, Khmer inherent vowels, Hangul fillers.
SHOW_AS_NOTHING = ("\u034f", "\u180b", "\u180f", "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef", "\u17b4",
                   "\u17b5", "\u115f", "\u1160", "\u3164", "\uffa0")


def _format_characters() -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]


def test_every_format_character_python_knows_is_stripped_escaped_and_read_through() -> None:
    for ch in [*_format_characters(), *SHOW_AS_NOTHING]:
        text = f"ghp_ab{ch}cd"
        assert safe(text) == "ghp_abcd", f"U+{ord(ch):04X}"
        assert visible(text) == "ghp_abcd", f"U+{ord(ch):04X}"
        escaped = json_escape_unsafe(json.dumps({"v": text}, ensure_ascii=False))
        assert ch not in escaped and json.loads(escaped)["v"] == text, f"U+{ord(ch):04X}"


@pytest.mark.parametrize("text", ["plain", "two\nlines", "tab\there", "crlf\r\nend\r\n", "émoji ❤ ok"])
def test_text_without_hidden_characters_is_the_same_object(text: str) -> None:
    assert visible(text) is text


def test_characters_beyond_the_basic_plane_are_escaped_as_surrogate_pairs() -> None:
    escaped = json_escape_unsafe(json.dumps({"v": "a\U000e0041b"}, ensure_ascii=False))
    assert "\\udb40\\udc41" in escaped and json.loads(escaped)["v"] == "a\U000e0041b"


def _safe_by_the_patterns(text: str, single_line: bool, limit: int | None) -> str:
    from gatekeeper import sanitize

    text = sanitize._BIDI.sub("", sanitize._ANSI.sub("", text))
    text = (sanitize._CONTROL_ALL if single_line else sanitize._CONTROL).sub(" " if single_line else "", text)
    return text if limit is None else sanitize.clip(text, limit)


@pytest.mark.parametrize("single_line", [True, False])
@pytest.mark.parametrize("limit", [None, 5])
def test_the_printable_ascii_shortcut_answers_as_the_patterns_do(single_line: bool, limit: int | None) -> None:
    # Every ASCII character alone and beside an escape-sequence start, plus the characters just past ASCII.
    samples = [chr(c) for c in range(0x00, 0xa1)] + ["\x1b[31mred\x1b[0m", "a\u202eb", "\u2028", "ok ~ text",
                                                       "ESC[31m literal", "\x7f", "tab\tx", "line\nx"]
    samples += [a + b for a in samples[:0x80] for b in ("x", "\x1b", "[0m")]
    for text in samples:
        assert safe(text, single_line=single_line, limit=limit) == _safe_by_the_patterns(text, single_line, limit), \
            repr(text)
