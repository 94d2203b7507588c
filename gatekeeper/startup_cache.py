"""What Python compiles again in every new gatekeeper process, kept compiled between processes.

Every real push starts the hook in a new Python process, and on CPython 3.11 a third of such a hook's CPU went to
compiling source that is the same in every run: the methods `dataclasses` writes for each of the domain's ~100
frozen classes (six small functions a class, each compiled from text by `exec`), and the regular expressions the
secrets modules and the libraries compile with `re`'s pure-Python compiler. This module keeps what those compilers
produce — code objects, and the compiled regex programs `_sre` runs — in one file beside gatekeeper's bytecode
(`__pycache__`, the same trust as the `.pyc` files there), keyed by the exact text compiled, and hands it back
when the same text is compiled again. A text not in the file is compiled as before, so a missing, stale, foreign
or damaged file only costs the time it would have saved.

The file is written only by `build` (`python -m gatekeeper.build_startup_cache`: `gatekeeper install`, the Action's
image and the test suite run it), in a process of its own that imports gatekeeper's modules and compiles the shipped
patterns, and never by a gate run: nothing a push or a policy brings (a ref's name, a redacted value, a policy's
marks) is ever written to it. Every regex entry is checked at build time to give the very program `re` compiles (a
pattern whose compiling warns is not kept: from the file it would not warn), the file is bound to the interpreter
that wrote it (its version, bytecode magic, regex engine magic and optimisation level) and to gatekeeper's version,
and only a regular file is read (a FIFO there must not hold every process at its start).
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib.util
import marshal
import os
import re
import stat
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

_sre: Any
_re_compiler: Any
try:  # CPython's regex engine and re's pure-Python compiler in front of it (private: used only as checked below)
    _sre = importlib.import_module("_sre")
    _re_compiler = importlib.import_module("re._compiler")
except ImportError:  # pragma: no cover - another interpreter: no patterns kept
    _sre = _re_compiler = None

MAX_BYTES = 16 * 1024 * 1024  # far above what gatekeeper compiles (~2 MB); a larger file is not ours
_FORMAT = b"gatekeeper startup cache 1\n"

_real_exec = builtins.exec
_real_re_compile: Callable[..., re.Pattern[Any]] | None = (
    _re_compiler.compile if _re_compiler is not None else None)

# What was loaded, each value marshalled on its own (read when first asked for: loading the file stays a copy):
# source text -> code object; (pattern, flags) -> what _sre.compile takes after the pattern.
# Patterns of str and of bytes are kept apart, as re keys its own cache by type: 'x' and b'x' hash alike, and comparing
# them raises under `python -bb`.
_codes: dict[str, bytes] = {}
_patterns: dict[tuple[str, int], bytes] = {}
_byte_patterns: dict[tuple[bytes, int], bytes] = {}
hits = {"code": 0, "pattern": 0}
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def default_path() -> Path | None:
    """The file beside gatekeeper's own bytecode, named for this interpreter; None where it keeps no bytecode tag."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return Path(__file__).resolve().parent / "__pycache__" / f"startup-cache.{tag}.marshal"


def header(version: str) -> bytes:
    """What binds a file to this interpreter and to gatekeeper `version`: a code object or a regex program of another
    interpreter is never used, and a new release (`gatekeeper install` then writes the file again) never reads an
    old one's. (The version is passed in: this module is imported by the package's own __init__.)"""
    sre_magic = getattr(_sre, "MAGIC", 0) if _sre is not None else 0
    return (_FORMAT + sys.version.encode("utf-8", "replace") + b"\n" + importlib.util.MAGIC_NUMBER
            + f"\n{sre_magic} {sys.flags.optimize} {version}\n".encode())


