"""Code that lives inside another file format, handed to the code scanners as the language it is (red107).

A Jupyter notebook's code cells are Python stored as JSON strings; the `<script>` blocks of an HTML page, a Vue or a
Svelte component are JavaScript or TypeScript inside markup. semgrep and bandit read neither, so `os.system(...)` in
a cell or `eval(location.hash)` in a component reached no code scanner. `embedded_code` returns that code as a text
of the same number of lines, each piece of code on the line it holds in the file and everything else blank, so a
finding's line is the file's own line and the added-line filter reads the file's own diff. The file is decoded as
the other files are (scan.text: a byte-order mark, UTF-16; red114) before anything is read from it — and a page whose
encoding that had to guess, once more in the one its `<meta charset>` names (red125).

Notebooks. A notebook's `code` cells count when its kernel's language is Python (or it names none) — in an SoS
notebook, the cells whose own kernel is SoS or Python — each read as the Python IPython runs (red114; IPython's
inputtransformer2 and prefilter are the reference):
- escapes at the start of a logical line: `%magic`, `!cmd`, `?x` are not Python and become `pass`, except the magics
  that run the Python after them (`%time x`, `%timeit -n1 x`, `%prun`, `%debug`), whose code is read; `/f a b` is
  `f(a, b)`, `,f a b` is `f("a", "b")`, `;f a b` is `f("a b")`; `x = %time f()` is `x = f()`; `name?` is `pass`;
- a line magic nobody ships (a user's own, an `%alias_magic` alias) is read for its argument when that is Python;
- a one-line cell whose first word is a magic is that magic (automagic: `time os.system(x)`);
- a cell magic's body is a cell of its own: read as Python unless the magic is known to run another language
  (`%%bash`, `%%html`, `%%javascript`, `%%script` naming a program that is not Python, `%%writefile` of a file that
  is not Python and that the notebook does not run) — and no magic is trusted in a notebook that registers its
  own, changes how IPython reads cells (input or AST transformers) or loads an extension the gate does not know
  (`%load_ext`, a `load_ipython_extension` call) or one whose name the repository holds as a module where the
  kernel starts (`sql.py` or a `sql/` package in the notebook's directory or one above it, told by the workspace):
  every cell magic's body is Python, every line magic's argument is read when it is Python. The cells left out are
  named in the scan's notes.
bandit reads nothing of a file Python cannot parse, or whose syntax nests past its recursive walk: for it
(`whole`), each cell is parsed on its own, one that does not parse statement by statement, and only the top-level
statements that do not parse (or nest too deep) are left out of its copy (`Embedded.unread`, `readable`), each then
reported at its own lines — one broken cell no longer hides the notebook.
A notebook whose cells cannot be placed line by line (not written one string per line, as Jupyter writes them, or a
string holding several of Python's lines: `\\r`) is still scanned, its code from line 1, and then `placed` is False:
every line of it counts as added. A notebook that is JSON the gate cannot read (nested past the parser's depth) is
`Unreadable`: the caller reports it, blocking; one that starts as JSON but is not valid JSON (a merge conflict
left in it) is `Unreadable` too, as a note, since Jupyter cannot open it either; text that is no JSON at all is not
a notebook. An nbformat 3 notebook's `worksheets` are read, beside any `cells` list.

Markup (`.html`, `.htm`, `.xhtml`, `.svg`, `.vue`, `.svelte`). A `<script>` block without a `type` or with a
JavaScript one (`module`, `text/javascript`, ...) is read, as TypeScript when its `lang` says so (in `.xhtml` and
`.svg`, which a browser reads as XML, once more as markup: its character references decoded) — found as the HTML
tokenizer finds it (comments, quoted attribute values, RCDATA/RAWTEXT elements, the script data escape states), in
linear time (_Tokenizer). So is the code of a start tag's event handler attributes (`onclick`, `onerror`, ... — the
names browsers compile, not a component's `onIcon` prop), `javascript:` URLs (`href`, `src`, `action`, ...) and a
script element's `data:` source (whose script runs with the page's origin), decoded as the browser decodes them (a
URL's tabs and newlines removed wherever they are, as the URL parser removes them), each in a function of its own on
the value's lines, in a text of their own (`Embedded.attributes`, scanned as a file of its own: no value can run on
into a script), and only a value that stands alone as code (a `/*` or a backtick that another value closes runs
nothing in a browser); and once more as written (comments kept, no wrapper, each value a file of its own:
`Embedded.values`; once more where a server template's tag was blank, with the tag as written), for where the small
lexer that decides "stands alone" misjudges a slash. A Svelte component's `onclick={…}` and `on:click={…}` are the
expressions in their braces (one whose end the gate does not find is said in the scan's notes). Not read: Vue's
`@click`/`v-on:` expressions, an iframe's `srcdoc` page (said in the scan's notes).

Markdown (`.md`, `.markdown`): its raw HTML is the page's, as a site generator renders it (Jekyll, MkDocs, Hugo pass
it through; github.com's README view strips scripts, a Pages site does not). It is read as markup once its fenced code
blocks are blank (an example in a code block runs nothing): only a fence every common renderer reads as one — at the
line's start, closed by the very same fence, not inside a raw HTML block (where CommonMark sees no fence). A fence
that is not closed, an indented code block and a code span are read as markup: what the gate cannot be sure is code,
it reads. Not read: MDX (JSX, not HTML).
"""

from __future__ import annotations

import ast
import base64
import codecs
import html
import html.entities
import json
import re
import shlex
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gatekeeper.lazy_regex import LazyPattern, lazy
from gatekeeper.scan.embedding import KNOWN_EXTENSIONS as _KNOWN_EXTENSIONS
from gatekeeper.scan.embedding import MARKDOWN, MARKUP, NOTEBOOK, XML_MARKUP, Unread, Unreadable
from gatekeeper.scan.interpreters import interpreter_language, launched_program
from gatekeeper.scan.text import decode, without_cookie


@dataclass(frozen=True, slots=True)
class Embedded:
    language: str  # "python" | "javascript" | "typescript"
    text: str  # the code at the file's own line numbers, everything else blank
    placed: bool = True  # False: the code could not be placed at its lines (every line counts as added)
    left_out: str = ""  # what of the file was not read as code, and why (a notebook's cells of another language)
    unread: tuple[Unread, ...] = ()  # embedded_code(whole=True): what bandit could not read
    # A page's event handlers and javascript: URLs, at their own lines, everything else blank: a text of its own, so
    # that no attribute's code can run on into the page's scripts (red120) — the browser compiles each on its own.
    attributes: str = ""
    # Each value again as written (decoded, comments kept, no wrapper, after a `;`), a text of its own at the value's
    # lines (the lines before it blank): where the lexer that reads `attributes` mistakes a division for a regular
    # expression or the reverse, no value can hide another here (red123, red124). The first VALUE_FILES values.
    values: tuple[str, ...] = ()

    def readable(self) -> str:
        """The text with the unread lines blank: what parses, each cell's code at its own lines — and a notebook's
        cookie-shaped comment on line 1 or 2 blank, which would make a tool reading the text's bytes as Python
        decode them otherwise (text.without_cookie; red120)."""
        text = self.text
        if self.unread:
            lines = text.split("\n")
            for region in self.unread:
                lines[region.first - 1:region.last] = [""] * (region.last - region.first + 1)
            text = "\n".join(lines)
        return without_cookie(text) if self.language == "python" else text


def embedded_code(extension: str, data: bytes, *, whole: bool = False,
                  modules: frozenset[str] = frozenset()) -> Embedded | None:
    """The code a notebook or a markup file holds (by its extension, lower case with the dot); None when it holds
    none, or is not what its name says (a notebook that is not JSON). Raises Unreadable for a notebook that is JSON
    the gate cannot read. `whole`: for a tool that reads nothing of a file unless all of it parses (bandit), say
    which of a notebook's lines it cannot read (`Embedded.unread`), cell by cell. `modules`: the top-level module
    names the notebook's repository holds where its kernel may start (its directory and those above it): an
    extension the gate knows by such a name is that module, not the known one."""
    # Decoded as every other file is (red114: a UTF-16 page, a notebook with a byte-order mark were read as UTF-8
    # and held "no code"); newlines stay where they are.
    decoded = decode(data)
    text = decoded.text
    if extension == NOTEBOOK:
        return _notebook(text, whole=whole, modules=modules)
    if extension in MARKUP:
        found = _markup(text, extension)
        if not decoded.encoding.endswith(_GUESSED):
            return found
        # (A guess — UTF-16 without a byte-order mark, text with NUL bytes: a browser never reads a page so, it reads
        # it in the encoding its `<meta>` names or, naming none it knows, as an ASCII-compatible default (red125:
        # `<meta charset="utf-8">` before 8,000 bytes of `a\0` is UTF-8 to it, and its script runs; red132: with no
        # meta at all too). A server's header may still say UTF-16: both are read.)
        other = _markup(_web_decode(data, _declared(data)), extension)
        if other is None:
            return found
        more = tuple(part for part in (other.text, other.attributes, *other.values) if part.strip())
        if found is None:
            return Embedded(other.language, "", left_out=other.left_out, values=more)
        return Embedded(found.language, found.text, left_out="; ".join(filter(None, (found.left_out, other.left_out))),
                        attributes=found.attributes, values=found.values + more)
    return None


