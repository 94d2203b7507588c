"""What in-tree `.gitattributes` make git write on checkout instead of a file's blob: `working-tree-encoding`.

gitattributes(5): with `working-tree-encoding=<enc>` git keeps the blob in UTF-8 and converts it to <enc> (iconv)
when it writes the working tree, and back when it adds. The scanners read the blob; a clone holds the converted
bytes. With an EBCDIC code page (red30: `*.env working-tree-encoding=IBM037`) or UTF-16 the blob is harmless
looking text and every checkout writes `aws_access_key_id = AKIA…` in plain ASCII. It is built into git, so a
pushed `.gitattributes` is enough (a `filter=` driver needs the client's own configuration; LFS is scan/lfs-content).

Which encoding applies is git's own answer (Git.checkout_attribute: `check-attr` on the commit's tree); this
module finds which `.gitattributes` git reads for a path, and writes what a checkout writes.
"""

from __future__ import annotations

import codecs

ATTRIBUTE = "working-tree-encoding"
FILE = ".gitattributes"
# Codecs whose output Python and iconv do not agree on: stateful ones choose where to shift, and glibc's UTF-7
# encodes `!`, `_` and `=` where Python writes them plainly (red31: a key only iconv's output spells); glibc's
# CP1258 decomposes letters it has no precomposed byte for (`Ṕ` → `P` and a combining byte) where Python writes
# `?` (red33). What a checkout writes under them is not computed here: the finding says so, at the severity of
# a secret. (CP932 and Big5 also differ, but put a non-ASCII byte before every ASCII one: they spell no key.)
_UNMODELLED = frozenset({"utf-7", "cp1258", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
                         "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr", "hz"})


def attribute_files(path: str) -> list[str]:
    """The in-tree `.gitattributes` git reads for `path`: the root's, then each parent directory's."""
    parts = path.split("/")[:-1]
    return [FILE, *(f"{'/'.join(parts[: i + 1])}/{FILE}" for i in range(len(parts)))]


def python_codec(name: str) -> str | None:
    """The Python codec that writes what iconv writes for an encoding name as git passes it (`UTF-16LE-BOM` is
    git's own: UTF-16LE with a byte-order mark); None when Python has none, or one that writes otherwise."""
    bom = name.upper().endswith("-BOM")
    try:
        codec = codecs.lookup(name[:-4] if bom else name).name
    except LookupError:
        return None
    if codec in _UNMODELLED or (bom and not codec.startswith(("utf-16", "utf-32"))):
        return None  # iconv knows `-BOM` names only for UTF-16/32 (git's own spelling): another is no encoding
    return codec


def checkout_bytes(blob: bytes, encoding: str) -> list[bytes]:
    """What a checkout may write for `blob` under `encoding`: the blob's UTF-8 text encoded (both byte orders where
    the name leaves it open: iconv's `UTF-16` is big-endian, Python's native). Empty when it cannot be computed."""
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
            if bom or codec in ("utf-16", "utf-32"):
                data = "\ufeff".encode(name) + data  # a single-byte codec cannot write one (red32: latin1-BOM)
        except (UnicodeError, LookupError, TypeError):
            continue
        written.append(data)
    return written
