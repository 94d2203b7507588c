"""Code that lives inside another file format, handed to the code scanners as the language it is (red107).

A Jupyter notebook's code cells are Python stored as JSON strings; the `<script>` blocks of an HTML page, a Vue or a
Svelte component are JavaScript or TypeScript inside markup. semgrep and bandit read neither, so `os.system(...)` in
a cell or `eval(location.hash)` in a component reached no code scanner. `embedded_code` returns that code as a text
of the same number of lines, each piece of code on the line it holds in the file and everything else blank, so a
finding's line is the file's own line and the added-line filter reads the file's own diff.

Only what the file itself says is code counts: a notebook's `code` cells when its kernel's language is Python (or it
names none), a `<script>` block without a `type` or with a JavaScript one (`module`, `text/javascript`, ...), read as
TypeScript when its `lang` says so. Notebook magics (`%matplotlib`, `!pip install`) are not Python and become `pass`,
except those that run the Python after them (`%time x`, a `%%capture` cell); a cell that is all another language
(`%%bash`) is left out. A notebook whose cells cannot be placed line by line (not
written one string per line, as Jupyter writes them) is still scanned, its code from line 1, and then `placed` is
False: every line of it counts as added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NOTEBOOK = ".ipynb"
MARKUP = frozenset({".html", ".htm", ".xhtml", ".vue", ".svelte"})
EMBEDDING = frozenset({NOTEBOOK, *MARKUP})
# What each embedding extension can hold: a tool that reads none of these languages never asks for the file.
LANGUAGES = {NOTEBOOK: ("python",), **{ext: ("javascript", "typescript") for ext in MARKUP}}

# A start tag, and an end tag that ends at `</script` whatever follows it (`</script/>`, `</script x>`), as browsers
# read it (red110). The two are found one after the other (_scripts), never by one lazy pattern: with thousands of
# start tags and no end tag that pattern read the rest of the file from each one (quadratic, review).
_SCRIPT_START = re.compile(r"<script\b", re.IGNORECASE)
_SCRIPT_END = re.compile(r"</script\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_JS_TYPES = frozenset({"", "module", "text/jsx", "text/babel", "text/typescript", "application/typescript"})
# The MIME types browsers run as JavaScript, the legacy ones included (red110: `text/x-javascript`).
_JS_MIME = re.compile(r"(?:text|application)/(?:x-)?(?:javascript|ecmascript)(?:1\.[0-5])?|text/(?:jscript|livescript)")
_TS = frozenset({"ts", "typescript", "tsx"})
_MAGIC = re.compile(r"\A([ \t]*)[%!]")
# IPython magics that run the Python after them (`%time os.system(x)`, a `%%capture` cell): that code is read; any
# other magic reads as `pass`, and a cell under another language's magic (`%%bash`, `%%html`, `%%writefile`) is not
# Python at all (red110: `%%time` hid a whole cell).
_RUNS_PYTHON = frozenset({"time", "timeit", "prun", "capture", "debug", "tracemalloc"})
_LINE_RUNNING = re.compile(r"\A([ \t]*)%(\w+)(?:[ \t]+-[\w-]+(?:[ \t]+\d+)?)*[ \t]+(.+)\Z")
_CELL_MAGIC = re.compile(r"\A[ \t]*%%(\w+)")
_NOT_NEWLINE = re.compile(r"[^\n]")


@dataclass(frozen=True, slots=True)
class Embedded:
    language: str  # "python" | "javascript" | "typescript"
    text: str  # the code at the file's own line numbers, everything else blank
    placed: bool = True  # False: the code could not be placed at its lines (every line counts as added)


def embedded_code(extension: str, data: bytes) -> Embedded | None:
    """The code a notebook or a markup file holds (by its extension, lower case with the dot); None when it holds
    none, or is not what its name says (a notebook that is not JSON)."""
    text = data.decode("utf-8", "replace")
    if extension == NOTEBOOK:
        return _notebook(text)
    if extension in MARKUP:
        return _markup(text)
    return None


def _markup(text: str) -> Embedded | None:
    pieces: list[str] = []
    at = 0
    typescript = False
    found = False
    for attrs, body_start, body_end in _scripts(text):
        attributes: dict[str, str] = {}
        for m in _ATTRIBUTE.finditer(attrs):
            # The first of a repeated attribute counts, as browsers read it (red110).
            attributes.setdefault(m.group(1).lower(), m.group(2) or m.group(3) or m.group(4) or "")
        kind = attributes.get("type", "").strip().lower()
        body = text[body_start:body_end]
        if (kind not in _JS_TYPES and not _JS_MIME.fullmatch(kind.split(";")[0].strip())) or not body.strip():
            continue
        found = True
        typescript = typescript or attributes.get("lang", "").strip().lower() in _TS or "typescript" in kind
        pieces.append(_NOT_NEWLINE.sub(" ", text[at:body_start]))
        pieces.append(body)
        at = body_end
    if not found:
        return None
    pieces.append(_NOT_NEWLINE.sub(" ", text[at:]))
    return Embedded("typescript" if typescript else "javascript", "".join(pieces))


def _scripts(text: str) -> Iterator[tuple[str, int, int]]:
    """(attributes, body start, body end) of each `<script>` element, in one pass over the text."""
    at = 0
    while (start := _SCRIPT_START.search(text, at)) is not None:
        close = text.find(">", start.end())
        if close < 0:
            return  # a start tag never closed: no later one is either
        end = _SCRIPT_END.search(text, close + 1)
        if end is None:
            return  # no end tag after this start tag: none after any later one either
        yield text[start.end():close], close + 1, end.start()
        at = end.end()


def _notebook(text: str) -> Embedded | None:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    cells = document.get("cells")
    if cells is None and isinstance(document.get("worksheets"), list):  # nbformat 3
        cells = [c for w in document["worksheets"] if isinstance(w, dict) for c in (w.get("cells") or [])]
    if not isinstance(cells, list) or not _python(document):
        return None
    sources = [_lines(cell) for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    sources = [source for source in sources if source and _python_cell(source[0])]
    if not sources:
        return None
    lines = text.split("\n")
    out = [""] * len(lines)
    at = 0
    for source in sources:
        for piece in source:
            index = _next_line(lines, at, piece)
            if index is None:
                code = "\n".join(_code(p) for s in sources for p in s)
                return Embedded("python", code + "\n", placed=False)
            out[index] = _code(piece)
            at = index + 1
    return Embedded("python", "\n".join(out))


# Cell magics whose body is Python run another way: `%%python3`, `%%script python3`, `%%writefile job.py` (then
# `%run job.py`; red111).
_PYTHON_CELL = re.compile(r"[ \t]*%%(?:python[23]?|pypy3?|script(?:[ \t]+--?[\w-]+(?:[ \t]+[^\s-]\S*)?)*[ \t]+\S*python"
                          r"[\w.]*|(?:writefile|file)(?:[ \t]+(?:-a|--append))?[ \t]+\S+\.pyw?)\b", re.IGNORECASE)


def _python_cell(first: str) -> bool:
    magic = _CELL_MAGIC.match(first)
    return magic is None or magic.group(1) in _RUNS_PYTHON or _PYTHON_CELL.match(first) is not None


def _python(document: dict[str, Any]) -> bool:
    """Whether the notebook may run Python: the kernel Jupyter starts is the one `kernelspec.name` names (red110: a
    `language` of "R" beside `name: python3` runs Python), but that name is often the user's own (red111); so it is
    Python unless neither its name nor a stated language says Python."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    said: list[bool] = []  # what each of the kernel's name and the stated languages says: Python or not
    spec = metadata.get("kernelspec")
    if isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec["name"].strip():
        name = spec["name"].strip().lower()
        said.append("python" in name or name.startswith(("ipykernel", "py")))
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str) and value[field].strip():
            said.append(value[field].strip().lower() in ("python", "python3", "python2", "ipython", "ipython3"))
    # Python when any of them says so (a virtualenv kernel is named as its user chose: `myproject`, language
    # python — red111), or when none says anything: read rather than left out.
    return not said or any(said)


def _lines(cell: dict[str, Any]) -> list[str]:
    source = cell.get("source", cell.get("input", []))
    if isinstance(source, str):
        return source.splitlines(keepends=True)
    if isinstance(source, list):
        return [piece for piece in source if isinstance(piece, str)]
    return []


def _next_line(lines: list[str], start: int, piece: str) -> int | None:
    """The first line from `start` that is the JSON string `piece` alone (with its comma), as Jupyter writes a cell
    line; None when there is none (a piece holding several lines is never one file line)."""
    if "\n" in piece.rstrip("\n"):
        return None
    for index in range(start, len(lines)):
        stripped = lines[index].strip().removesuffix(",")
        if stripped.startswith('"') and stripped.endswith('"'):
            try:
                if json.loads(stripped) == piece:
                    return index
            except ValueError:
                continue
    return None


def _code(piece: str) -> str:
    line = piece.rstrip("\r\n")
    running = _LINE_RUNNING.match(line)
    if running is not None and running.group(2) in _RUNS_PYTHON:
        return f"{running.group(1)}{running.group(3)}"
    magic = _MAGIC.match(line)
    return f"{magic.group(1)}pass" if magic else line