# What scan.text says of an encoding it guessed (no byte-order mark told it).
_GUESSED = ("without a byte-order mark", "with NUL bytes")
# A `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">`, in the first 1,024 bytes, where
# the HTML standard's prescan looks.
_META_CHARSET = lazy(rb"""<meta[^>]*?charset[\t\n\f\r ]*=[\t\n\f\r "']*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _declared(data: bytes) -> str | None:
    """The encoding label a page's `<meta>` names in the first 1,024 bytes, as written; None without one."""
    found = _META_CHARSET.search(data[:1024])
    return found.group(1).decode("ascii") if found is not None else None


def _web_codec(label: str | None) -> str:
    """The Python codec a browser's reading of an encoding label comes to: a text encoding Python knows by that
    name, UTF-8 for UTF-16 and UTF-32 (the HTML standard reads a `<meta>` naming them so) and for any label no
    browser decodes with (red132: `rot13`, `base64`, `idna`, `punycode` are codecs to Python, none to a browser — a
    non-text codec crashed the gate, idna failed the semgrep run); windows-1252 for `x-user-defined`."""
    if not label:
        return "utf-8"
    folded = label.strip().lower()
    if folded == "x-user-defined":
        return "cp1252"
    try:
        info = codecs.lookup(folded)
    except LookupError:
        return "utf-8"
    name = info.name
    if (not getattr(info, "_is_text_encoding", True) or name in _NOT_WEB_CODECS
            or name.startswith(("utf-16", "utf-32"))):
        return "utf-8"
    return name


# Text codecs of Python's that no browser reads a page or a script with.
_NOT_WEB_CODECS = frozenset({"idna", "punycode", "undefined", "utf-7", "raw-unicode-escape", "unicode-escape",
                             "palmos", "mbcs", "oem", "cp65001"})


def _web_decode(data: bytes, label: str | None) -> str:
    """`data` decoded as a browser would in the encoding `label` names (_web_codec); never raises."""
    try:
        return data.decode(_web_codec(label), "replace")
    except (LookupError, UnicodeError, ValueError):
        return data.decode("utf-8", "replace")


# -- notebooks ----------------------------------------------------------------------------------------------------

def _notebook(text: str, *, whole: bool, modules: frozenset[str]) -> Embedded | None:
    try:
        document = json.loads(text)
    except RecursionError:
        # (red114: metadata nested 3,000 deep — JavaScript's JSON.parse reads it, an editor runs its cells.)
        raise Unreadable("notebook nested deeper than the gate's JSON parser reads; its cells were not scanned",
                         blocking=True) from None
    except ValueError as exc:
        if text.lstrip().startswith("{"):
            raise Unreadable(f"notebook is not valid JSON ({_position(exc)}); Jupyter cannot open it either, and "
                             "its cells were not scanned", blocking=False) from None
        return None
    if not isinstance(document, dict):
        return None
    cells: list[Any] | None = document["cells"] if isinstance(document.get("cells"), list) else None
    if isinstance(document.get("worksheets"), list):
        # nbformat 3: nbformat's v3 reader upgrades the worksheets whatever a `cells` list beside them holds (and v4
        # reads `cells`): both are read.
        cells = (cells or []) + [cell for sheet in document["worksheets"] if isinstance(sheet, dict)
                                 and isinstance(sheet.get("cells"), list) for cell in sheet["cells"]]
    if cells is None:
        return None
    code_cells = [cell for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    other_kernels: list[str] = []  # an SoS notebook's cells on another kernel: the kernels they name
    runs_python = _sos_cells(document)
    if runs_python is not None:
        other_kernels = [str(cell["metadata"]["kernel"]) for cell in code_cells if not runs_python(cell)]
        code_cells = [cell for cell in code_cells if runs_python(cell)]
    elif not _python(document):
        return None
    sources = [source for source in map(_lines, code_cells) if source]
    if not sources:
        return None
    notebook = _Notebook(sources, modules)
    # (the cell's pieces, its code line by line, what of it bandit cannot read: code lines, first and last)
    read: list[tuple[list[str], list[str], list[tuple[int, int, str, bool]]]] = []
    placed = True
    budget = _Budget()
    for source in sources:
        lines, one_for_one = _split(source)
        code = notebook.cell(lines)
        if code is None:
            continue
        placed = placed and one_for_one
        read.append((source, code, _unread(code, budget) if whole else []))
    left_out = "; ".join(filter(None, [
        notebook.left_out(), f"{len(other_kernels)} cell(s) of an SoS notebook on another kernel "
        f"({', '.join(sorted(set(other_kernels)))}) not read as Python" if other_kernels else ""]))
    if not read:
        return Embedded("python", "", left_out=left_out) if left_out else None
    if placed:
        lines = text.split("\n")
        out = [""] * len(lines)
        at = 0
        rows: list[list[int]] = []  # each cell's code lines' indexes in `out`
        for source, code, _ in read:
            row: list[int] = []
            for piece, line in zip(source, code, strict=True):
                index = _next_line(lines, at, piece)
                if index is None:
                    placed = False
                    break
                out[index] = line
                row.append(index)
                at = index + 1
            if not placed:
                break
            rows.append(row)
        else:
            return Embedded("python", "\n".join(out), left_out=left_out, unread=_regions(read, rows))
    rows, at = [], 0
    for _, code, _ in read:
        rows.append(list(range(at, at + len(code))))
        at += len(code)
    return Embedded("python", "\n".join(line for _, code, _ in read for line in code) + "\n", placed=False,
                    left_out=left_out, unread=_regions(read, rows))


def _regions(read: list[tuple[list[str], list[str], list[tuple[int, int, str, bool]]]],
             rows: list[list[int]]) -> tuple[Unread, ...]:
    return tuple(Unread(row[first] + 1, row[last] + 1, reason, deep)
                 for (_, _, unread), row in zip(read, rows, strict=True) for first, last, reason, deep in unread)


# bandit walks a syntax tree recursively, one frame a level: past ~990 levels (Python 3.11, its default recursion
# limit) it gives up on the whole file. A cell nested deeper is left out of its reading, with this margin.
_BANDIT_DEPTH = 500
# Parses spent reading a notebook's broken cells statement by statement; past them, a broken cell is left out whole
# (a hostile notebook of thousands of broken statements costs a bounded time, still linear in its size).
_STATEMENT_PARSES = 10_000
# Lines that continue the statement before them at the same indentation.
_CONTINUES = lazy(r"(?:else|elif|except|finally)(?![\w])")


class _Budget:
    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = _STATEMENT_PARSES


def _unread(code: list[str], budget: _Budget) -> list[tuple[int, int, str, bool]]:
    """What of a cell's code (line by line, as it runs) bandit cannot read: (first, last line index, why, whether it
    runs). A cell Python cannot parse is read statement by statement — IPython runs none of it, but the converter may
    have missed IPython syntax that it runs (a magic on a continued line): only the top-level statements that do not
    parse on their own are left out."""
    problem = _problem("\n".join(code))
    if problem is None:
        return []
    unread: list[tuple[int, int, str, bool]] = []
    kept = list(code)
    for start, end in _statements(code):
        if budget.left <= 0:
            unread.append((start, len(code) - 1, problem[0], problem[1]))
            kept[start:] = [""] * (len(code) - start)
            break
        budget.left -= 1
        part = _problem("\n".join(code[start:end]))
        if part is not None:
            unread.append((start, end - 1, *part))
            kept[start:end] = [""] * (end - start)
    if _problem("\n".join(kept)) is not None:
        # (The statements that parse alone do not parse together: the cell is left out whole.)
        unread = [(0, len(code) - 1, *problem)]
    trimmed = []
    for first, last, reason, deep in unread:
        while first < last and _blank(code[first]):
            first += 1
        while last > first and _blank(code[last]):
            last -= 1
        trimmed.append((first, last, reason, deep))
    return trimmed


def _problem(code: str) -> tuple[str, bool] | None:
    """Why bandit cannot read this code — (why, whether Python runs it) — or None when it can."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
    except SyntaxError as exc:
        return f"Python cannot parse it: {exc.msg}", False
    except ValueError as exc:  # (a NUL character)
        return f"Python cannot parse it: {exc}", False
    except (RecursionError, MemoryError):
        # (The syntax tree is built recursively, within what is left of the recursion limit: Python compiles
        # and runs what this process may not turn into a tree.)
        return "its syntax nests too deep for a syntax tree of it to be built", True
    depth = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _BANDIT_DEPTH:
            return f"its syntax nests more than {_BANDIT_DEPTH} levels deep, past what bandit reads", True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _statements(code: list[str]) -> list[tuple[int, int]]:
    """The cell's top-level statements as (first line index, end): each starts at column 0 where a logical line
    starts (as _Lexer reads the lines); `else:`/`except:`/... stay with the statement before them, decorators with
    the one after them."""
    spans: list[tuple[int, int]] = []
    start = 0
    decorating = False
    lexer = _Lexer()
    for index, line in enumerate(code):
        if lexer.starts():
            lexer.assigned = False
            if (index and line[:1] not in ("", " ", "\t", "\f", "#") and not decorating
                    and not _CONTINUES.match(line)):
                spans.append((start, index))
                start = index
            if line[:1] not in ("", " ", "\t", "\f", "#"):
                decorating = line.startswith("@")
        lexer.feed(line)
    spans.append((start, len(code)))
    return spans


def _position(exc: ValueError) -> str:
    return f"line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "not JSON"


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


def _sos_cells(document: dict[str, Any]) -> Callable[[dict[str, Any]], bool] | None:
    """For an SoS notebook (the polyglot kernel `sos`), whether a cell runs Python: each runs in the kernel its
    metadata names (a display name the notebook's `sos.kernels` table maps to a kernel name), and in SoS itself —
    Python 3 — when it names none. None for any other notebook."""
    metadata = document.get("metadata")
    spec = metadata.get("kernelspec") if isinstance(metadata, dict) else None
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or spec["name"].strip().lower() != "sos":
        return None
    assert isinstance(metadata, dict)
    table = metadata.get("sos")
    kernels = table.get("kernels") if isinstance(table, dict) else None
    names = {entry[0]: entry[1] for entry in (kernels if isinstance(kernels, list) else [])
             if isinstance(entry, list) and len(entry) > 1 and isinstance(entry[0], str) and isinstance(entry[1], str)}

    def runs_python(cell: dict[str, Any]) -> bool:
        kernel = cell.get("metadata", {}).get("kernel") if isinstance(cell.get("metadata"), dict) else None
        if not isinstance(kernel, str) or not kernel.strip():
            return True
        name = names.get(kernel, kernel).strip().lower()
        return name == "sos" or "python" in name or name.startswith(("ipykernel", "py"))

    return runs_python


def _lines(cell: dict[str, Any]) -> list[str]:
    source = cell.get("source", cell.get("input", []))
    if isinstance(source, str):
        return source.splitlines(keepends=True)
    if isinstance(source, list):
        return [piece for piece in source if isinstance(piece, str)]
    return []


def _split(pieces: list[str]) -> tuple[list[str], bool]:
    """A cell's lines as Python reads them (broken at CR LF, CR and LF), and whether they are its pieces one for one
    — each piece one line with its line break, the last one's optional (red114: `"import os\\ros.system(x)\\n"` is two
    lines to Python and IPython, and a piece without its line break runs on into the next)."""
    lines: list[str] = []
    for index, piece in enumerate(pieces):
        body = piece[:-2] if piece.endswith("\r\n") else piece[:-1] if piece.endswith(("\n", "\r")) else piece
        if "\n" in body or "\r" in body or (body is piece and index < len(pieces) - 1):
            whole = _LINE_BREAK.split("".join(pieces))
            if whole and not whole[-1]:
                whole.pop()  # (the break that ends the last line starts none)
            return whole, False
        lines.append(body)
    return lines, True


_LINE_BREAK = lazy(r"\r\n|\r|\n")


def _next_line(lines: list[str], start: int, piece: str) -> int | None:
    """The first line from `start` that is the JSON string `piece` alone (with its comma), as Jupyter writes a cell
    line; None when there is none."""
    for index in range(start, len(lines)):
        stripped = lines[index].strip().removesuffix(",")
        if stripped.startswith('"') and stripped.endswith('"'):
            try:
                if json.loads(stripped) == piece:
                    return index
            except ValueError:
                continue
    return None


# IPython's magics (IPython.core.magics._table), by what they do with their argument.
# Line magics that run the Python they are given (`%time os.system(x)`), with the options each reads before it: the
# getopt letters that take a value, the long options that take one; None: it reads no options.
_CODE_MAGICS: dict[str, tuple[str, frozenset[str]] | None] = {
    "time": None,
    "timeit": ("nrp", frozenset()),
    "prun": ("DlsT", frozenset()),
    "debug": ("b", frozenset({"breakpoint"})),
    # (the profilers' extensions: `%lprun -f func stmt`, `%mprun -f func stmt`, `%memit stmt`)
    "lprun": ("fmDTu", frozenset()),
    "mprun": ("fT", frozenset()),
    "memit": ("rti", frozenset()),
}
# Any other magic's options, for a magic the gate does not know: `-x` words, a number after one.
_GENERIC_OPTIONS: tuple[str, frozenset[str]] = ("", frozenset())
# Line magics IPython ships that run no Python of the line (`%pip install x`, `%matplotlib inline`): `pass`.
_LINE_MAGICS = frozenset({
    "autocall", "automagic", "alias_magic", "colors", "doctest_mode", "gui", "lsmagic", "magic", "notebook", "page",
    "pprint", "precision", "quickref", "xmode", "edit", "load", "loadpy", "pastebin", "save", "config", "code_wrap",
    "macro", "pdb", "run", "tb", "load_ext", "reload_ext", "unload_ext", "history", "recall", "rerun", "logoff",
    "logon", "logstart", "logstate", "logstop", "pdef", "pdoc", "pfile", "pinfo", "pinfo2", "psearch", "psource",
    "reset", "reset_selective", "who", "who_ls", "whos", "xdel", "alias", "bookmark", "cd", "dhist", "dirs", "env",
    "popd", "pushd", "pwd", "pycat", "rehashx", "sc", "set_env", "sx", "system", "unalias", "conda", "mamba",
    "micromamba", "pip", "uv", "matplotlib", "pylab", "killbgscripts", "autoawait",
    # (common extensions')
    "autoreload", "aimport", "load_ipython_extension", "watermark", "tensorboard", "dotenv", "sql", "R", "Rpush",
    "Rpull", "Rget", "octave", "octave_push", "octave_pull",
})
# `%load_ext NAME`, `%reload_ext NAME`, `run_line_magic("load_ext", "NAME")`, `extension_manager.load_extension(
# "NAME")`: the name after it (a name that is no literal is unknown).
_LOADS_EXTENSION = lazy(r"""load_ext(?:ension)?\b['",\s(]*([\w.]*)""")
# IPython's default shell aliases (`ls -la` alone in a cell runs ls).
_ALIASES = frozenset({"cat", "cp", "ldir", "lf", "lk", "ll", "ls", "lx", "mkdir", "mv", "rm", "rmdir", "clear",
                      "less", "man", "more"})
# Cell magics whose body is another language: IPython's own (script shortcuts, display, shell) and the common
# extensions'. `%%script` and `%%writefile` are read by what their line names; every other cell magic — `%%time`,
# `%%capture`, `%%python3`, a user's own (red114: `@register_cell_magic`, `%alias_magic q capture`) — runs or may
# run its body as Python.
_OTHER_LANGUAGE = frozenset({"bash", "sh", "perl", "ruby", "cmd", "html", "javascript", "js", "latex", "markdown",
                             "svg", "!", "sx", "system", "sql", "bigquery", "kql", "R", "julia", "octave"})
# Programs `%%script` may name that do not run Python (a program the gate does not know is read as Python).
_OTHER_PROGRAMS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "csh", "tcsh", "fish", "perl", "ruby",
                             "php", "lua", "luajit", "r", "rscript", "julia", "octave", "pwsh", "powershell", "cmd",
                             "osascript", "awk", "gawk", "sed", "cat", "tee", "tclsh", "sqlite3", "psql", "mysql"})
# %%script's own options (argparse: the long ones, any unambiguous prefix, `=value` or the next word): True takes
# a value.
_SCRIPT_OPTIONS = {"--out": True, "--err": True, "--bg": False, "--proc": True, "--no-raise-error": False}
# Python a notebook uses to define magics or change how IPython reads a cell — an extension loaded by calling its
# loader, input and AST transformers (the `run_cell_magic` call a cell magic becomes; red120): then no magic's name
# says what its cell runs.
_DEFINES_MAGICS = lazy(r"cell_magic|line_magic|magic_function|register_magics|alias_magic|magics_class|"
                             r"define_magic|magics_manager|load_ipython_extension|input_transformer|ast_transformers")
# A line of a cell that runs a file by name (`%run job.txt`, `!python job.txt`, `exec(open("job.txt").read())`).
_RUNS_FILE = lazy(r"(?<![\w.])(?:run|python[\w.]*|pypy[\w.]*|ipython|exec|execfile|runpy)(?!\w)")
_WORDS = lazy(r"""[^\s'"(),;=\[\]{}<>|&]+""")
_ESCAPES = frozenset("%!?,;/")
_HELP_CELL = lazy(r"%%\w+\?")
_WORD = lazy(r"[\w.*]*")
_INT = lazy(r"-?[0-9]+")


class _Notebook:
    """What a notebook's cells say about each other: whether it defines magics, which files it runs."""

    def __init__(self, sources: list[list[str]], modules: frozenset[str] = frozenset()) -> None:
        self._sources = sources
        # (An extension the gate does not know may define magics as well: `%load_ext magic_pack` can make
        # `%matplotlib` or `%%bash` run Python. So may a known name the repository holds as a module where the kernel
        # starts: sys.path begins there, and `%load_ext sql` imports the pushed `sql.py`, red120.)
        self.defines_magics = any(
            _DEFINES_MAGICS.search(piece) or any(name not in _KNOWN_EXTENSIONS or name.split(".")[0] in modules
                                                 for name in _LOADS_EXTENSION.findall(piece))
            for source in sources for piece in source)
        self._run_words: set[str] | None = None
        self._left_out: dict[str, int] = {}

    def cell(self, lines: list[str]) -> list[str] | None:
        """The Python a cell runs, line for line; None for a cell of another language. IPython's leading_empty_lines,
        leading_indent and cell_magic, then a cell magic's body as a cell of its own (`%%capture` runs it through
        run_cell)."""
        out = [""] * len(lines)
        margins = _margins(lines)
        top = next((i for i in range(len(lines)) if not _blank(lines[i])), None)
        if top is not None:
            # IPython strips pasted prompts (`>>> `, `... `, `In [3]: `, `   ...: `) after the dedent, before anything
            # else: such a cell runs (red114: read as written it was a parse error, and bandit read none of the
            # notebook).
            dedented = ["" if _blank(line) else line[margins[top]:] for line in lines[top:]]
            bare = _without_prompts(dedented)
            if bare is not dedented:
                lines = lines[:top] + bare
                margins = [0] * len(lines)
        start = 0
        while True:
            first = next((i for i in range(start, len(lines)) if not _blank(lines[i])), None)
            if first is None:
                return out
            head = lines[first][margins[first]:]
            if not head.startswith("%%") or _HELP_CELL.match(head):
                break
            name, _, argument = head[2:].rstrip().partition(" ")
            own = self._cell_magic(name, argument)
            if own is None:
                self._left_out[name] = self._left_out.get(name, 0) + 1
                return None
            out[first] = own
            start = first + 1
        body = ["" if _blank(line) else line[margins[first]:] for line in lines[first:]]
        out[first:] = _python_lines(body, trusted=not self.defines_magics)
        return out

    def left_out(self) -> str:
        if not self._left_out:
            return ""
        count = sum(self._left_out.values())
        names = ", ".join(f"%%{name}" for name in sorted(self._left_out))
        return f"{count} notebook cell(s) under a magic of another language ({names}) not read as Python"

    def _cell_magic(self, name: str, argument: str) -> str | None:
        """The Python on a cell magic's own line ("" when none) when its body runs as Python; None when the cell is
        another language's."""
        if name == "timeit":
            # (`%%timeit -n1 setup`: the line after its options is setup code, run first.)
            return _line_python(argument, value=False, one_line=True, leading=_CODE_MAGICS["timeit"],
                                trusted=not self.defines_magics)
        if self.defines_magics:
            return ""
        if name in _OTHER_LANGUAGE:
            return None
        if name == "script":
            return "" if _script_runs_python(argument) else None
        if name in ("writefile", "file"):
            return "" if self._writes_python(argument) else None
        return ""

    def _writes_python(self, argument: str) -> bool:
        """`%%writefile NAME`: Python when NAME is a Python file (or has no extension: `%run job` runs `job`), or a
        file the notebook runs by name; IPython expands `{expr}` and `$name` in the line (a name the gate cannot
        know: Python)."""
        if "{" in argument or "$" in argument:
            return True
        names = [w for w in argument.split() if not w.startswith("-")]
        if not names:
            return False  # (a usage error: nothing is written or run)
        base = names[0].strip("'\"").rsplit("/", 1)[-1]
        _, dot, extension = base.lstrip(".").rpartition(".")
        if not dot or extension.lower() in ("py", "pyw", "ipy"):
            return True
        return base in self._files_run()

    def _files_run(self) -> set[str]:
        if self._run_words is None:
            words: set[str] = set()
            for source in self._sources:
                for piece in source:
                    if _RUNS_FILE.search(piece):
                        words.update(word.rsplit("/", 1)[-1] for word in _WORDS.findall(piece))
            self._run_words = words
        return self._run_words


def _blank(line: str) -> bool:
    return not line.strip(" \t")


# IPython's classic_prompt and ipython_prompt (inputtransformer2.PromptStripper), applied in that order: a cell whose
# first line has the prompt (the first regex), or whose second line has one (the second), loses it on every line.
_PROMPTS = (
    (re.compile(r">>>(?: |$)"), re.compile(r"(?:>>>|\.\.\.)(?: |$)")),
    (re.compile(r"(?:(?:\[nav\]|\[ins\])? )?In \[[0-9]+\]: |[ \t]*\.{3,}: ?"),) * 2,
)


def _without_prompts(lines: list[str]) -> list[str]:
    """The cell's lines without pasted interpreter prompts, as IPython strips them; the same list when none."""
    for first, prompt in _PROMPTS:
        if lines and (first.match(lines[0]) or (len(lines) > 1 and prompt.match(lines[1]))):
            lines = [line[match.end():] if (match := prompt.match(line)) else line for line in lines]
    return lines


def _margins(lines: list[str]) -> list[int]:
    """For each line, the length of the leading whitespace all non-blank lines from it on share (textwrap.dedent's
    margin of the cell that starts there), in one pass from the end."""
    margins = [0] * len(lines)
    common: str | None = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if not _blank(line):
            indent = line[:len(line) - len(line.lstrip(" \t"))]
            if common is None:
                common = indent
            elif not indent.startswith(common):
                size = 0
                while size < len(common) and size < len(indent) and common[size] == indent[size]:
                    size += 1
                common = common[:size]
        margins[index] = len(common or "")
    return margins


def _script_runs_python(argument: str) -> bool:
    """`%%script PROGRAM`: the cell is PROGRAM's input, read as a `#!` line is (interpreters.py); Python unless the
    program is known to be another language's. IPython expands `{expr}` and `$name` in the line first (red114:
    `%%script {sys.executable}`)."""
    if "{" in argument or "$" in argument:
        return True
    try:
        words = shlex.split(argument)  # IPython's arg_split (posix), without comments
    except ValueError:
        return True
    command: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name, eq, _ = word.partition("=")
        options = [o for o in _SCRIPT_OPTIONS if o == name] or [o for o in _SCRIPT_OPTIONS if o.startswith(name)]
        if name.startswith("--") and len(name) > 2 and len(options) == 1:
            index += 1 if _SCRIPT_OPTIONS[options[0]] and not eq else 0
            continue
        command.append(word)
    if not command:
        return False  # (no program: nothing runs)
    language = interpreter_language(("#!" + " ".join(command)).encode("utf-8", "replace"))
    if language is not None:
        return language == "python"
    return launched_program(command).removesuffix(".exe") not in _OTHER_PROGRAMS


def _python_lines(lines: list[str], *, trusted: bool = True) -> list[str]:
    """A cell's lines (after its cell magics) as the Python IPython compiles, line for line: the token transforms
    (MagicAssign, SystemAssign, EscapedCommand, HelpEnd), each where a logical line starts as Python's tokenizer
    reads the cell as transformed so far; then a cell of one line is read with automagic. `trusted`: no magic was
    (re)defined, IPython's own do what their names say."""
    out = list(lines)
    lexer = _Lexer()
    group = 0  # where the logical line being read started
    index = 0
    plain = True  # no line was rewritten
    while index < len(lines):
        line = lines[index]
        if lexer.starts():
            group = index
            lexer.assigned = False
            stripped = line.lstrip(" \t\f")
            if stripped[:1] in _ESCAPES:
                last = _continued(lines, index)
                content = _assemble(stripped, lines[index + 1:last + 1])
                python = "pass" if _asks_help(content) else _line_python(content, value=False, one_line=False,
                                                                         trusted=trusted)
                out[index:last + 1] = [line[:len(line) - len(stripped)] + python] + [""] * (last - index)
                lexer.feed(python)
                plain = False
                index = last + 1
                continue
        column, ends = lexer.feed(line)
        if column >= 0:
            # `x = %time f()`, `x = !ls`: the value is the magic's (IPython's MagicAssign, SystemAssign), unless the
            # logical line asks for help (HelpEnd starts before it and wins).
            last = _continued(lines, index)
            rhs = _assemble(line[column:], lines[index + 1:last + 1])
            if _asks_help(rhs):
                out[group:last + 1] = [_indent(lines[group]) + "pass"] + [""] * (last - group)
                lexer.reset()
            else:
                value = _line_python(rhs, value=True, one_line=False, trusted=trusted)
                out[index:last + 1] = [line[:column] + value] + [""] * (last - index)
                lexer.feed(value)
            plain = False
            index = last + 1
            continue
        if ends and lexer.starts() and _asks_help(line):
            out[group:index + 1] = [_indent(lines[group]) + "pass"] + [""] * (index - group)
            plain = False
        index += 1
    filled = [i for i, line in enumerate(out) if line.strip()]
    if plain and len(filled) == 1:
        # (InteractiveShell.transform_cell: a cell of one line goes through the prefilter, whose automagic runs
        # `time os.system(x)` as `%time os.system(x)` — red114.)
        out[filled[0]] = _line_python(out[filled[0]], value=False, one_line=True, trusted=trusted)
    return out


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t\f"))]


def _continued(lines: list[str], index: int) -> int:
    """The last line of the line at `index` continued by backslashes (IPython's find_end_of_continued_line)."""
    while index + 1 < len(lines) and lines[index].endswith("\\"):
        index += 1
    return index


def _assemble(first: str, more: list[str]) -> str:
    """IPython's assemble_continued_line: the pieces without their backslashes, joined by spaces."""
    if not more:
        return first
    return " ".join([first[:-1], *(piece[:-1] for piece in more[:-1]), more[-1]])


def _line_python(text: str, *, value: bool, one_line: bool, leading: tuple[str, frozenset[str]] | None = None,
                 trusted: bool = True) -> str:
    """A line of IPython input — an escape line from its escape, a magic's argument, a cell of one line — as the
    Python it runs; `value`: it is an assignment's value (`None`, not `pass`, for what runs no Python). A code
    magic's argument is a cell of its own to IPython (transform_cell): it is read the same way, nested magics
    (`%time %time x`) one after the other. `leading`: the text starts with these options (`%%timeit`'s line).
    Not `trusted`: a magic may have been (re)defined, and every magic but a code magic is read as one the gate does
    not know (its argument kept when it is Python)."""
    filler = "None" if value else "pass"
    at = 0
    unknown = False  # the code is a magic's the gate does not know: kept only when it is Python
    automagic = one_line
    if leading is not None:
        at = _after_options(text, 0, leading)
        automagic = True
    checked = False
    while True:
        at = _skip_blanks(text, at)
        head = text[at:at + 1]
        if head == "%":
            end = text.find(" ", at + 1)
            end = len(text) if end < 0 else end
            name = text[at + 1:end]
            if name in _CODE_MAGICS:
                at = _after_options(text, end, _CODE_MAGICS[name])
            elif not name or name.startswith("%") or (trusted and name in _LINE_MAGICS):
                return filler
            else:
                unknown = True
                at = _after_options(text, end, _GENERIC_OPTIONS)
            automagic = True
            continue
        if head in ("!", "?"):
            return filler
        if head in (",", ";", "/"):
            return _escape_call(head, text[at + 1:]) or text[at:]
        if automagic:
            name = text[at:_skip(_WORD, text, at)]
            rest = _skip_blanks(text, at + len(name))
            if (name in _CODE_MAGICS or name in _LINE_MAGICS or name in _ALIASES) and not (
                    text.startswith(",", rest) or (text.startswith("=", rest) and not text.startswith("==", rest))):
                # (IPython's AutoMagicChecker, after its AssignmentChecker: `time = 1` stays Python. Read as the
                # magic only where the line is not Python already: `time(x)` means the same either way.)
                if not checked:
                    checked = True
                    if _parses(text[at:]):
                        break
                if name in _CODE_MAGICS:
                    at = _after_options(text, at + len(name), _CODE_MAGICS[name])
                elif trusted:
                    return filler
                else:
                    unknown = True
                    at = _after_options(text, at + len(name), _GENERIC_OPTIONS)
                continue
        break
    code = text[at:]
    if not code.strip() or (unknown and not _parses(code)):
        return filler
    return code


def _escape_call(escape: str, content: str) -> str | None:
    """IPython's _tr_quote, _tr_quote2, _tr_paren; None where IPython refuses (`/` without a name)."""
    name, _, args = content.partition(" ")
    if escape == ",":
        return '{}("{}")'.format(name, '", "'.join(args.split()))
    if escape == ";":
        return f'{name}("{args}")'
    if not name:
        return None
    return "{}({})".format(name, ", ".join(args.split()))


def _skip_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _after_options(text: str, at: int, options: tuple[str, frozenset[str]] | None) -> int:
    """Where a magic's argument starts after its options (getopt: `-n1`, `-n 1`, `-tc`, `--breakpoint x`, `--`).
    None: the magic reads no options. A magic the gate does not know: `-x` words, each with a number after it."""
    if options is None:
        return at
    valued, long_valued = options
    while True:
        start = _skip_blanks(text, at)
        end = _skip(_ARGUMENT, text, start)
        word = text[start:end]
        if not word.startswith("-") or word == "-":
            return at
        at = end
        if word == "--":
            return at
        takes_value = False
        if word.startswith("--"):
            name, eq, _ = word[2:].partition("=")
            takes_value = name in long_valued and not eq
        elif options is _GENERIC_OPTIONS:
            after = _skip_blanks(text, at)
            takes_value = text[after:_skip(_ARGUMENT, text, after)].isdigit()
        else:
            for offset, letter in enumerate(word[1:], start=2):
                if letter in valued:
                    takes_value = offset == len(word)  # (`-n1`: the value is attached)
                    break
        if takes_value:
            at = _skip(_ARGUMENT, text, _skip_blanks(text, at))


_ARGUMENT = lazy(r"[^ \t]*")


def _skip(pattern: LazyPattern[str], text: str, at: int) -> int:
    """Where a pattern that matches the empty string (`[...]*`) stops matching from `at`."""
    found = pattern.match(text, at)
    return at if found is None else found.end()


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _asks_help(code: str) -> bool:
    """IPython's HelpEnd: a logical line that ends with a name (`x`, `os.path`, `%time`, `x[0]`) and `?` or `??`
    is a help request, whatever comes before the name."""
    end = len(code.rstrip())
    if not code.endswith("?", 0, end):
        return False
    end -= 2 if code.endswith("??", 0, end) else 1
    if code.endswith("?", 0, end):
        return False
    while code.endswith("]", 0, end):  # literal integer subscripts: `x[0]?`
        start = code.rfind("[", 0, end)
        if start < 0 or not _INT.fullmatch(code, start + 1, end - 1):
            return False
        end = start
    run = end
    while run > 0 and (code[run - 1].isalnum() or code[run - 1] in "_*"):
        run -= 1
    return any(not ch.isdecimal() for ch in code[run:end])


class _Lexer:
    """Where Python's tokenizer is between physical lines — inside brackets, in a string that goes on, after a
    backslash — which decides where a logical line starts: IPython reads an escape only there (`x = (a` then
    `/ b)` is a division, not `b)()`)."""

    __slots__ = ("assigned", "continued", "depth", "quote")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.depth = 0
        self.quote = ""  # the delimiter of a string that goes on past the line
        self.continued = False
        self.assigned = False  # the logical line has had its first `=` at bracket depth 0

    def starts(self) -> bool:
        return not (self.depth or self.quote or self.continued)

    def feed(self, line: str) -> tuple[int, bool]:
        """Read one physical line (or what is left of one). Returns the column of a `%magic` or `!cmd` that is the
        value of the logical line's first `=` at depth 0 (else -1), and whether the line ends in code (not in a
        string or a comment)."""
        self.continued = False
        at, size = 0, len(line)
        while at < size:
            if self.quote:
                at = self._string_end(line, at)
                if at < 0:
                    if len(self.quote) == 1 and not _odd_backslashes(line):
                        self.quote = ""  # (an unterminated string: an error token, the tokenizer goes on)
                    return -1, False
                continue
            found = _CODE_EVENT.search(line, at)
            if found is None:
                break
            char, at = found.group(), found.end()
            if char == "#":
                return -1, False
            if char in "'\"":
                self.quote = char * 3 if line.startswith(char * 3, found.start()) else char
                at = found.start() + len(self.quote)
            elif char == "\\":
                self.continued = at == size
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif not self.depth and not self.assigned and line[found.start() - 1:found.start()] not in _OPERATOR \
                    and not line.startswith("=", at):
                self.assigned = True
                value = _skip_blanks(line, at)
                if line.startswith("!", value) or (line.startswith("%", value)
                                                  and line[value + 1:value + 2].isidentifier()):
                    return value, False
        return -1, not self.quote

    def _string_end(self, line: str, at: int) -> int:
        """Past the end of the open string from `at`, or -1 when it goes on past the line (a backslash escapes
        the character after it, in raw strings too)."""
        start = at
        while True:
            found = line.find(self.quote, at)
            if found < 0:
                return -1
            slashes = found
            while slashes > start and line[slashes - 1] == "\\":
                slashes -= 1
            if (found - slashes) % 2 == 0:
                end = found + len(self.quote)
                self.quote = ""
                return end
            at = found + 1


_CODE_EVENT = lazy(r"""[#'"\\()\[\]{}=]""")
_OPERATOR = frozenset("=<>!+-*/%&|^@:~")


def _odd_backslashes(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


# -- markup -------------------------------------------------------------------------------------------------------

_JS_TYPES = frozenset({"", "module", "text/jsx", "text/babel", "text/typescript", "application/typescript"})
# The MIME types browsers run as JavaScript, the legacy ones included (red110: `text/x-javascript`).
_JS_MIME = lazy(r"(?:text|application)/(?:x-)?(?:javascript|ecmascript)(?:1\.[0-5])?|text/(?:jscript|livescript)")
_TS = frozenset({"ts", "typescript", "tsx"})
_NOT_NEWLINE = lazy(r"[^\n]")
_HTML_SPACE = "\t\n\f\r "


def _markup(text: str, extension: str = ".html") -> Embedded | None:
    """The JavaScript of a page's script blocks at their own places, everything else blank; and, in a text of its
    own (`Embedded.attributes`), the code of its event handler attributes and `javascript:` URLs.

    Read twice, and every script either reading finds is read: once as the HTML standard's tokenizer reads the page
    when each `<title>`/`<textarea>` (RCDATA), `<style>`/`<xmp>`/`<iframe>`/`<noembed>`/`<noframes>`/`<noscript>`
    (RAWTEXT) is an HTML element, and once with none of them opaque — inside `<svg>` or `<math>` (foreign content),
    or where the tree builder ignores the tag (`<select><title>`), a `<style>` is no raw text and a script in it runs.
    A fake script must fool both readings to hide a real one.

    An attribute's code is read as the browser runs it (_attribute_decoded) and only when it stands alone as code
    (_closed): the browser compiles each handler on its own, so a value that opens a comment, a string or a block
    that another closes runs nothing — read together, it would have hidden what lies between (red120)."""
    if extension in MARKDOWN:
        text = _without_fenced_code(text)
    spans: list[tuple[int, int]] = []
    handlers: set[tuple[int, int, str]] = set()
    typescript = False
    srcdoc = False
    undelimited = 0
    foreign: set[tuple[int, int]] = set()
    for opaque in (True, False):
        tokenizer = _Tokenizer(text, opaque=opaque, svelte=extension == ".svelte",
                               components=extension in (".vue", ".svelte"))
        for attributes, start, end in tokenizer.scripts():
            kind = _ascii_lower(html.unescape(attributes.get("type", ""))).strip(_HTML_SPACE)
            if (kind not in _JS_TYPES and not _JS_MIME.fullmatch(kind.split(";")[0].strip(_HTML_SPACE))) \
                    or not text[start:end].strip():
                continue
            spans.append((start, end))
            lang = _ascii_lower(html.unescape(attributes.get("lang", ""))).strip(_HTML_SPACE)
            typescript = typescript or lang in _TS or "typescript" in kind
        handlers.update(tokenizer.handlers)
        foreign.update(tokenizer.foreign_scripts)
        srcdoc = srcdoc or tokenizer.srcdoc
        undelimited = max(undelimited, tokenizer.undelimited)
        if not tokenizer.opaque_seen:
            break  # (no element of that kind: the second reading is the first)
    # (Of the scripts a browser runs: those that may be foreign content's, and every one in a page an XML parser reads.)
    foreign = set(spans) if extension in XML_MARKUP else foreign & set(spans)
    read = _attribute_text(text, handlers)
    attribute_text, values = read.text, read.written + _markup_readings(text, foreign)
    notes = []
    if read.undecoded:
        notes.append(f"{read.undecoded} script source(s) given as a data: URL are not read: the gate could not decode "
                     "them (review them by hand)")
    if read.unread:
        notes.append(f"{read.unread} event handler(s) or javascript: URL(s) are not read: their code does not stand "
                     "alone as JavaScript to the gate's reading (a browser compiles each on its own and runs none of a "
                     "value it cannot parse; review them by hand)")
    if len(handlers) > VALUE_FILES:
        notes.append(f"the page has {len(handlers)} event handlers or javascript: URLs: the first {VALUE_FILES} are "
                     "read each on its own, the others only together" + (
                         f", and {read.guessed} of those are not read: whether a slash in them divides or starts a "
                         "regular expression is the gate's guess, and a wrong one would hide the values after it "
                         "(review them by hand)" if read.guessed else ""))
    if undelimited:
        notes.append(f"{undelimited} Svelte event expression(s) (`onclick={{…}}`) are not read: the gate did not find "
                     "where they end (review them by hand)")
    if srcdoc:
        notes.append("an iframe's srcdoc page is not read (its scripts run with this page's origin: review them by "
                     "hand)")
    left_out = "; ".join(notes)
    if not spans and not attribute_text.strip() and not values and not left_out:
        return None
    pieces: list[str] = []
    at = 0
    for start, end in _merged(spans):
        pieces.append(_NOT_NEWLINE.sub(" ", text[at:start]))
        pieces.append(text[start:end])
        at = end
    pieces.append(_NOT_NEWLINE.sub(" ", text[at:]))
    return Embedded("typescript" if typescript else "javascript", "".join(pieces), left_out=left_out,
                    attributes=attribute_text if attribute_text.strip() else "", values=values)


# A line any renderer may read as a code fence: three or more backticks or tildes after up to three spaces.
_FENCE_SHAPE = lazy(r" {0,3}(?:`{3,}|~{3,})")
# An opening fence every common renderer reads as one: at the line's start, with an info string that CommonMark
# (no backtick in it), kramdown (one word, or none) and Python-Markdown's fenced_code (`lang`, `.lang`, `{attrs}`)
# all take.
_FENCE = lazy(r"(`{3,}|~{3,}) *(?:\.?[\w#.+-]*|\{[^\s`}]*\}) *")
_FENCE_LINE = lazy(r" {0,3}(`{3,}|~{3,})[ \t]*")
# What a renderer reads differently from the gate's lines, or rewrites before it renders: a lone carriage return (a
# line end to every renderer), the STX/ETX bytes Python-Markdown deletes; and a site generator's template tags, run
# over the page first (Liquid's `{% … %}` in Jekyll, Jinja's `{% … %}` / `{# … #}` in mkdocs-macros, Hugo's
# shortcodes), which can remove a fence.
_UNSURE_PAGE = lazy(r"\r(?!\n)|[\x02\x03]")
_SITE_TEMPLATE = lazy(r"\{%|#\}|\{\{[<%]")
# The start of a raw HTML block, read generously: any tag, comment, declaration or instruction at the line's start
# after up to three spaces. The kinds that end at their own end mark (CommonMark's kinds 1 to 5), and void elements.
_HTML_BLOCK = lazy(r" {0,3}<(/?)([A-Za-z][A-Za-z0-9-]*|[!?])")
_HTML_BLOCK_END = (
    (re.compile(r" {0,3}<(?:script|pre|style|textarea)(?:[\t\n\f\r />]|\Z)", re.IGNORECASE),
     re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)),
    (re.compile(r" {0,3}<!--"), re.compile(r"-->")),
    (re.compile(r" {0,3}<\?"), re.compile(r"\?>")),
    (re.compile(r" {0,3}<!\[CDATA\["), re.compile(r"\]\]>")),
    (re.compile(r" {0,3}<![A-Za-z]"), re.compile(r">")),
)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})


