"""Layering and registries: data flows one way, and only the gatekeeper.git package runs git."""

from __future__ import annotations

import ast
from pathlib import Path

from gatekeeper.checks import CHECKS
from gatekeeper.cli import _use_color

PKG = Path(__file__).parents[1] / "gatekeeper"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PKG.parent).with_suffix("").parts)


def test_lower_layers_do_not_import_upper_layers() -> None:
    upper = {"gatekeeper.cli", "gatekeeper.modes"}
    for path in PKG.rglob("*.py"):
        mod = _module(path)
        if mod.startswith(("gatekeeper.cli", "gatekeeper.modes", "gatekeeper.__main__")):
            continue
        bad = {i for i in _imports(path) if any(i == u or i.startswith(u + ".") for u in upper)}
        assert not bad, f"{mod} imports {bad}: lower layers must not depend on cli/modes"


def test_models_depend_on_nothing_of_ours() -> None:
    # Except the keyed-hash leaf (fingerprints are computed on the Finding), which itself imports nothing.
    assert {i for i in _imports(PKG / "models.py") if i.startswith("gatekeeper")} <= {"gatekeeper.fingerprint"}
    assert not {i for i in _imports(PKG / "fingerprint.py") if i.startswith("gatekeeper")}


def test_renderers_are_pure() -> None:
    for path in (PKG / "report").glob("*.py"):
        imports = _imports(path)
        assert "subprocess" not in imports, path
        assert "gatekeeper.git" not in imports and "gatekeeper.engine" not in imports, path


def test_only_git_py_runs_git() -> None:
    for path in PKG.rglob("*.py"):
        if path.parent == PKG / "git":
            continue
        source = path.read_text()
        assert '["git"' not in source and "['git'" not in source and '("git",' not in source, (
            f"{path} builds a git command line; git access belongs in gatekeeper/git/")


def test_check_registry_ids_unique() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(c.description for c in CHECKS)


class _Tty:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_tty_and_honours_no_color(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert _use_color(_Tty()) is True
    assert _use_color(object()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(_Tty()) is False
