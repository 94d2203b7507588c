"""Text that git calls binary: UTF-16/UTF-32 (PowerShell's and Windows editors' default), text with NUL
bytes, and the printable runs inside real binaries — decoded so the scanners see it.

git's test for "binary" is a NUL byte in the first 8000 bytes, so a UTF-16 file (every other byte NUL)
or a config file with one stray NUL shows as "Binary files differ" and none of its lines reach the
secrets scanner. `decode` answers what such content says:

- a byte-order mark (UTF-32 LE/BE, UTF-16 LE/BE, UTF-8) decides the encoding when the rest reads as text in it,
  and the bytes' own printable runs are read beside it (ASCII behind a UTF-16/32 mark is what a program that
  ignores the mark reads);
- without one, NULs in every other position (and almost none in the others) mean UTF-16 LE or BE;
  git only probes the first 8000 bytes, so UTF-16 whose start holds no NUL (CJK text has none) reaches
  here too: content whose NULs all sit at one parity and that reads as text in UTF-16 is UTF-16;
- otherwise NUL runs are taken out and the rest read as UTF-8: when nearly all of it is printable the
  content is text (`complete`), else it is a real binary whose printable runs (separated by spaces; its
  UTF-16 strings closed up, at either byte parity) are still scanned for secrets, but which is not
  `complete` — the caller reports it as not scanned
  (scan/binary-skipped): what a compressed or encoded binary holds cannot be seen this way.

Line numbers are kept: only NULs are removed, every newline stays where it was.
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize
import warnings
from dataclasses import dataclass

from gatekeeper.lazy_regex import lazy

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
# High bytes of UTF-16 code units of written text: Latin to Indic and Thai, Georgian, Latin/Greek extended,
# punctuation, letterlike, arrows, maths, box drawing, kana, CJK (with extension A), Hangul, fullwidth
# forms. Text keeps to a few of these blocks; a binary read as UTF-16 spreads over all 256.
_TEXT_HIGH = bytes([*range(0x00, 0x0F), 0x10, *range(0x1E, 0x23), 0x25, *range(0x30, 0x32), *range(0x34, 0xA0),
                    *range(0xAC, 0xD8), 0xFF])


# A coding cookie as Python finds it on line 1 or 2 of a source file's bytes (PEP 263; tokenize's own pattern, less the
# name): a comment, to anything that runs the code as text (IPython's cells).
COOKIE = lazy(r"[ \t\f]*#.*?coding[:=]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # "utf-16-le", "utf-8 without NULs", "printable runs of a binary", ...
    complete: bool  # all of the content was read as text (False: a real binary, only its text runs)
    # For a guess (UTF-16 without a byte-order mark): the content's bytes read the other way too — printable
    # runs, UTF-16 strings closed up — since the guess can be wrong for part of it (an ASCII head before UTF-16
    # text decodes to CJK-looking code units). For a real binary: its UTF-16 strings closed up, beside the plain
    # printable runs of `text`. Secrets are looked for in both; its newlines are the raw bytes'.
    alternate: str | None = None


def decode(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, "replace")
            if encoding == "utf-8":
                return Decoded(text, encoding, True, _runs(data) if b"\x00" in data else None)
            # A mark is the writer's word, and the bytes after it are what a program that ignores it reads (`cat`,
            # `source`, a config reader): plain ASCII behind `FF FE 00 00` decoded as UTF-32 only was U+FFFD, behind
            # `FF FE` CJK, and its key was never seen (red163). So the bytes' own printable runs are read too, and a
            # mark in front of what its encoding cannot read is no mark: the content is judged as if it had none.
            if _junk(text) <= _MAX_NOT_TEXT * len(text):
                return Decoded(text, encoding, True, _runs(data))
            continue
    if b"\x00" not in data:
        return Decoded(data.decode("utf-8", "replace"), "utf-8", True)
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return Decoded(data.decode(utf16, "replace"), f"{utf16} without a byte-order mark", True, _runs(data))
    without_nuls = data.replace(b"\x00", b"")
    if not without_nuls:
        return Decoded("", "NUL bytes only", True)
    # Counted on bytes with C-speed calls: a 2 MB binary must not cost a Python-level pass per character.
    controls = len(without_nuls) - len(without_nuls.translate(None, _CONTROL))
    text = without_nuls.decode("utf-8", "replace")
    if controls + text.count("\ufffd") <= _MAX_NOT_TEXT * len(without_nuls):
        return Decoded(text, "utf-8 with NUL bytes", True)
    utf16_text = _whole_utf16(data)
    if utf16_text is not None:
        return utf16_text
    # A real binary: keep its printable runs (what `strings` shows), NUL runs and control bytes as spaces
    # so that two runs never join into one token. UTF-16 strings inside it (what `strings -e l` / `-e b`
    # show: resources of Windows binaries, .NET string tables, or UTF-16 text after a prefix of odd length)
    # are closed up in the other reading, at either byte parity, so `A\0K\0I\0A…` reads `AKIA…`; the text
    # stays the plain runs, since closing up can join an ASCII string to the UTF-16 one beside it (a key
    # followed by big-endian `\0n\0a…` loses its last character to the run) and hide what the runs show.
    return Decoded(data.translate(_TO_SPACE).decode("utf-8", "replace"), "printable runs of a binary", False,
                   _runs(data))


def _junk(text: str) -> int:
    """Characters of decoded text that no text holds: replacement characters, control characters, NULs."""
    return text.count("\ufffd") + sum(text.count(chr(c)) for c in _CONTROL) + text.count("\x00")


def _runs(data: bytes) -> str:
    return _utf16_runs_closed(data).translate(_TO_SPACE).decode("utf-8", "replace")


# Four or more printable ASCII characters (tab included) as UTF-16 code units, little- or big-endian.
_UTF16_RUN = lazy(rb"(?:[\t\x20-\x7e]\x00){4,}|(?:\x00[\t\x20-\x7e]){4,}")


def _close_run(match: re.Match[bytes]) -> bytes:
    run = match.group()
    chars = run.replace(b"\x00", b"")
    return chars + b" " * (len(run) - len(chars))  # the same length: offsets and newlines stay put


def _utf16_runs_closed(data: bytes) -> bytes:
    return _UTF16_RUN.sub(_close_run, data)


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


def _whole_utf16(data: bytes) -> Decoded | None:
    """UTF-16 without a byte-order mark whose first 8000 bytes are not mostly ASCII (CJK text has no NUL
    byte at all): every NUL at the same parity, nearly every code unit in a block of written text, and no
    more junk than text holds. A binary read as UTF-16 fails the block test even when its NULs agree."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    for encoding, stray in (("utf-16-le", even), ("utf-16-be", odd)):
        if stray:
            continue
        high = data[1::2] if encoding == "utf-16-le" else data[0::2]
        if len(high.translate(None, _TEXT_HIGH)) > _MAX_NOT_TEXT * len(high):
            continue
        text = data.decode(encoding, "replace")
        if _junk(text) <= _MAX_NOT_TEXT * len(text):
            return Decoded(text, f"{encoding} without a byte-order mark", True, _runs(data))
    return None