def _without_fenced_code(text: str) -> str:
    """A markdown page with its fenced code blocks blank (line breaks kept), for reading its raw HTML as markup.

    Blank only where every common renderer sees a code block. CommonMark (GFM, Hugo) and kramdown (Jekyll) close a
    fence with the first line of at least as many of its marks, Python-Markdown (MkDocs) only with the very same fence
    at the line's start; an unclosed fence is code to the first and text to the others; each takes other info strings
    after the opening marks. A fence is blank when every one of them opens it (at the line's start, an info string all
    take) and its first closing line is the same fence at the line's start. Where they could part — any other
    fence-shaped line, a fence never closed, a fence-shaped line inside a raw HTML block (Python-Markdown reads fences
    before raw HTML, CommonMark does not) — nothing after it is blank. A raw HTML block runs to its end mark
    (`</script>`, `-->`), or to a blank line for CommonMark and to its element's end tag for Python-Markdown, whichever
    comes later, read generously. Nothing is blank in a page holding a lone carriage return or an STX/ETX byte, nor
    after a template tag (red134). What the gate is unsure of is read as markup, never blanked."""
    if _UNSURE_PAGE.search(text):
        return text
    lines = text.split("\n")
    tag = _SITE_TEMPLATE.search(text)
    stop = len(lines) if tag is None else text.count("\n", 0, tag.start())
    out = list(lines)
    i = 0
    while i < stop:
        line = lines[i].rstrip("\r")
        if _HTML_BLOCK.match(line):
            end = _html_block_end(lines, i)
            if any(_FENCE_SHAPE.match(inside) for inside in lines[i:end]):
                break
            i = end
            continue
        if _FENCE_SHAPE.match(line):
            fence = _FENCE.fullmatch(line)
            close = None if fence is None else _fence_close(lines, i, fence.group(1))
            if close is None or close >= stop:
                break  # (the renderers could part here: what follows is read as markup)
            out[i:close + 1] = [_NOT_NEWLINE.sub(" ", part) for part in lines[i:close + 1]]
            i = close + 1
            continue
        i += 1
    return "\n".join(out)