def _read(path: Path, limit: int, size: int | None = None) -> bytes:
    """A regular file of at most `limit` bytes, or its first `size` (never a FIFO or a device, which could block or
    never end; a symlink is not followed). OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            raise OSError(f"{path}: not a regular file of at most {limit} bytes")
        return handle.read(limit + 1 if size is None else size)


def is_current(version: str, path: Path | None = None) -> bool:
    """Whether this interpreter has a start-up cache file for gatekeeper `version` (not whether it holds everything:
    a stale one only misses)."""
    path = path if path is not None else default_path()
    if path is None:
        return False
    mark = header(version)
    try:
        return _read(path, MAX_BYTES, len(mark)) == mark  # (its header only: not the whole file)
    except OSError:
        return False


def activate(version: str, path: Path | None = None) -> bool:
    """Load the file (if there is one, and it is this interpreter's) and answer compiles from it. Anything wrong
    with it — unreadable, too large, another interpreter's, damaged — leaves every compile as it was."""
    path = path if path is not None else default_path()
    _codes.clear()
    _patterns.clear()
    _byte_patterns.clear()
    if path is None or os.environ.get("GATEKEEPER_STARTUP_CACHE") == "off":
        return False
    mark = header(version)
    try:
        data = _read(path, MAX_BYTES)
        if not data.startswith(mark):
            return False
        # marshal: the file is gatekeeper's own bytecode directory's, trusted as the .pyc files beside it are.
        loaded = marshal.loads(data[len(mark):])  # noqa: S302  # nosec B302  # nosemgrep: python-marshal-load
        codes, patterns, byte_patterns = loaded["code"], loaded["re"], loaded["re-bytes"]
        if not (type(codes) is type(patterns) is type(byte_patterns) is dict):
            return False
        _codes.update((k, v) for k, v in codes.items() if type(k) is str and type(v) is bytes)
        _patterns.update((k, v) for k, v in patterns.items() if _key(k, str) and type(v) is bytes)
        _byte_patterns.update((k, v) for k, v in byte_patterns.items() if _key(k, bytes) and type(v) is bytes)
    except Exception:  # unreadable, damaged, another shape: nothing is taken from it
        _codes.clear()
        _patterns.clear()
        _byte_patterns.clear()
        return False
    if _codes:
        # dataclasses compiles the methods it writes with `exec(text, ...)`: the name is looked up in its module first.
        setattr(dataclasses, "exec", _exec_cached)  # noqa: B010 - a module attribute mypy does not know
    if (_patterns or _byte_patterns) and _re_compiler is not None and _sre is not None:
        setattr(_re_compiler, "compile", _compile_cached)  # noqa: B010
    return True


def _key(key: object, kind: type) -> bool:
    return type(key) is tuple and len(key) == 2 and type(key[0]) is kind and type(key[1]) is int


def _exec_cached(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    if type(source) is str:
        blob = _codes.get(source)
        if blob is not None:
            try:
                code = marshal.loads(blob)  # noqa: S302  # nosec B302  # nosemgrep: python-marshal-load
            except (ValueError, EOFError, TypeError):
                code = None
            if type(code) is type(_exec_cached.__code__):
                hits["code"] += 1
                source = code
        if type(source) is str:
            # Compiled as dataclasses' own exec would: exec(text) here would take this module's __future__ flags
            # (a method's annotations would turn into strings).
            source = compile(source, "<string>", "exec", dont_inherit=True)
    _real_exec(source, globals, locals)  # nosemgrep: python-eval-exec-non-literal (dataclasses' text, or its code)


def _compile_cached(pattern: Any, flags: int = 0) -> Any:
    if type(flags) is int and not flags & re.DEBUG and type(pattern) in (str, bytes):
        blob = (_patterns if type(pattern) is str else _byte_patterns).get((pattern, flags))
        if blob is not None:
            try:
                program = marshal.loads(blob)  # noqa: S302  # nosec B302  # nosemgrep: python-marshal-load
                compiled = _sre.compile(pattern, *program)
            except Exception:  # a damaged entry: compile it as re would
                compiled = None
            if compiled is not None:
                hits["pattern"] += 1
                return compiled
    if _real_re_compile is None:  # pragma: no cover - never installed without it
        raise RuntimeError("re's compiler is not available")
    return _real_re_compile(pattern, flags)


class Recorder:
    """Records, in the building process, every dataclass method and regex compiled while it is installed."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}
        self.patterns: dict[tuple[str, int], bytes] = {}
        self.byte_patterns: dict[tuple[bytes, int], bytes] = {}
        self.refused = 0  # patterns not kept: a program unlike re's own, or one whose compiling warned

    def install(self) -> None:
        setattr(dataclasses, "exec", self._exec)  # noqa: B010
        if _re_compiler is not None and _sre is not None:
            setattr(_re_compiler, "compile", self._compile)  # noqa: B010
            re.purge()  # what re compiled before (and keeps) is compiled again through the recorder when asked for

    def _exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        if type(source) is str:
            # dont_inherit: compiled as dataclasses' own exec compiles it, not with this module's __future__ flags.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.codes[source] = marshal.dumps(code)
            source = code
        _real_exec(source, globals, locals)  # nosemgrep: python-eval-exec-non-literal (dataclasses' text, or its code)

    def _compile(self, pattern: Any, flags: int = 0) -> Any:
        if _real_re_compile is None:  # pragma: no cover - never installed without it
            raise RuntimeError("re's compiler is not available")
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            compiled = _real_re_compile(pattern, flags)
        for warning in warned:  # (shown as they would have been)
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        if type(pattern) in (str, bytes) and type(flags) is int and not flags & re.DEBUG:
            entry = None if warned else _program(pattern, flags)  # a warning is given by compiling: never skipped
            if entry is not None and _same(_sre.compile(pattern, *entry), compiled):
                if type(pattern) is str:
                    self.patterns[(pattern, flags)] = marshal.dumps(entry)
                else:
                    self.byte_patterns[(pattern, flags)] = marshal.dumps(entry)
            else:
                self.refused += 1
        return compiled

    def write(self, path: Path, version: str) -> int:
        """Write what was recorded, for gatekeeper `version` (atomically: a reader sees the old file or the new one);
        returns its size."""
        from gatekeeper.fsutil import atomic_write

        tables = {"code": self.codes, "re": self.patterns, "re-bytes": self.byte_patterns}
        blob = header(version) + marshal.dumps(tables)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, blob, mode=0o644)  # (readable by the account git runs hooks as, like the .pyc files)
        return len(blob)


def _program(pattern: str | bytes, flags: int) -> Program | None:
    """What `re`'s compiler hands `_sre.compile` for `pattern` (its steps, as CPython 3.11-3.13 take them); None
    where this interpreter's compiler has another shape."""
    try:
        from re import _parser

        parsed = _parser.parse(pattern, flags)
        code = [int(op) for op in _re_compiler._code(parsed, flags)]  # (opcodes are int subclasses: marshal wants ints)
        groupindex = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)
    except Exception:  # not this shape of compiler: the pattern is just not kept
        return None


def _same(one: re.Pattern[Any], other: re.Pattern[Any]) -> bool:
    """The same program (Pattern equality compares flags, pattern and the compiled code), groups and names."""
    return one == other and one.groups == other.groups and dict(one.groupindex) == dict(other.groupindex)