# -- what a file means to the program that reads it, where that differs from its bytes ---------------------

# Shift sequences of stateful encodings (UTF-7's `+…-`, the escape codecs' `\u`, HZ's `~{`, ISO-2022's ESC):
# text written in ASCII that such an encoding reads as other characters.
_SHIFTS = (b"+AGUAdgBhAGw-", b"\\u0065\\x41\\101", b"~{<:~}", b"\x1b$B$\"\x1b(B", b"\x0e!!\x0f")
_PROBED: dict[str, tuple[bool, bool]] = {}


def _transparent(name: str) -> bool:
    """Whether an encoding reads ASCII bytes as themselves whatever surrounds them: every ASCII byte alone, the
    shift sequences of stateful encodings, and ASCII after any high byte (a double-byte encoding whose second
    byte can be ASCII — Shift_JIS, Big5, GBK — swallows a quote or a backslash there). UTF-8 and the
    single-byte ASCII supersets (latin-1, cp1252, koi8-r…) are; UTF-7, UTF-16, unicode_escape are not."""
    alone, after_high = _probe(name)
    return alone and after_high


def _ascii_alone_transparent(name: str) -> bool:
    """Whether an encoding reads text made only of ASCII bytes as itself: every ASCII byte, and the shift sequences
    of stateful encodings (UTF-7's `+…-`, the escape codecs', HZ's, ISO-2022's) — true of the double-byte
    encodings, whose difference needs a byte above 0x7F; false of every stateful one."""
    return _probe(name)[0]