def _fence_close(lines: list[str], opened: int, mark: str) -> int | None:
    """The line that closes the fence `mark` opened at line `opened` for every renderer; None where they part."""
    for n in range(opened + 1, len(lines)):
        line = lines[n].rstrip("\r")
        found = _FENCE_LINE.fullmatch(line)
        if found is not None and found.group(1)[0] == mark[0] and len(found.group(1)) >= len(mark):
            return n if line.rstrip(" ") == mark else None
    return None


def _html_block_end(lines: list[str], start: int) -> int:
    """The first line after the raw HTML block that starts at line `start` (len(lines): it runs to the end)."""
    line = lines[start].rstrip("\r")
    for opening, end in _HTML_BLOCK_END:
        if opening.match(line):
            at = line.index("<") + 2
            for n in range(start, len(lines)):
                if end.search(lines[n], at if n == start else 0):
                    return n + 1
            return len(lines)
    # CommonMark's other kinds end at a blank line; Python-Markdown's block element at its end tag.
    blank = next((n for n in range(start + 1, len(lines)) if not lines[n].strip(" \t\r")), len(lines))
    found = _HTML_BLOCK.match(line)
    name = found.group(2).lower() if found is not None else ""
    if found is None or found.group(1) or name in _VOID or re.match(r"[^>]*/>", line[found.end():]):
        return blank
    depth = 0
    for n in range(start, len(lines)):
        for tag in _ELEMENT_TAG.finditer(lines[n]):
            if (tag.group(1) or tag.group(2)).lower() == name:
                depth += -1 if tag.group(1) else 1
        if depth <= 0:
            return max(blank, n + 1)
    return len(lines)


