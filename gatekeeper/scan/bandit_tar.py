"""Where bandit's B202 (tarfile extractall) reads a call that extracts nothing unsafely.

bandit reports every call whose name holds `extractall` in a module that imports tarfile, and accepts only
`filter="data"` as safe. Two readings of it block ordinary code: a zip archive's `extractall()` in a module that
also handles tar files (zipfile drops absolute paths and `..` from member names itself), and a tar extraction
that does pass Python's data filter by another spelling (`filter=tarfile.data_filter`).

Only what the module itself shows beyond doubt counts, read from its syntax tree:
- the filter is `"data"` or `tarfile.data_filter` (`tar`, `fully_trusted` and None are not safe),
  through a name bound to the tarfile module or the function by an import and by nothing else;
- the archive is a `zipfile.ZipFile(...)` (or `ZipFile(...)` imported from zipfile) called in place, or a plain
  name every binding of which in the module is `name = ZipFile(...)` or `with ZipFile(...) as name`.
A module with a `*` import, or one that assigns a `ZipFile`, `data_filter`, `tar_filter`, `extractall` or
`__class__` attribute anywhere, is not read: bandit's finding stands. Nor is one that can rebind names at run time
without a binding its syntax tree shows (red114: `sys.modules["zipfile"] = ...` before `import zipfile`,
`globals()["archive"] = tarfile.open(...)` beside `archive = zipfile.ZipFile(...)`): any use of `globals`, `vars`,
`locals`, `exec`, `eval`, `compile`, `__import__`, `setattr`, `delattr`, `getattr`, `__builtins__`, of a
`modules`, `__dict__`, `__globals__` or frame-globals attribute, an import of `sys.modules` or of a module that
runs code given as text or data in this process (`importlib`, `builtins`, `runpy`, `timeit`, `pdb`, `pickle`, ...).
Such a list cannot be complete; it errs towards keeping the finding. So does any call the reading cannot place
(an archive kept on `self`, passed in, returned by a helper) — fail closed. (What another module does before this
one is imported — a package `__init__` that swaps `sys.modules["zipfile"]`, a `zipfile.py` beside a script — is
beyond a reading of one module.)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

# Only the data filter: the tar filter still lets a member link outside the destination (PEP 706; red109: a hard link
# then a file of its name overwrote a file outside it).
_SAFE_FILTER_NAMES = frozenset({"data"})
_SAFE_FILTER_FUNCTIONS = frozenset({"data_filter"})
_WATCHED_ATTRIBUTES = frozenset({"ZipFile", "extractall", "data_filter", "tar_filter", "__class__"})
# What rebinds a module's names at run time with no binding in its syntax tree (red114), read or called anywhere:
# the namespaces themselves, attribute access by a computed name, and what runs code given as a string or data
# in this process (exec, the profilers and debuggers that take a statement, pickle and yaml's unsafe loaders).
_DYNAMIC_NAMES = frozenset({"globals", "vars", "locals", "exec", "eval", "compile", "__import__", "setattr",
                            "delattr", "getattr", "__builtins__", "__dict__", "attrgetter", "methodcaller"})
_DYNAMIC_ATTRIBUTES = frozenset({"modules", "__dict__", "__globals__", "__builtins__", "f_globals", "f_locals",
                                 "_getframe", "__setattr__", "__getattribute__", "__getattr__", "__import__",
                                 "settrace", "setprofile", "UnsafeLoader", "FullLoader", "Loader", "unsafe_load",
                                 "unsafe_load_all", "full_load", "full_load_all"})
_DYNAMIC_MODULES = frozenset({"importlib", "builtins", "__builtin__", "runpy", "ctypes", "gc", "inspect", "pickle",
                              "_pickle", "cPickle", "marshal", "dill", "cloudpickle", "shelve", "jsonpickle",
                              "timeit", "cProfile", "profile", "pdb", "bdb", "trace", "code", "codeop", "doctest"})


class TarReading:
    """One module read once (its bindings and its extractall calls by line), however many B202 findings it has: a
    module of thousands of calls costs one walk, not one per finding."""

    def __init__(self, tree: ast.Module) -> None:
        self._reader = _Reader(tree)
        self._calls: dict[int, list[ast.Call]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and "extractall" in _called_name(node.func):
                self._calls.setdefault(node.lineno, []).append(node)

    def safe(self, line: int) -> bool:
        """True when every `extractall` call bandit may have read on `line` is a zip archive's or passes a safe
        filter. False (bandit's finding stands) for anything else, including a line with no such call."""
        calls = self._calls.get(line, [])
        return self._reader.readable and bool(calls) and all(self._reader.safe_call(call) for call in calls)


def extraction_is_safe(tree: ast.Module, line: int) -> bool:
    """TarReading(tree).safe(line), for one question."""
    return TarReading(tree).safe(line)


def _called_name(func: ast.expr) -> str:
    """The name bandit matches `extractall` in: the called attribute's or name's own identifier."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


class _Reader:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.readable = True
        # name → the binding nodes of it anywhere in the module (every scope: a narrower reading than Python's,
        # which only ever rejects).
        self.bindings: dict[str, list[ast.AST]] = {}
        # (A plain name assigned or bound by `with … as` is read through its Assign or with-item, not again as a
        # stored Name.)
        read_whole = {id(target) for node in ast.walk(tree) for target in (
            node.targets if isinstance(node, ast.Assign) else
            [node.optional_vars] if isinstance(node, ast.withitem) else []) if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if id(node) in read_whole:
                continue
            if _unreadable(node):
                self.readable = False
            for name in _bound_names(node):
                self.bindings.setdefault(name, []).append(node)

    def safe_call(self, call: ast.Call) -> bool:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "extractall"):
            return False
        if any(k.arg is None for k in call.keywords):  # **options may carry another filter
            return False
        filters = [k.value for k in call.keywords if k.arg == "filter"]
        if filters:
            return self._safe_filter(filters[0])
        return self._zip_archive(func.value)

    def _safe_filter(self, value: ast.expr) -> bool:
        if isinstance(value, ast.Constant):
            return isinstance(value.value, str) and value.value in _SAFE_FILTER_NAMES
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            return value.attr in _SAFE_FILTER_FUNCTIONS and self._module_import(value.value.id, "tarfile")
        if isinstance(value, ast.Name):
            return value.id in _SAFE_FILTER_FUNCTIONS and self._from_import(value.id, "tarfile", value.id)
        return False

    def _zip_archive(self, archive: ast.expr) -> bool:
        if isinstance(archive, ast.Call):
            return self._zip_constructor(archive)
        if not isinstance(archive, ast.Name):
            return False
        bound = self.bindings.get(archive.id, [])
        return bool(bound) and all(self._binds_zip(node, archive.id) for node in bound)

    def _binds_zip(self, node: ast.AST, name: str) -> bool:
        if isinstance(node, ast.Assign):
            return (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
                    and isinstance(node.value, ast.Call) and self._zip_constructor(node.value))
        if isinstance(node, ast.withitem):
            return (isinstance(node.optional_vars, ast.Name) and isinstance(node.context_expr, ast.Call)
                    and self._zip_constructor(node.context_expr))
        return False

    def _zip_constructor(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.attr == "ZipFile" and self._module_import(func.value.id, "zipfile")
        if isinstance(func, ast.Name):
            return self._from_import(func.id, "zipfile", "ZipFile")
        return False

    def _module_import(self, name: str, module: str) -> bool:
        """`name` is bound only by `import module` / `import module as name`."""
        bound = self.bindings.get(name, [])
        return bool(bound) and all(
            isinstance(node, ast.Import) and any(a.name == module and (a.asname or a.name) == name for a in node.names)
            and not any(a.name != module and (a.asname or a.name.partition(".")[0]) == name for a in node.names)
            for node in bound)

    def _from_import(self, name: str, module: str, member: str) -> bool:
        """`name` is bound only by `from module import member [as name]`."""
        bound = self.bindings.get(name, [])
        return bool(bound) and all(
            isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0
            and all(a.name == member for a in node.names if (a.asname or a.name) == name)
            for node in bound)


def _unreadable(node: ast.AST) -> bool:
    """A `*` import (it may bind any name), a store into an attribute the reading relies on
    (`zipfile.ZipFile = tarfile.open`), or anything that rebinds names at run time (`globals()[...] =`,
    `sys.modules[...] =`, setattr(), exec(), importlib)."""
    if isinstance(node, ast.ImportFrom):
        return (any(a.name == "*" for a in node.names) or (node.module or "").partition(".")[0] in _DYNAMIC_MODULES
                or (node.module == "sys" and any(a.name in ("modules", "_getframe") for a in node.names)))
    if isinstance(node, ast.Import):
        return any(a.name.partition(".")[0] in _DYNAMIC_MODULES for a in node.names)
    if isinstance(node, ast.Attribute):
        return node.attr in _DYNAMIC_ATTRIBUTES or (
            not isinstance(node.ctx, ast.Load) and node.attr in _WATCHED_ATTRIBUTES)
    if isinstance(node, ast.Name):
        return node.id in _DYNAMIC_NAMES or node.id in _DYNAMIC_MODULES
    return False


def _bound_names(node: ast.AST) -> Iterator[str]:
    """The names `node` binds, as the node that binds them: an Assign or a with-item for the shapes
    _binds_zip reads, the node itself for every other binding (a Name stored elsewhere is reported by its own
    node, which no reading accepts)."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id
    elif isinstance(node, ast.withitem):
        if isinstance(node.optional_vars, ast.Name):
            yield node.optional_vars.id
    elif isinstance(node, ast.Import | ast.ImportFrom):
        for alias in node.names:
            yield alias.asname or alias.name.partition(".")[0]
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        if node.name:
            yield node.name
    elif isinstance(node, ast.MatchMapping):
        if node.rest:
            yield node.rest
    elif isinstance(node, ast.Global | ast.Nonlocal):
        yield from node.names
    elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        yield node.id
