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
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PROBE = 8000
_NULS = re.compile(rb"\x00+")
# Characters of a decoded binary that are not text: replacement characters and C0/C1 controls other than
# tab, newline, carriage return and form feed.
_NOT_TEXT = re.compile("[\ufffd\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")
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
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return Decoded(data.decode(utf16, "replace"), f"{utf16} without a byte-order mark", True)
    text = _NULS.sub(b"", data).decode("utf-8", "replace")
    if not text:
        return Decoded("", "NUL bytes only", True)
    odd = len(_NOT_TEXT.findall(text))
    if odd <= _MAX_NOT_TEXT * len(text):
        return Decoded(text, "utf-8 with NUL bytes", True)
    # A real binary: keep its printable runs (what `strings` shows), NUL runs and other non-text as spaces
    # so that two runs never join into one token.
    runs = _NOT_TEXT.sub(" ", _NULS.sub(b" ", data).decode("utf-8", "replace"))
    return Decoded(runs, "printable runs of a binary", False)


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