# An element's end tag, or its start tag's name (one pattern for every name: no pattern compiled per block, which a
# page of a thousand names made cost seconds).
_ELEMENT_TAG = lazy(r"</([A-Za-z][A-Za-z0-9-]*)\s*>|<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|\Z)")


@dataclass(frozen=True, slots=True)
class _Values:
    """A page's attribute values as read (_attribute_text)."""

    text: str  # their code at their own places, each closed on its own, everything else blank
    unread: int  # values that reading could not take (_closed: said in the scan's notes, red121)
    undecoded: int  # `data:` script sources that did not decode
    guessed: int  # values past the first VALUE_FILES whose reading turns on a slash: not read
    written: tuple[str, ...]  # the first VALUE_FILES values as written (Embedded.values)


def _attribute_text(text: str, handlers: set[tuple[int, int, str]]) -> _Values:
    """The attribute values' code at their own places (each value once: the two readings find the same ones, and
    where they overlap, the first), everything else blank, and the first VALUE_FILES values as written, each a text
    of its own at its lines (Embedded.values), whatever the lexer made of them — semgrep's parser decides (red124).
    Past those, a value whose reading turns on the lexer's guess about a slash is not read: there its error would
    open a comment over the next values, as a decoy's does (red125), and no file of its own stands behind it."""
    pieces: list[str] = []
    values: list[str] = []
    at = 0
    line = 0  # the line `at` is on
    unread = undecoded = guessed = 0
    for start, end, kind in sorted(handlers):
        if start < at:
            continue
        decoded = _attribute_decoded(text[start:end], kind)
        code = None if decoded is None else _closed_reading(decoded)
        if decoded is None:
            undecoded += 1
        elif code is None:
            unread += 1
        elif len(values) >= VALUE_FILES and _lex(decoded)[1]:
            guessed += 1
            code = None
        pieces.append(_NOT_NEWLINE.sub(" ", text[at:start]))
        pieces.append(code or _NOT_NEWLINE.sub(" ", text[start:end]))
        line += text.count("\n", at, start)
        # (As written: decoded, nothing blank, no wrapper, a `;` before it so that it starts a statement; and once
        # more without the template rewrite where it blanked a tag — a page no server renders has none, and a tag's
        # two halves in two strings blanked the code between them: red125.)
        untemplated = _attribute_decoded(text[start:end], kind, tags=False) if decoded is not None else None
        for written in dict.fromkeys((decoded, untemplated)):
            if written is not None and len(values) < VALUE_FILES and written.strip(_JS_BLANKS):
                values.append("\n" * line + ";" + "\n".join(map(_written, written.split("\n"))) + "\n")
        line += text.count("\n", start, end)
        at = end
    pieces.append(_NOT_NEWLINE.sub(" ", text[at:]))
    return _Values("".join(pieces), unread, undecoded, guessed, tuple(values))


