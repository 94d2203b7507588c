"""What in-tree `.gitattributes` make git write on checkout instead of a file's blob: `working-tree-encoding`.

gitattributes(5): with `working-tree-encoding=<enc>` git keeps the blob in UTF-8 and converts it to <enc> (iconv)
when it writes the working tree, and back when it adds. The scanners read the blob; a clone holds the converted
bytes. With an EBCDIC code page (red30: `*.env working-tree-encoding=IBM037`) or UTF-16 the blob is harmless
looking text and every checkout writes `aws_access_key_id = AKIA…` in plain ASCII. It is built into git, so a
pushed `.gitattributes` is enough (a `filter=` driver needs the client's own configuration; LFS is scan/lfs-content).

Which encodings may apply to a path is read as a superset of git's answer: every `.gitattributes` git reads
for the path in the commit's tree (the root's and each parent directory's), every line whose pattern matches
it (gitignore-style, case-insensitively as on a checkout with core.ignorecase), the attribute set directly or
through a macro (`[attr]name …`, as git takes them from the root file), later lines' and deeper files' unsets
not subtracted. More encodings only mean more readings scanned.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
from collections.abc import Mapping

from gatekeeper import globs

ATTRIBUTE = "working-tree-encoding"
FILE = ".gitattributes"
_UTF8 = {"utf-8", "utf8"}


def attribute_files(path: str) -> list[str]:
    """The in-tree `.gitattributes` git reads for `path`: the root's, then each parent directory's."""
    parts = path.split("/")[:-1]
    return [FILE, *(f"{'/'.join(parts[: i + 1])}/{FILE}" for i in range(len(parts)))]


def checkout_encodings(path: str, files: Mapping[str, str]) -> list[str]:
    """Every `working-tree-encoding` value the `.gitattributes` texts in `files` (by their path in the tree) may
    give `path`, UTF-8 left out (git writes the blob as it is then), in the order first found."""
    root = files.get(FILE, "")
    macros = _macros(root) if ATTRIBUTE in root else {}
    found: list[str] = []
    for where in attribute_files(path):
        text = files.get(where)
        if text is None:
            continue
        base = where[: -len(FILE)]  # "" or "dir/sub/"
        relative = path[len(base):]
        for pattern, attrs in _lines(text):
            values = [v for a in attrs for v in _values(a, macros)]
            if values and _matches(pattern, relative):
                found.extend(v for v in values if v not in found and v.lower() not in _UTF8)
    return found


def python_codec(name: str) -> str | None:
    """The Python codec for an iconv encoding name as git passes it (`UTF-16LE-BOM` is git's own: UTF-16LE with
    a byte-order mark); None when Python has none."""
    base = name[:-4] if name.upper().endswith("-BOM") else name
    try:
        return codecs.lookup(base).name
    except LookupError:
        return None


def checkout_bytes(blob: bytes, encoding: str) -> list[bytes]:
    """What a checkout may write for `blob` under `encoding`: the blob's UTF-8 text encoded (both byte orders where
    the name leaves it open: iconv's `UTF-16` is big-endian, Python's native). Empty when Python cannot."""
    codec = python_codec(encoding)
    if codec is None:
        return []
    text = blob.decode("utf-8", "replace")
    bom = encoding.upper().endswith("-BOM")
    names = {"utf-16": ["utf-16-le", "utf-16-be"], "utf-32": ["utf-32-le", "utf-32-be"]}.get(codec, [codec])
    written: list[bytes] = []
    for name in names:
        try:
            data = text.encode(name, "replace")
        except (UnicodeError, LookupError, TypeError):
            continue
        if bom or codec in ("utf-16", "utf-32"):
            data = "\ufeff".encode(name) + data
        written.append(data)
    return written


def _macros(root: str) -> dict[str, list[str]]:
    """`[attr]name attrs…` definitions → the encodings each sets (through other macros too)."""
    raw: dict[str, list[str]] = {}
    for line in root.splitlines():
        line = line.strip()
        if line.startswith("[attr]"):
            name, *attrs = line[6:].split()
            raw[name] = attrs
    resolved: dict[str, list[str]] = {}

    def resolve(name: str, seen: frozenset[str]) -> list[str]:
        if name in resolved:
            return resolved[name]
        values: list[str] = []
        for attr in raw.get(name, ()):
            key, _, value = attr.partition("=")
            if key == ATTRIBUTE and value:
                values.append(value)
            elif not attr.startswith(("-", "!")) and attr in raw and attr not in seen:
                values.extend(resolve(attr, seen | {attr}))
        resolved[name] = values
        return values

    for name in raw:
        resolve(name, frozenset({name}))
    return resolved


def _values(attr: str, macros: Mapping[str, list[str]]) -> list[str]:
    key, _, value = attr.partition("=")
    if key == ATTRIBUTE:
        return [value] if value else []
    return list(macros.get(attr, ())) if not attr.startswith(("-", "!")) else []


def _lines(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, attributes) of each line; a quoted pattern (C-style, as git writes one with spaces) unquoted."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("[attr]"):
            continue
        if line.startswith('"'):
            end = line.find('"', 1)
            while end > 0 and line[end - 1] == "\\":
                end = line.find('"', end + 1)
            if end < 0:
                continue
            pattern, rest = _unquote(line[1:end]), line[end + 1 :]
        else:
            pattern, *others = line.split(None, 1)
            rest = others[0] if others else ""
        found.append((pattern, rest.split()))
    return found


def _unquote(text: str) -> str:
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeError:
        return text


def _matches(pattern: str, relative: str) -> bool:
    """gitignore-style (gitattributes(5)): no slash but a trailing one → the file's name at any depth; otherwise
    the path from the attributes file's directory (`**` across directories). A pattern for directories only
    (trailing slash) never names a file. Case-insensitive: a checkout on macOS or Windows ignores case."""
    if not pattern or pattern.endswith("/"):
        return False
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if "/" not in pattern and not anchored:
        return fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1].lower(), pattern.lower())
    return _glob(pattern.lower()).fullmatch(relative.lower()) is not None


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(globs.translate(pattern, classes=True), re.DOTALL)
