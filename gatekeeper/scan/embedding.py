"""Which files hold code of another language, and what a reading of them can leave unread: the facts the scan's
workspace needs about every file (scan/workspace.py), apart from the reader itself (scan/embedded.py, which loads
only when such a file is read: the hook's start-up)."""

from __future__ import annotations

from dataclasses import dataclass

NOTEBOOK = ".ipynb"
MARKDOWN = frozenset({".md", ".markdown"})
MARKUP = frozenset({".html", ".htm", ".xhtml", ".svg", ".vue", ".svelte", *MARKDOWN})
# Markup a browser reads as XML: a script's text is markup there, its character references decoded (red125).
XML_MARKUP = frozenset({".xhtml", ".svg"})
EMBEDDING = frozenset({NOTEBOOK, *MARKUP})
# What each embedding extension can hold: a tool that reads none of these languages never asks for the file.
LANGUAGES = {NOTEBOOK: ("python",), **{ext: ("javascript", "typescript") for ext in MARKUP}}


@dataclass(frozen=True, slots=True)
class Unread:
    """Lines of a notebook's code (in `Embedded.text`, 1-based) a tool that reads a file only when all of it parses
    cannot read: a cell, or a top-level statement of one, Python cannot parse (`deep` False), or one nested deeper
    than bandit's recursive walk goes (`deep` True: Python runs it)."""

    first: int
    last: int
    reason: str
    deep: bool = False


class Unreadable(ValueError):
    """A notebook the gate could not read: none of its code was scanned. `blocking` when a tool that runs notebooks
    may still read it (JSON nested deeper than Python's parser goes); not when nothing can (it is not JSON)."""

    def __init__(self, reason: str, *, blocking: bool) -> None:
        super().__init__(reason)
        self.blocking = blocking


# Extensions whose magics are all named in embedded._LINE_MAGICS (or that define none): loading one leaves the magics
# as they are. Any other extension may define — or redefine — any magic, and then none is trusted (embedded._Notebook).
KNOWN_EXTENSIONS = frozenset({
    "autoreload", "storemagic", "line_profiler", "memory_profiler", "watermark", "tensorboard", "dotenv", "sql",
    "rpy2.ipython", "rmagic", "octavemagic", "oct2py.ipython", "cythonmagic", "Cython", "sympyprinting",
    "sympy_printing", "sympy.interactive.ipythonprinting", "google.colab.data_table", "cudf.pandas", "nb_black",
    "lab_black", "jupyter_black",
    *(f"IPython.extensions.{name}" for name in ("autoreload", "storemagic", "rmagic", "octavemagic", "cythonmagic",
                                                "sympyprinting")),
})
# Their top-level modules: a package of such a name in the repository may shadow one (scan.workspace).
KNOWN_EXTENSION_MODULES = frozenset(name.split(".")[0] for name in KNOWN_EXTENSIONS)