def _markup_readings(text: str, scripts: set[tuple[int, int]]) -> tuple[str, ...]:
    """The scripts that may be foreign content's (after an `<svg>` or `<math>`), each read once more as an SVG
    script's text is: markup, whose character references are decoded and whose comments, tags and CDATA markers are
    no part of it — a text of its own at the script's lines (red125: `x="&#x22;;eval(...);&#x22;"` runs the eval in an
    SVG script, where the HTML reading holds a string). The first VALUE_FILES of them that hold markup."""
    readings: list[str] = []
    for start, end in sorted(scripts)[:VALUE_FILES]:
        body = text[start:end]
        if "&" not in body and "<" not in body:
            continue  # (the same text either way)
        pieces: list[str] = []
        at = 0
        for found in _FOREIGN_MARKUP.finditer(body):
            pieces.append(_decoded_text(body[at:found.start()]))
            pieces.append(found.group(1) if found.group(1) is not None else "\n" * found.group().count("\n"))
            at = found.end()
        pieces.append(_decoded_text(body[at:]))
        reading = "".join(pieces)
        if reading.strip():
            readings.append("\n" * text.count("\n", 0, start) + reading + "\n")
    return tuple(readings)


# In a foreign script's body: a comment, a CDATA section (its content, group 1, kept as written) and a tag.
_FOREIGN_MARKUP = lazy(r"<!--.*?(?:--!?>|\Z)|<!\[CDATA\[(.*?)(?:\]\]>|\Z)|</?[A-Za-z][^>]*>?", re.DOTALL)


def _decoded_text(text: str) -> str:
    """Text with its character references decoded, a line break one decodes to a carriage return (_written)."""
    return "\n".join(_written(_breaks(html.unescape(line))) for line in text.split("\n"))


def _written(line: str) -> str:
    """A line of a decoded value as written for semgrep: a line break a reference decoded to (U+2029 here) is a
    carriage return — it ends a `//` comment to semgrep's parsers, as to the browser, and starts no line of the file
    (red125: as a space, `//&#10;eval(...)` was one comment in this reading)."""
    return line.replace("\u2029", "\r")


# Values of a page each read as a file of their own (beyond: only together, said in the notes; and one that turns on
# a slash not at all).
VALUE_FILES = 256


_HANDLER = "handler"
_URL = "url"
_DATA = "data"  # a script element's `data:` source: the script it holds runs with the page's origin (red125)
_EXPRESSION = "expression"  # a Svelte `onclick={…}`: the expression is the listener (red125)
# How far and how often the end of a Svelte expression is looked for.
_EXPRESSION_SIZE = 65_536
_EXPRESSION_TRIES = 16
# The event handler content attributes of HTML elements (GlobalEventHandlers, WindowEventHandlers,
# DocumentAndElementEventHandlers, and the media, animation, transition and pointer events browsers ship): a
# browser compiles these, and no other `on…` attribute (a Vue component's `onIcon` prop is none: red120).
_EVENT_HANDLERS = frozenset("""
    onabort onafterprint onanimationcancel onanimationend onanimationiteration onanimationstart onauxclick
    onbeforeinput onbeforematch onbeforeprint onbeforetoggle onbeforeunload onblur oncancel oncanplay
    oncanplaythrough onchange onclick onclose oncontentvisibilityautostatechange oncontextlost oncontextmenu
    oncontextrestored oncopy oncuechange oncut ondblclick ondrag ondragend ondragenter ondragexit ondragleave
    ondragover ondragstart ondrop ondurationchange onemptied onended onerror onfocus onfocusin onfocusout
    onformdata onfullscreenchange onfullscreenerror ongotpointercapture onhashchange oninput oninvalid onkeydown
    onkeypress onkeyup onlanguagechange onload onloadeddata onloadedmetadata onloadend onloadstart
    onlostpointercapture onmessage onmessageerror onmousedown onmouseenter onmouseleave onmousemove onmouseout
    onmouseover onmouseup onmousewheel onoffline ononline onpagehide onpagereveal onpageshow onpageswap onpaste
    onpause onplay onplaying onpointercancel onpointerdown onpointerenter onpointerleave onpointermove
    onpointerout onpointerover onpointerrawupdate onpointerup onpopstate onprogress onratechange onrejectionhandled
    onreset onresize onscroll onscrollend onsearch onsecuritypolicyviolation onseeked onseeking onselect
    onselectionchange onselectstart onslotchange onstalled onstorage onsubmit onsuspend ontimeupdate ontoggle
    ontouchcancel ontouchend ontouchmove ontouchstart ontransitioncancel ontransitionend ontransitionrun
    ontransitionstart onunhandledrejection onunload onvolumechange onwaiting onwebkitanimationend
    onwebkitanimationiteration onwebkitanimationstart onwebkittransitionend onwheel onbegin onend onrepeat
""".split())  # noqa: SIM905 (a list of 130 names reads better as words)
_URL_LEADING = "".join(map(chr, range(0x21)))  # C0 controls and space, which a URL parser strips from both ends
_URL_NOISE = lazy(r"[\t\n\r]")  # and ASCII tab and newline, which it removes anywhere
_JS_URL = lazy(r"javascript:", re.IGNORECASE | re.ASCII)
_DATA_URL = lazy(r"data:", re.IGNORECASE | re.ASCII)
_BASE64 = lazy(r";[ ]*base64[\t\n\f\r ]*$", re.IGNORECASE | re.ASCII)
_CHARSET = lazy(r";[\t\n\f\r ]*charset=[\"']?([\w.:-]+)", re.IGNORECASE | re.ASCII)
# The attributes whose URL a browser follows or loads as a document (HTML and SVG; SVG's `<animate>`/`<set>` write
# theirs into another element's href).
_URL_ATTRIBUTES = frozenset({"href", "xlink:href", "src", "action", "formaction", "data", "from", "to", "values"})
# Where a script element names its source (HTML's `src`, SVG's `href` and `xlink:href`).
_SCRIPT_SOURCES = frozenset({"src", "href", "xlink:href"})
# A server template's placeholder in a handler (Jinja, Django, Liquid, Handlebars, Angular): its expression, read as
# one (`save({{ id }})` is `save( ( id ) )`; in a page no server renders, `{{eval(x)}}` is two blocks the browser
# runs, and the expression is read either way); a tag (`{% if %}`, ERB's `<% %>`) is blank — and kept as written in
# one more reading (`values`): in a page no server renders, `s='{%';eval(x);t='%}'` is no tag (red125).
_TEMPLATE_EXPRESSION = lazy(r"\{\{(.*?)\}\}")
_TEMPLATE_TAG = lazy(r"\{%.*?%\}|<%.*?%>")


