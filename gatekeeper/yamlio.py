"""YAML in one place: safe construction only (libyaml when present), and duplicate keys refused.

PyYAML silently keeps the last of two equal keys; in a policy or a device registry that hides an
edit, so every file gatekeeper reads goes through `load()`, which composes the node tree, refuses
duplicate keys, and only then constructs plain Python values with the safe constructor.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(f"line {line}: duplicate key {key!r}")
        self.key = key
        self.line = line


def load(text: str, *, fast: bool = False) -> Any:
    """`fast` uses libyaml when present (bulk rule files); configuration files use the pure-Python
    parser so their error messages are the same on every machine."""
    loader = (_FAST_LOADER if fast else yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_duplicates(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _refuse_duplicates(root: yaml.Node) -> None:
    # Iterative: a hostile, deeply nested document must not exhaust the recursion limit.
    stack = [root]
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # aliases can make the graph cyclic
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    ident = (key_node.tag, key_node.value)
                    if ident in keys:
                        raise DuplicateKeyError(key_node.value, key_node.start_mark.line + 1)
                    keys.add(ident)
                stack.append(key_node)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
