"""Text that git calls binary: UTF-16/UTF-32 (PowerShell's and Windows editors' default), text with NUL
bytes, and the printable runs inside real binaries — decoded so the scanners see it.

git's test for "binary" is a NUL byte in the first 8000 bytes, so a UTF-16 file (every other byte NUL)
or a config file with one stray NUL shows as "Binary files differ" and none of its lines reach the
secrets scanner. `decode` answers what such content says:

- a byte-order mark (UTF-32 LE/BE, UTF-16 LE/BE, UTF-8) decides the encoding;
- without one, NULs in every other position (and almost none in the others) mean UTF-16 LE or BE;
- otherwise NUL runs are taken out and the rest read as UTF-8: when nearly all of it is printable the
  content is text (`complete`), else it is a real binary whose printable runs (separated by spaces) are
  still scanned for secrets, but which is not `complete` — the caller reports it as not scanned
  (scan/binary-skipped): what a compressed or encoded binary holds cannot be seen this way.

Line numbers are kept: only NULs are removed, every newline stays where it was.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PROBE = 8000
# Bytes that are not text: the C0 controls other than tab, newline, vertical tab, form feed, carriage
# return and escape (ANSI colours occur in text), and DEL.
_CONTROL = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_TO_SPACE = bytes.maketrans(b"\x00" + _CONTROL, b" " * (len(_CONTROL) + 1))
_MAX_NOT_TEXT = 0.05


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # "utf-16-le", "utf-8 without NULs", "printable runs of a binary", ...
    complete: bool  # all of the content was read as text (False: a real binary, only its text runs)


def decode(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(encoding, "replace"), encoding, True)
    if b"\x00" not in data:
        return Decoded(data.decode("utf-8", "replace"), "utf-8", True)
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return Decoded(data.decode(utf16, "replace"), f"{utf16} without a byte-order mark", True)
    without_nuls = data.replace(b"\x00", b"")
    if not without_nuls:
        return Decoded("", "NUL bytes only", True)
    # Counted on bytes with C-speed calls: a 2 MB binary must not cost a Python-level pass per character.
    controls = len(without_nuls) - len(without_nuls.translate(None, _CONTROL))
    text = without_nuls.decode("utf-8", "replace")
    if controls + text.count("\ufffd") <= _MAX_NOT_TEXT * len(without_nuls):
        return Decoded(text, "utf-8 with NUL bytes", True)
    # A real binary: keep its printable runs (what `strings` shows), NUL runs and control bytes as spaces
    # so that two runs never join into one token.
    return Decoded(data.translate(_TO_SPACE).decode("utf-8", "replace"), "printable runs of a binary", False)


def _bomless_utf16(data: bytes) -> str | None:
    probe = data[:_PROBE]
    pairs = len(probe) // 2
    if pairs < 2:
        return None
    even = probe[0 : pairs * 2 : 2].count(0)
    odd = probe[1 : pairs * 2 : 2].count(0)
    if odd >= 0.9 * pairs and even <= 0.1 * pairs:
        return "utf-16-le"
    if even >= 0.9 * pairs and odd <= 0.1 * pairs:
        return "utf-16-be"
    return None