def _attribute_decoded(value: str, kind: str, *, tags: bool = True) -> str | None:
    """An attribute value's code on the value's own lines, as the browser reads it: its character references decoded
    under the attribute rules, a URL's scheme dropped and its percent escapes decoded (a `data:` script source's body
    decoded), a server template's expression read as one (its tags blank; not `tags`: kept as written),
    `yield`/`await` renamed. A line break that a reference or an escape decodes to ends a `//` comment as any other
    does (red121): it is U+2029 here (a line terminator to JavaScript, one character, so that the value keeps its
    lines). None: a `data:` URL the browser cannot decode either (it runs nothing; the caller says so)."""
    if kind == _EXPRESSION:
        # (Svelte reads the braces' content as JavaScript, with no character references: in parentheses, it is the
        # listener's value.)
        first, last = value.index("{"), value.rindex("}")
        return "".join((_NOT_NEWLINE.sub(" ", value[:first]), "(", value[first + 1:last], ")",
                        _NOT_NEWLINE.sub(" ", value[last + 1:])))
    if kind in (_URL, _DATA):
        # The URL parser removes every tab and newline of the URL, not only the scheme's (red125: `javascript:ev` LF
        # `al(...)` runs `eval(...)`): the value's code is one line, at its first, the lines after it blank.
        body = _url_script(_url(value), kind)
        if body is None:
            return None
        lines = [_breaks(body)] + [""] * value.count("\n")
    else:
        lines = [_breaks(_attribute_unescape(line)) for line in value.split("\n")]
    lines = [_TEMPLATE_EXPRESSION.sub(lambda m: " (" + m.group(1) + ") ", line) for line in lines]
    if tags:
        lines = [_TEMPLATE_TAG.sub(lambda m: " " * len(m.group()), line) for line in lines]
    return "\n".join(_CONTEXTUAL.sub(lambda m: "_" + m.group()[1:], line) for line in lines)


def _url(value: str) -> str:
    """An attribute value as the URL parser takes it: character references decoded, leading and trailing C0 controls
    and spaces stripped, every ASCII tab and newline removed — whatever their number (red125: 5,000 spaces before a
    `javascript:` URL hid it from a test of the first 4,096 characters)."""
    return _URL_NOISE.sub("", _attribute_unescape(value).strip(_URL_LEADING))


def _url_script(url: str, kind: str) -> str | None:
    """The script a `javascript:` URL runs (its body percent-decoded), or that a `data:` URL holds as a script's source
    (its body percent-decoded, then base64-decoded when its type says so, in the charset its type names); "" for a
    URL of neither scheme, None for a `data:` URL that does not decode."""
    if kind == _URL:
        return urllib.parse.unquote(url[len("javascript:"):]) if _JS_URL.match(url) else ""
    if not _DATA_URL.match(url) or "," not in url:
        return "" if not _DATA_URL.match(url) else None
    mime, _, body = url[len("data:"):].partition(",")
    data = urllib.parse.unquote_to_bytes(body)
    if _BASE64.search(mime):
        # (Forgiving-base64, as fetch decodes it: ASCII whitespace removed, at most two `=` at the end.)
        packed = re.sub(rb"[\t\n\f\r ]", b"", data)
        if len(packed) % 4 == 0:
            packed = packed[:-2] + packed[-2:].rstrip(b"=")
        if len(packed) % 4 == 1 or not re.fullmatch(rb"[A-Za-z0-9+/]*", packed):
            return None
        data = base64.b64decode(packed + b"=" * (-len(packed) % 4))
    charset = _CHARSET.search(mime)
    return _web_decode(data, charset.group(1) if charset else None)


def _closed_reading(decoded: str) -> str | None:
    """A decoded value (_attribute_decoded) made a function of its own, so that a handler's `return` parses, its
    comments blank — "" when it holds no code (`javascript://`), None when it does not stand alone as code
    (_closed)."""
    code = _closed(decoded)
    if code is None or not code.strip(_JS_BLANKS):
        return code and ""
    lines = [_one_line(line) for line in code.split("\n")]
    lines[0] = ";(function (event) { " + lines[0]
    lines[-1] += " });"
    return "\n".join(lines)


_JS_BLANKS = " \t\n\r\f\v\u2028\u2029"


def _attribute_unescape(value: str) -> str:
    """Character references as the HTML tokenizer decodes them in an attribute value: a named one is the longest name
    of the table the text starts with; one without its `;` followed by `=` or an ASCII letter or digit is left as
    written (`&quotB;` is text, red120 — html.unescape decodes it)."""
    if "&" not in value:
        return value
    out: list[str] = []
    at = 0
    for found in _AMPERSAND.finditer(value):
        amp = found.start()
        if amp < at:
            continue
        name = None
        run = found.group(1)  # (a name is letters and digits, then its `;`: only prefixes of that run are tried)
        for size in range(len(run), 1, -1):
            if run[:size] in html.entities.html5:
                name = run[:size]
                break
        if name is None or name.endswith(";"):
            continue  # (numeric references and full names: html.unescape's reading is the tokenizer's)
        after = value[amp + 1 + len(name):amp + 2 + len(name)]
        if after == "=" or (after.isascii() and after.isalnum()):
            out.append(html.unescape(value[at:amp]) + "&" + name)
            at = amp + 1 + len(name)
    out.append(html.unescape(value[at:]))
    return "".join(out)


_AMPERSAND = lazy(rf"&([A-Za-z][A-Za-z0-9]{{0,{max(map(len, html.entities.html5))}}};?)")


def _closed(code: str) -> str | None:
    """The code with its comments blank (their newlines kept) when it stands alone as JavaScript — every string,
    template, regular expression and comment ends in it and its brackets match — else None. A regular expression is
    told from a division by what comes before the slash, as a lexer does; where it errs, the value as written, a
    file of its own (Embedded.values), still holds the code (red123, red124)."""
    return _lex(code)[0]


def _lex(code: str) -> tuple[str | None, bool]:
    """_closed's answer, and whether it told a regular expression from a division anywhere (a guess by what comes
    before the slash: where it errs, a value may hide what comes after it)."""
    guessed = False
    out = list(code)
    stack: list[str] = []  # open brackets ("(" after if/while/for/with is "c"), and "`" for a template's `${`
    state = "code"
    quote = ""
    previous = ""  # the last significant character of code
    word = ""  # the identifier or keyword that ends there, if one does
    last = -1  # where `previous` is
    condition = False  # the `)` just read closed a condition: a `/` after it starts a regular expression
    line_start = True  # nothing but blanks and comments since the line began (Annex B's `-->` comment)
    size = len(code)
    if code.lstrip().startswith("#!"):
        return None, False  # (a hashbang starts a script, never a handler's body: the browser runs nothing of it)
    at = 0
    while at < size:
        char = code[at]
        if state == "code":
            if char in _LINE_TERMINATORS:
                line_start = True
            elif code.startswith(("//", "<!--"), at) or (line_start and code.startswith("-->", at)):
                end = _line_end(code, at)
                out[at:end] = " " * (end - at)
                at = end
                continue
            elif char == "/" and code.startswith("/*", at):
                end = code.find("*/", at + 2)
                if end < 0:
                    return None, guessed
                out[at:end + 2] = [c if c == "\n" else " " for c in code[at:end + 2]]
                line_start = line_start or any(c in _LINE_TERMINATORS for c in code[at:end + 2])
                at = end + 2
                continue
            elif not char.isspace():
                line_start = False
            if char == "/":
                guessed = True  # (not a comment: a division or a regular expression)
            if char in "'\"":
                state, quote = "string", char
            elif char == "`":
                state = "template"
            elif char == "/" and not ((previous.isalnum() or previous in "_$)]}\"'`") and word not in _BEFORE_REGEX
                                      and not (previous == ")" and condition)):
                state = "regex"
            elif char in "([{":
                stack.append("c" if char == "(" and word in _CONDITIONS else char)
            elif char in ")]}":
                if not stack:
                    return None, guessed
                top = stack.pop()
                condition = top == "c"
                if top == "`" and char == "}":
                    state = "template"
                elif _CLOSING[top] != char:
                    return None, guessed
            if not char.isspace():
                if char.isalnum() or char in "_$":
                    word = word + char if last == at - 1 and (previous.isalnum() or previous in "_$") else char
                else:
                    word = ""
                previous, last = char, at
        elif state == "string":
            if char == "\\":
                at += 1
            elif char == quote:
                state, previous, word = "code", char, ""
            elif char in "\n\r":
                return None, guessed
        elif state == "template":
            if char == "\\":
                at += 1
            elif char == "`":
                state, previous, word = "code", char, ""
            elif code.startswith("${", at):
                stack.append("`")
                state = "code"
                previous = "{"
                at += 1
        elif state == "regex":
            if char == "\\":
                at += 1
            elif char == "[":
                state = "class"
            elif char == "/":
                # (A regex is an operand: its flags follow, then an operator.)
                state, previous, word, condition = "code", ")", "", False
            elif char in _LINE_TERMINATORS:
                return None, guessed
        elif state == "class":
            if char == "\\":
                at += 1
            elif char == "]":
                state = "regex"
            elif char in _LINE_TERMINATORS:
                return None, guessed
        at += 1
    if state != "code" or stack:
        return None, guessed
    return "".join(out), guessed


_CLOSING = {"(": ")", "[": "]", "{": "}", "c": ")"}
# The keywords after which a `/` starts a regular expression, not a division; and those whose `( … )` is a condition.
_BEFORE_REGEX = frozenset({"return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void",
                           "throw"})
# In a handler's body — a plain function, neither a generator nor async — `yield` and `await` are names; the tools'
# parsers read them as keywords (a `/` after one as a regular expression), so they are renamed, length kept (red123).
_CONTEXTUAL = lazy(r"(?<![\w$])(?:yield|await)(?![\w$])")
_CONDITIONS = frozenset({"if", "while", "for", "with"})
_LINE_TERMINATORS = "\n\r\u2028\u2029"


def _line_end(code: str, at: int) -> int:
    """Where the line that `at` is on ends (its terminator), or the end of the code."""
    end = len(code)
    for terminator in _LINE_TERMINATORS:
        found = code.find(terminator, at, end)
        if found >= 0:
            end = found
    return end


def _breaks(text: str) -> str:
    """Every line terminator in one line of a decoded value as U+2029 (one character for one)."""
    return text.replace("\r", "\u2029").replace("\n", "\u2029").replace("\u2028", "\u2029")


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(text: str) -> str:
    """HTML lowers ASCII letters only (`str.lower` maps the Kelvin sign to `k`)."""
    return text.translate(_UPPER)


