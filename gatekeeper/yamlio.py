"""YAML in one place: safe construction only (libyaml when present), hostile documents refused.

Every file gatekeeper reads (policy, device registry, rule files) goes through `load()`, which
composes the node tree first and checks it before any Python value is built:
- duplicate keys are refused (PyYAML silently keeps the last of two equal keys, hiding an edit);
- nesting deeper than MAX_DEPTH, alias cycles and alias "bombs" (a few anchors that expand to
  millions of values) are refused, so no later validator, `repr` or walk can explode;
- a value its tag cannot build (`2027-02-30`, `!!int abc`, `!!python/object`) is a `ConstructError`
  naming the key path and line — never a bare ValueError that would surface as "internal error".
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 64  # mappings/sequences inside each other; real configuration files use fewer than 10
MAX_NODES = 200_000  # values after expanding every alias


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(f"line {line}: duplicate key {key!r}")
        self.key = key
        self.line = line


class ConstructError(yaml.YAMLError):
    """A document whose shape or values cannot be read: `path` is the key path (`ignore[0].expires`)."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path or '(top level)'}: line {line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


# Tags whose constructor can fail on a bad value with a plain Python exception (ValueError for
# `!!int abc` or `2027-02-30`, KeyError for `!!bool maybe`), plus the catch-all for unknown tags.
_CHECKED_TAGS = ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set")


def _guarded(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    class Loader(base):  # type: ignore[valid-type,misc]
        root: yaml.Node | None = None

    def wrap(construct: Any) -> Any:
        def checked(loader: Any, node: yaml.Node) -> Any:
            try:
                return construct(loader, node)
            except (yaml.YAMLError, ValueError, TypeError, KeyError, OverflowError, ArithmeticError) as exc:
                problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
                where = path_to(loader.root, node) if loader.root is not None else ""
                raise ConstructError(where, node.start_mark.line + 1,
                                     f"cannot read {node.tag} value {_show(node)}: {problem}") from None
        return checked

    for name in _CHECKED_TAGS:
        tag = f"tag:yaml.org,2002:{name}"
        Loader.add_constructor(tag, wrap(yaml.SafeLoader.yaml_constructors[tag]))
    Loader.add_constructor(None, wrap(yaml.SafeLoader.yaml_constructors[None]))
    return Loader


_SAFE = _guarded(yaml.SafeLoader)
_FAST = _guarded(_FAST_BASE)


def load(text: str, *, fast: bool = False) -> Any:
    """`fast` uses libyaml when present (bulk rule files); configuration files use the pure-Python
    parser so their error messages are the same on every machine."""
    loader: Any = (_FAST if fast else _SAFE)(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ConstructError("", 1, f"nested more than {MAX_DEPTH} levels deep") from None
        if node is None:
            return None
        _check_tree(node)
        loader.root = node
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return repr(value if len(value) <= 60 else value[:59] + "…")
    return "(a mapping)" if isinstance(node, yaml.MappingNode) else "(a list)"


def _key_text(node: yaml.Node) -> str:
    value = str(node.value) if isinstance(node, yaml.ScalarNode) else "?"
    return value if len(value) <= 60 else value[:59] + "…"


def _check_tree(root: yaml.Node) -> None:
    """Refuse duplicate keys, deep nesting, alias cycles and bombs.

    Iterative: a hostile, deeply nested document must not exhaust the recursion limit here. A first
    walk checks keys and depth and notices aliases (a node reached twice); only a document with
    aliases gets the second walk, which computes its expanded size bottom-up and finds cycles. Key
    paths are worked out only for an error (`path_to`), keeping the walk cheap for big rule files.
    """
    seen: set[int] = set()
    aliased = False
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            aliased = True
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise ConstructError(path_to(root, node), node.start_mark.line + 1,
                                 f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    ident_key = (key_node.tag, key_node.value)
                    if ident_key in keys:
                        raise DuplicateKeyError(key_node.value, key_node.start_mark.line + 1)
                    keys.add(ident_key)
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    if aliased:
        _check_expansion(root)


def _check_expansion(root: yaml.Node) -> None:
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]  # (node, children pushed yet)
    while stack:
        node, expanded = stack.pop()
        ident = id(node)
        if expanded:
            on_path.discard(ident)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_NODES:
                raise ConstructError(path_to(root, node), node.start_mark.line + 1,
                                     f"expands to more than {MAX_NODES} values (anchors and aliases)")
            size[ident] = total
            continue
        if ident in on_path:
            raise ConstructError(path_to(root, node), node.start_mark.line + 1,
                                 "an alias refers to a value that contains it")
        if ident in size:
            continue  # an alias of a value already checked
        on_path.add(ident)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def path_to(root: yaml.Node, target: yaml.Node) -> str:
    """The key path (`ignore[0].expires`) of `target` in the tree under `root` (first occurrence)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                child = f"{path}.{_key_text(key_node)}" if path else _key_text(key_node)
                stack.append((value_node, child))
                stack.append((key_node, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(node.value))))
    return ""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