def _probe(name: str) -> tuple[bool, bool]:
    """(ASCII alone is read as itself, ASCII after any high byte is too), once per encoding."""
    found = _PROBED.get(name)
    if found is None:
        with warnings.catch_warnings():  # unicode_escape warns of the invalid escapes the probes hold
            warnings.simplefilter("ignore")
            try:
                found = _run_probes(name)
            except (UnicodeError, LookupError, TypeError):
                found = (False, False)
        _PROBED[name] = found
    return found


def _run_probes(name: str) -> tuple[bool, bool]:
    ascii_ = bytes(range(128))
    if ascii_.decode(name) != ascii_.decode("ascii") or any(
            shift.decode(name, "replace") != shift.decode("ascii") for shift in _SHIFTS):
        return False, False
    tail = b"A\"'\\#\n"
    for high in range(128, 256):
        text = (bytes([high]) + tail).decode(name, "replace")
        if not text.endswith(tail.decode("ascii")) or any(ord(c) < 128 for c in text[: -len(tail)]):
            return True, False
    return True, True


# PEP 263 as CPython's tokenizer applies it (Parser/tokenizer.c, get_coding_spec / check_coding_spec): on the raw
# bytes of the first lines (newlines are translated first, so a line ends at CR, LF or CRLF), the first `coding`
# followed by `:` or `=` in a comment; line 2 only after a blank or comment line 1; nothing is decoded before.
# `python -x` (the Windows `.cmd` polyglot, red26/red27) skips the bytes up to the first LF — a CR does not end
# that line — and puts the LF back: its line 1 is blank and its line 2 is the text after that LF. A file is read
# both ways.
_COOKIE = lazy(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
_NOT_CODE = lazy(rb"^[ \t\f]*(?:#|$)")
_LINE_END = lazy(rb"\r\n|\r|\n")


def _declarations(data: bytes) -> list[tuple[str, int]]:
    """Each declaration a reading of the file honours — as `python file.py` and `import` read it, and as
    `python -x` reads it — as (encoding, offset of the line after the declaration's)."""
    found = []
    plain = _declaration_from(data, 3 if data.startswith(codecs.BOM_UTF8) else 0, bom=data.startswith(codecs.BOM_UTF8))
    if plain is not None:
        found.append(plain)
    skipped = data.find(b"\n")
    if skipped >= 0:
        # `-x`: line 1 is the LF put back (blank), line 2 what follows it.
        dash_x = _declaration_from(data, skipped + 1, bom=False, lines=1)
        if dash_x is not None and dash_x not in found:
            found.append(dash_x)
    return found


def _declaration_from(data: bytes, at: int, *, bom: bool, lines: int = 2) -> tuple[str, int] | None:
    """CPython's rule from offset `at`: a declaration on the first line, or on the second after a blank or comment
    first line (`lines`: how many lines may still hold one)."""
    for number in range(1, lines + 1):
        end = _LINE_END.search(data, at)
        line = data[at : end.start() if end else len(data)]
        found = _COOKIE.match(line)
        if found is not None:
            name = _normal_name(found.group(1).decode("ascii"))
            if number == 1 and bom and name != "utf-8":
                return None  # CPython refuses a BOM with another encoding
            return name, end.end() if end else len(data)
        if end is None or _NOT_CODE.match(line) is None:
            return None  # the end of the file, or a line of code: CPython stops looking
        at = end.end()
    return None


def head_holds_declarations(head: bytes) -> bool:
    """Whether the first bytes of a file hold every line a declaration may be on, in both readings: two whole
    lines, and a whole line after the first LF (what `python -x` reads)."""
    first = _LINE_END.search(head)
    second = _LINE_END.search(head, first.end()) if first else None
    lf = head.find(b"\n")
    return second is not None and lf >= 0 and _LINE_END.search(head, lf + 1) is not None


def _normal_name(name: str) -> str:
    """CPython's get_normal_name: UTF-8 and Latin-1 spellings to one name, anything else as written."""
    low = name[:12].lower().replace("_", "-")
    if low == "utf-8" or low.startswith("utf-8-"):
        return "utf-8"
    if low in ("latin-1", "iso-8859-1", "iso-latin-1") or low.startswith(("latin-1-", "iso-8859-1-", "iso-latin-1-")):
        return "iso-8859-1"
    return name


def python_source_encoding(data: bytes) -> str | None:
    """The encoding a file's PEP 263 declaration names (_declarations) when Python reads the file differently
    from its bytes: utf-7 (`+AGUAdgBhAGw-` is `eval`), unicode_escape (`\\u0065val`), utf-16, Shift_JIS… — what
    the scanners, reading the bytes as UTF-8, do not see. None without a declaration, for UTF-8 and the
    ASCII-transparent encodings (latin-1, cp1252), and for one no Python can use (an unknown name, rot13)."""
    found = python_source_encodings(data)
    return found[0] if found else None


def python_source_encodings(data: bytes, *, partial: bool = False) -> list[str]:
    """Every encoding a reading of the file declares (`python file.py`/`import`, `python -x`: red28, the two can
    name two) under which Python reads other characters than its bytes (python_source_encoding). A double-byte
    encoding (Shift_JIS, Big5, GBK) reads a file without a byte above 0x7F as its bytes: no report for the many
    legacy CJK files that are ASCII (`partial`: `data` is only the file's head, so that cannot be known)."""
    ascii_only = not partial and data.isascii()
    found: list[str] = []
    for name, _ in _declarations(data):
        if name not in found and _changes_reading(name, ascii_only):
            found.append(name)
    return found


def _changes_reading(name: str, ascii_only: bool = False) -> bool:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return False  # Python refuses the file: "unknown encoding"
    if canonical in ("utf-8", "utf-8-sig") or _transparent(canonical):
        return False
    if ascii_only and _ascii_alone_transparent(canonical):
        return False
    try:
        b"x".decode(name)
    except LookupError:
        return False  # not a text encoding (rot13): Python refuses the file
    except UnicodeError:
        pass
    return True


# Codecs a source may name that are pure Python and superlinear on hostile input (punycode: minutes for a
# megabyte, red26; idna runs through it). What they decode to adds only characters outside ASCII to the ASCII a
# file holds (punycode keeps every ASCII character before its last `-` and inserts non-ASCII ones), so the bytes
# reading holds every token they could: they are reported, not decoded.
_NOT_DECODED = frozenset({"punycode", "idna"})


def decode_python_source(data: bytes, encodings: str | list[str]) -> Decoded:
    """A source as Python reads it under each encoding a reading of it declares (python_source_encodings):
    `python file.py` reads the lines up to the declaration as bytes and decodes only what follows it
    (Parser/tokenizer.c, fp_setreadl), `python -x` the same from its own declaration's line, `import` decodes
    the whole file — an escape left open on a declaration's line (`\\N{` with unicode_escape) makes them differ
    (red26, red28). The first such reading is the text; the bytes read as UTF-8 and every other reading are the
    alternate: secrets are looked for in all. What a codec cannot decode Python refuses to run: read as bytes."""
    wanted = [encodings] if isinstance(encodings, str) else list(encodings)
    as_bytes = data.replace(b"\x00", b"").decode("utf-8", "replace")
    readings: list[str] = []
    for name, cut in _declarations(data):
        if name not in wanted or codecs.lookup(name).name in _NOT_DECODED:
            continue
        for reading in (data[:cut].decode("utf-8", "replace") + _decoded(data[cut:], name, as_bytes),
                        _decoded(data, name, as_bytes)):
            if reading not in readings:
                readings.append(reading)
    named = ", ".join(wanted)
    if not readings:
        return Decoded(as_bytes, f"declared {named} (read as its bytes)", True)
    return Decoded(readings[0], f"declared {named}", True, alternate="\n".join([as_bytes, *readings[1:]]))


def _decoded(data: bytes, encoding: str, fallback: str) -> str:
    try:
        return data.decode(encoding, "replace")
    except UnicodeError:  # a codec without error replacement
        try:
            return data.decode(encoding)
        except UnicodeError:
            return fallback


# A Git LFS pointer: the file's content is kept in an LFS store outside the repository and put in its place on
# checkout; git holds only `version …`, `oid sha256:…` and `size …` lines. Read as git-lfs reads one (lfs/pointer.go):
# the blob's first 1024 bytes, whitespace trimmed, blank lines skipped, `ext-` lines allowed, a version naming any
# of its three spec URLs (red25: git-media's and a leading newline were missed).
_LFS_VERSIONS = ("http://git-media.io/v/2", "https://hawser.github.com/spec/v1", "https://git-lfs.github.com/spec/v1")
_LFS_OID = lazy(r"oid sha256:[0-9a-f]{64}")
LFS_HEAD = 1024  # git-lfs's blobSizeCutoff: what it reads of a blob to decide


def lfs_pointer(data: bytes) -> bool:
    """Whether git-lfs would take a blob for a pointer (and put an LFS object in its place on checkout): its first
    non-blank line, after any `ext-` lines, names an LFS spec version, and a line is an `oid sha256:` id. A
    little wider than git-lfs (key order and `size` are not checked): what it would smudge is never missed."""
    lines = [line.rstrip("\r") for line in data[:LFS_HEAD].decode("utf-8", "replace").strip().split("\n")]
    lines = [line for line in lines if line and not line.startswith("ext-")]
    return (bool(lines) and lines[0].startswith("version ") and lines[0][8:].startswith(_LFS_VERSIONS)
            and any(_LFS_OID.fullmatch(line.strip()) for line in lines[1:]))


def without_cookie(text: str) -> str:
    """The text with a cookie-shaped comment on line 1 or 2 blank: bytes of it read by Python (bandit) are UTF-8
    (red120: a notebook's cell starting `# coding: utf-7` made bandit read `+ACM-` as `#`, and the call after it as a
    comment, where IPython ignores the cookie and runs the call). Lines end as Python ends them (red122: a file of
    lone CRs was one "line 1", cookie-shaped, and blank whole)."""
    head = _PYTHON_LINES.split(text, 2)
    # (Line 2 is a declaration only after a line 1 that is blank or a comment, as Python reads it: after `x = '''`
    # it is a string's text, or code after the string closes — red123.)
    cookies = [n for n, line in enumerate(head[:2])
               if COOKIE.match(line) and (n == 0 or _BLANK_OR_COMMENT.fullmatch(head[0]))]
    if not cookies:
        return text
    ends = [m.group() for m in _PYTHON_LINES.finditer(text)][:2]
    kept = ["" if n in cookies else line for n, line in enumerate(head)]
    return "".join(line + (ends[n] if n < len(ends) else "") for n, line in enumerate(kept[:2])) + (
        kept[2] if len(kept) > 2 else "")


_PYTHON_LINES = lazy(r"\r\n|\r|\n")
_BLANK_OR_COMMENT = lazy(r"[ \t\f]*(?:#.*)?")


def python_source(data: bytes) -> list[tuple[str, bool]] | None:
    """The texts Python runs from a source file's bytes when it reads them otherwise than a tool reading them as UTF-8
    with LF line ends would — each with its cookie blank and whether each of its lines is the same line of the bytes
    as git numbers them (False: a codec that writes newlines, UTF-7's `+AAo-`, or lone CRs, which end a line to
    Python and not to git). None when a tool reads the bytes as Python does.

    - Lone CRs (old Mac line ends): Python ends a line there, semgrep did not (red122: a CR-only module whose first
      line is a comment was one comment to it, and bandit's finding was then superseded by semgrep's silence).
    - A coding cookie (red120: `# +AAo-jsonpickle.decode(x)` in a UTF-7 module was a comment to semgrep, a call on a
      line of its own to Python). Two readings may differ (red26, red28, red122): `import` decodes the whole file,
      `python file.py` only what follows the cookie's line; each that decodes is given, the import one first. A codec
      Python does not know or that cannot decode the bytes: Python refuses that reading."""
    lone_cr = b"\r" in data and data.count(b"\r") != data.count(b"\r\n")  # (no copy of every Python file)
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if lone_cr else data
    plain = [(without_cookie(lines.decode("utf-8", "replace")), False)] if lone_cr else None
    if b"coding" not in b"\n".join(lines.split(b"\n", 2)[:2]):
        return plain
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(lines).readline)
        if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
            return plain
    except (SyntaxError, LookupError, UnicodeError, ValueError):
        return plain
    texts: list[str] = []
    for text in (_whole_reading(lines, encoding), _script_reading(lines, encoding)):
        if text is not None and text not in texts:
            texts.append(text)
    as_bytes = data.decode("utf-8", "replace")
    if not lone_cr and all(text == as_bytes for text in texts):
        return None  # (every reading Python makes is what a tool reads of the bytes)
    readings: list[tuple[str, bool]] = []
    for text in texts:
        try:
            aligned = not lone_cr and text.split("\n") == [line.decode(encoding).removesuffix("\r")
                                                            for line in data.split(b"\n")]
        except (UnicodeError, LookupError, ValueError):
            aligned = False
        # (A reading that is the bytes' own keeps its lines whatever the codec does with them.)
        readings.append((without_cookie(text), aligned or (not lone_cr and text == as_bytes)))
    return readings or plain


def _whole_reading(data: bytes, encoding: str) -> str | None:
    """`data` decoded whole (`import`'s reading); None when the codec fails on it (any codec error: red122's
    `undefined` and `punycode` raised a plain UnicodeError that stopped both code scanners for the whole range)."""
    if codecs.lookup(encoding).name in _NOT_DECODED:
        return None
    try:
        text = data.decode(encoding)
    except (UnicodeError, LookupError, ValueError):
        return None
    # (Python reads the decoded text with universal newlines: a CR the codec writes, `+AA0-`, ends a line — red123.)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _script_reading(data: bytes, encoding: str) -> str | None:
    """`python file.py`'s reading: the lines up to the cookie's as their bytes (ASCII, or UTF-8), the rest decoded
    (Parser/tokenizer.c, fp_setreadl)."""
    head = data.split(b"\n", 2)
    for n in range(min(2, len(head))):
        if _COOKIE.match(head[n]):
            cut = sum(len(line) + 1 for line in head[: n + 1])
            rest = _whole_reading(data[cut:], encoding)
            return None if rest is None else data[:cut].decode("utf-8", "replace") + rest
    return None