# Where markup can start in the data state: `<` then `!`, `/`, `?` or an ASCII letter.
_MARKUP = lazy(r"<[!/?A-Za-z]")
_TAG_NAME = lazy(r"[^\t\n\f\r />]*")
_TAG_BLANKS = lazy(r"[\t\n\f\r /]*")
_ATTRIBUTE_NAME = lazy(r"[^\t\n\f\r />][^\t\n\f\r />=]*")
_BLANKS = lazy(r"[\t\n\f\r ]*")
_UNQUOTED = lazy(r"[^\t\n\f\r >]*")
_COMMENT_END = lazy(r"--!?>")
_RCDATA = frozenset({"title", "textarea"})
_RAWTEXT = frozenset({"style", "xmp", "iframe", "noembed", "noframes", "noscript"})
# The script data states (HTML §13.2.5.4-13.2.5.26), as the events that change them; ASCII case-insensitive (re's
# IGNORECASE alone matches the long s U+017F for `s` and the Kelvin sign for `k`).
_SCRIPT_DATA = lazy(r"(<!--)|(</script)(?=[\t\n\f\r />])", re.IGNORECASE | re.ASCII)
_SCRIPT_ESCAPED = lazy(r"(-->)|(</script)(?=[\t\n\f\r />])|(<script)(?=[\t\n\f\r />])",
                             re.IGNORECASE | re.ASCII)
_SCRIPT_DOUBLE_ESCAPED = lazy(r"(-->)|(</script)(?=[\t\n\f\r />])", re.IGNORECASE | re.ASCII)


class _Tokenizer:
    """The HTML tokenizer, as far as it decides which text is a script's: the data state with comments, bogus
    comments and doctypes, start and end tags with their attributes (a quoted value may hold `>`), RCDATA and
    RAWTEXT elements (when `opaque`), PLAINTEXT, and the script data states with their escapes (`<!--` then
    `<script>` inside a script keeps it open past the next `</script>`). Every step moves forward: linear in the
    page. A tag, comment or script the page does not close runs to its end, as in a browser (an unclosed script
    is never run)."""

    def __init__(self, text: str, *, opaque: bool, svelte: bool = False, components: bool = False) -> None:
        self.text = text
        self.opaque = opaque
        self.opaque_seen = False
        self.svelte = svelte  # `onclick={…}` is Svelte's expression, which the tokenizer does not delimit
        self.components = components  # a PascalCase tag is a component: its `on…` attributes are props
        self.handlers: list[tuple[int, int, str]] = []  # (start, end, _HANDLER | _URL) of code in attribute values
        self.srcdoc = False  # an iframe's srcdoc page was seen (not read)
        self.undelimited = 0  # Svelte event expressions whose end the gate did not find (not read)
        self.foreign = False  # an `<svg>` or `<math>` start tag came before: a script may be foreign content's
        self.foreign_scripts: list[tuple[int, int]] = []  # (body start, body end) of each script after one
        self._expressions = True  # (off after the first such: each try may read far)

    def scripts(self) -> Iterator[tuple[dict[str, str], int, int]]:
        """(attributes, body start, body end) of each script element."""
        text = self.text
        at = 0
        while (found := _MARKUP.search(text, at)) is not None:
            start = found.start()
            kind = text[start + 1]
            if kind == "!":
                # (`<!DOCTYPE`, `<![CDATA[` outside foreign content and any other `<!` end at the next `>`; in foreign
                # content — `<svg>`, `<math>`: the reading with nothing opaque — a CDATA section ends at `]]>`, red125.)
                if text.startswith("<![CDATA[", start):
                    self.opaque_seen = True  # (the two readings differ)
                    if self.opaque:
                        end = text.find(">", start + 2) + 1
                    else:
                        section = text.find("]]>", start + 9)
                        end = section + 3 if section >= 0 else 0
                else:
                    end = self._comment_end(start + 4) if text.startswith("<!--", start) else \
                        text.find(">", start + 2) + 1
                if end <= 0:
                    return
                at = end
                continue
            if kind == "?":
                at = text.find(">", start + 2) + 1
                if at <= 0:
                    return
                continue
            if kind == "/":
                if not text[start + 2:start + 3].isascii() or not text[start + 2:start + 3].isalpha():
                    at = text.find(">", start + 2) + 1  # `</>` is nothing, `</ ...>` a bogus comment
                    if at <= 0:
                        return
                    continue
                tag = self._tag(_skip(_TAG_NAME, text, start + 2))
                if tag is None:
                    return
                at = tag[1]
                continue
            name_end = _skip(_TAG_NAME, text, start + 1)
            name = _ascii_lower(text[start + 1:name_end])
            component = self.components and text[start + 1:start + 2].isupper()
            tag = self._tag(name_end, start=not component, element=name)
            if tag is None:
                return  # (EOF in a tag: it is no element)
            attributes, at = tag
            self.foreign = self.foreign or name in ("svg", "math")
            if name == "script":
                body_end = self._script_end(at)
                if body_end is None:
                    return
                closed = self._tag(body_end + len("</script"))
                if closed is None:
                    return  # (its end tag never ends: the script never closes, never runs)
                if self.foreign:
                    self.foreign_scripts.append((at, body_end))
                yield attributes, at, body_end
                at = closed[1]
            elif self.opaque and (name in _RCDATA or name in _RAWTEXT or name == "plaintext"):
                self.opaque_seen = True
                if name == "plaintext":
                    return
                close = re.compile(rf"</{name}(?=[\t\n\f\r />])", re.IGNORECASE | re.ASCII).search(text, at)
                if close is None:
                    return
                closed = self._tag(close.end())
                if closed is None:
                    return
                at = closed[1]
            elif name in _RCDATA or name in _RAWTEXT or name == "plaintext":
                self.opaque_seen = True

    def _comment_end(self, at: int) -> int:
        """Past the end of a comment whose `<!--` ends at `at` (`<!-->` and `<!--->` end at once); 0 at EOF."""
        text = self.text
        if text.startswith(">", at):
            return at + 1
        if text.startswith("->", at):
            return at + 2
        end = _COMMENT_END.search(text, at)
        return 0 if end is None else end.end()

    def _tag(self, at: int, start: bool = False, element: str = "") -> tuple[dict[str, str], int] | None:
        """The attributes of a tag whose name ends at `at` (the first of a repeated name counts, names in ASCII
        lower case) and where the tag ends; None when the page ends first. For a start tag (`start`), the places
        of the values that hold code — an event handler's, a `javascript:` URL's — go to `handlers`."""
        text, size = self.text, len(self.text)
        attributes: dict[str, str] = {}
        places: dict[str, tuple[int, int]] = {}
        while True:
            at = _skip(_TAG_BLANKS, text, at)
            if at >= size:
                return None
            if text[at] == ">":
                if start:
                    self._handlers(element, attributes, places)
                return attributes, at + 1
            name_match = _ATTRIBUTE_NAME.match(text, at)
            assert name_match is not None  # (the first character is none of those skipped above)
            name = _ascii_lower(name_match.group())
            at = _skip(_BLANKS, text, name_match.end())
            value = ""
            if text.startswith("=", at):
                at = _skip(_BLANKS, text, at + 1)
                if at >= size:
                    return None
                quote = text[at]
                if quote in "\"'":
                    close = text.find(quote, at + 1)
                    if close < 0:
                        return None
                    if name not in places:
                        places[name] = (at + 1, close)
                    value, at = text[at + 1:close], close + 1
                elif quote == "{" and self.svelte and (brace := self._expression(at)) is not None:
                    # (A Svelte `{…}` value is an expression: its braces end it, not a blank or a `>` in it.)
                    if name not in places:
                        places[name] = (at, brace)
                    value, at = text[at:brace], brace
                elif quote != ">":
                    end = _skip(_UNQUOTED, text, at)
                    if name not in places:
                        places[name] = (at, end)
                    value, at = text[at:end], end
            attributes.setdefault(name, value)

    def _handlers(self, element: str, attributes: dict[str, str], places: dict[str, tuple[int, int]]) -> None:
        """The code a start tag's attributes hold: every event handler attribute is a handler's body (in a Svelte
        component, an `onclick={…}` or `on:click={…}` is the expression in its braces, which compiles to a listener),
        a URL attribute's `javascript:` URL (after the leading spaces and controls and the tabs and newlines a URL
        parser drops) runs as a script, and so does a script element's `data:` source (HTML's `src`, SVG's `href`).
        An iframe's `srcdoc` is noted (not read)."""
        for name, (start, end) in places.items():
            value = attributes[name]
            if self.svelte and (name in _EVENT_HANDLERS or name.startswith("on:")) and (
                    name.startswith("on:") or self.text[start - 1:start] not in "\"'") and value.startswith("{"):
                if value.endswith("}") and len(value) > 1:
                    self.handlers.append((start, end, _EXPRESSION))
                else:
                    self.undelimited += 1
            elif name in _EVENT_HANDLERS:
                if value.strip(_HTML_SPACE):
                    self.handlers.append((start, end, _HANDLER))
            elif name == "srcdoc":
                self.srcdoc = True
            elif name in _URL_ATTRIBUTES and _JS_URL.match(_url(value)):
                self.handlers.append((start, end, _URL))
            elif element == "script" and name in _SCRIPT_SOURCES and _DATA_URL.match(_url(value)):
                self.handlers.append((start, end, _DATA))

    def _expression(self, at: int) -> int | None:
        """Past the `}` that ends the Svelte expression whose `{` is at `at`: the first `}` before which the expression
        stands alone as code (_closed), within _EXPRESSION_SIZE characters and _EXPRESSION_TRIES tries; None when none
        does, and then for every later expression of the page (said in the notes), so that the page costs linear
        time."""
        if not self._expressions:
            return None
        text = self.text
        limit = min(len(text), at + _EXPRESSION_SIZE)
        close = at
        for _ in range(_EXPRESSION_TRIES):
            close = text.find("}", close + 1, limit)
            if close < 0:
                break
            if _closed(text[at + 1:close]) is not None:
                return close + 1
        self._expressions = False
        return None

    def _script_end(self, at: int) -> int | None:
        """Where the script whose body starts at `at` ends (its `</script`), through the escaped and double-escaped
        states; None when it never ends."""
        text = self.text
        state = _SCRIPT_DATA
        while (event := state.search(text, at)) is not None:
            if state is _SCRIPT_DATA:
                if event.group(2):
                    return event.start()
                state, at = _SCRIPT_ESCAPED, event.end() - 2  # (`<!--` leaves two dashes: `<!-->` ends it at once)
            elif state is _SCRIPT_ESCAPED:
                if event.group(2):
                    return event.start()
                state, at = (_SCRIPT_DATA, event.end()) if event.group(1) else (_SCRIPT_DOUBLE_ESCAPED, event.end())
            else:
                state, at = (_SCRIPT_DATA, event.end()) if event.group(1) else (_SCRIPT_ESCAPED, event.end())
        return None
