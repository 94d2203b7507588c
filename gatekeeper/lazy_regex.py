"""Regular expressions compiled when first used, not when their module is imported.

Every real push starts the hook in a new Python process, and every hook reads the pushed ref names, subjects and
identities for secrets: the secrets modules' ~300 patterns and the shipped rules' ~600 used to be compiled on import
and load, about 0.4 s of CPU of a push's 0.8 s, although a small push's text reaches only a few of them (the keyword
prefilter decides which rules are tried). A `LazyPattern` compiles on its first use and then binds the compiled
pattern's methods onto itself, so each later call is the compiled method's own (no extra Python frame). The results
are the same: the same pattern, the same flags; only when the compiling happens moves. A pattern that does not
compile raises on first use, so the shipped patterns are compiled by a test (tests/test_lazy_regex.py) and rules
files a user supplies are still compiled when they are loaded (gatekeeper.scan.secrets.parse_rules).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any, AnyStr, Generic

_REGISTRY: list[LazyPattern[Any]] = []  # every module-level pattern made here: compiled all at once by the tests
_BOUND = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern(Generic[AnyStr]):
    """A `re.Pattern` compiled on first use (the methods the code base calls, with the same signatures)."""

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern: AnyStr = pattern
        self._flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    def compiled(self) -> re.Pattern[AnyStr]:
        """The compiled pattern; compiling it the first time binds its methods onto this object."""
        compiled = self._compiled
        if compiled is None:
            compiled = re.compile(self.pattern, self._flags)
            for name in _BOUND:
                setattr(self, name, getattr(compiled, name))  # instance attributes outrank the methods below
            self._compiled = compiled
        return compiled

    @property
    def flags(self) -> int:
        return self.compiled().flags

    @property
    def groups(self) -> int:
        return self.compiled().groups

    @property
    def groupindex(self) -> Any:
        return self.compiled().groupindex

    def search(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled().search(string, pos, endpos)

    def match(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[AnyStr] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[AnyStr]]:
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: AnyStr, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def sub(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0) -> AnyStr:
        return self.compiled().sub(repl, string, count)

    def subn(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr,
             count: int = 0) -> tuple[AnyStr, int]:
        return self.compiled().subn(repl, string, count)

    def split(self, string: AnyStr, maxsplit: int = 0) -> list[AnyStr | Any]:
        return self.compiled().split(string, maxsplit)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LazyPattern, (self.pattern, self._flags))

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self._flags!r})"


def lazy(pattern: AnyStr, flags: int = 0) -> LazyPattern[AnyStr]:
    """`re.compile(pattern, flags)`, deferred to the pattern's first use (for a module's own patterns: each is
    registered for compile_all)."""
    made = LazyPattern(pattern, flags)
    _REGISTRY.append(made)
    return made


def compile_all() -> int:
    """Compile every lazy pattern made so far (tests: a pattern that does not compile fails there, not on a push);
    returns how many."""
    for pattern in list(_REGISTRY):
        pattern.compiled()
    return len(_REGISTRY)
