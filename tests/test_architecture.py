"""Layering and registries: data flows one way, no import cycles, only gatekeeper.process starts child
processes and only the gatekeeper.git package runs git."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

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


PROCESS_HELPER = "gatekeeper.process"
GIT_PACKAGE = "gatekeeper.git"
# Modules that start programs, and the os / asyncio functions that do.
_SPAWNING_MODULES = ("subprocess", "pty", "multiprocessing", "asyncio.subprocess", "concurrent.futures.process")
_OS_SPAWNERS = ("system", "popen", "exec", "spawn", "posix_spawn", "fork")
# The git package's private runner: its entry points and the state that decides how git runs.
_RUNNER_NAMES = frozenset({"_run", "_out", "_argv", "_process", "_stream", "_attr_free", "_env", "_config",
                           "_foreground", "_pathspec"})


def _spawns(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in _SPAWNING_MODULES)


def _os_spawner(name: str) -> bool:
    return name.startswith(_OS_SPAWNERS)


def process_violations(source: str, module: str) -> list[str]:
    """Where one module of ours starts a child process outside gatekeeper.process, or runs git (or reaches
    into the git package's private runner) outside gatekeeper.git. Read from the syntax tree, so an alias
    (`import subprocess as sp`), a `from os import system` or a runner call on any receiver is seen."""
    helper = module == PROCESS_HELPER
    in_git = module == GIT_PACKAGE or module.startswith(GIT_PACKAGE + ".")
    found: list[str] = []
    git_names: set[str] = set()  # names this module imported from gatekeeper.git
    tree = ast.parse(source)
    for node in ast.walk(tree):
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _spawns(alias.name) and not helper:
                    found.append(f"{where} imports {alias.name}")
                if alias.name.startswith(GIT_PACKAGE + "._") and not in_git:
                    found.append(f"{where} imports the git package's private {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            source_module = node.module or ""
            names = [a.name for a in node.names]
            if _spawns(source_module) and not helper:
                found.append(f"{where} imports from {source_module}")
            if source_module == "os" and any(_os_spawner(n) for n in names) and not helper:
                found.append(f"{where} imports a process function from os: {names}")
            if source_module == "asyncio" and any(n.startswith("create_subprocess") or n == "subprocess"
                                                  for n in names) and not helper:
                found.append(f"{where} imports asyncio's subprocess support")
            if not in_git and (source_module.startswith(GIT_PACKAGE + "._")
                               or (source_module == GIT_PACKAGE and any(n.startswith("_") for n in names))):
                found.append(f"{where} imports private names of the git package")
            if source_module == GIT_PACKAGE or source_module.startswith(GIT_PACKAGE + "."):
                git_names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Attribute):
            receiver = node.value
            if (isinstance(receiver, ast.Name) and receiver.id == "os" and _os_spawner(node.attr)
                    and not helper):
                found.append(f"{where} calls os.{node.attr}")
            if node.attr.startswith("create_subprocess") and not helper:
                found.append(f"{where} uses {node.attr}")
            if (node.attr in _RUNNER_NAMES and not in_git
                    and not (isinstance(receiver, ast.Name) and receiver.id in ("self", "cls"))):
                found.append(f"{where} reaches the git runner's private .{node.attr}")
        elif isinstance(node, (ast.List, ast.Tuple)) and not in_git:
            first = node.elts[0] if node.elts else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and (
                    first.value == "git" or first.value.endswith("/git")):
                found.append(f"{where} builds a git command line")
    if not in_git:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                bases |= {b.attr for b in node.bases if isinstance(b, ast.Attribute)}
                if bases & (git_names | {"Git", "Workdir", "Runner"}):
                    found.append(f"{module}:{node.lineno} extends a git package class (its runner would be reachable)")
    return found


def test_only_the_process_helper_starts_processes_and_only_gatekeeper_git_runs_git() -> None:
    found: list[str] = []
    for path in sorted(PKG.rglob("*.py")):
        module = _module(path)
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__")
        found += process_violations(path.read_text(), module)
    assert not found, ("child processes start only in gatekeeper/process.py, git runs only in gatekeeper/git/ "
                       "(ask Git a named question instead):\n" + "\n".join(found))


def test_git_takes_no_raw_arguments() -> None:
    """Callers ask Git named questions; the argv-taking runner is private (and checked above)."""
    from gatekeeper.git import Git, Workdir

    for cls in (Git, Workdir):
        assert not [name for name in ("run", "out", "argv", "env", "popen") if hasattr(cls, name)], cls


@pytest.mark.parametrize("source", [
    "import subprocess\n",
    "import subprocess as sp\n",
    "from subprocess import run\n",
    "import pty\n",
    "import asyncio.subprocess\n",
    "from asyncio import create_subprocess_exec\n",
    "import asyncio\nasyncio.create_subprocess_shell('ls')\n",
    "import os\nos.system('ls')\n",
    "import os\nos.execvp('ls', ['ls'])\n",
    "import os\nos.spawnlp(os.P_WAIT, 'ls')\n",
    "import os\nos.posix_spawnp('ls', ['ls'], {})\n",
    "import os\nos.popen('ls')\n",
    "from os import system\n",
    "from gatekeeper import process\nprocess.run(['git', 'log'], timeout=1)\n",
    "from gatekeeper import process\nprocess.Child(('/usr/bin/git', 'push'))\n",
    "def f(git):\n    return git._run('log')\n",
    "def f(git):\n    return git._out('rev-parse', 'HEAD')\n",
    "def f(repo):\n    repo.git._env['GIT_DIR'] = '/elsewhere'\n",
    "from gatekeeper.git._runner import Runner\n",
    "from gatekeeper.git import _runner\n",
    "from gatekeeper.git import Git\nclass Mine(Git):\n    def log(self):\n        return self._out('log')\n",
])
def test_the_process_rule_catches_each_way_in(source: str) -> None:
    assert process_violations(source, "gatekeeper.modes.example"), source


def test_the_process_rule_allows_the_helper_the_package_and_named_questions() -> None:
    assert process_violations("import subprocess\nimport os\nos.killpg(1, 9)\n", PROCESS_HELPER) == []
    runner = "from gatekeeper import process\ndef f(self):\n    return process.run(['git', *self._argv()], timeout=1)\n"
    assert process_violations(runner, "gatekeeper.git._runner") == []
    assert process_violations(runner, "gatekeeper.scan.common") != []
    named = ("from gatekeeper.git import Git\nclass _Escaping:\n    def write(self, t):\n        return self._out.write(t)\n"
             "def f(git: Git):\n    return git.hooks_dir(), ('gitleaks', 'x'), ['--git']\n")
    assert process_violations(named, "gatekeeper.modes.example") == []


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


# -- no import cycles ------------------------------------------------------------------------------------
# The graph is built from the AST, so imports inside functions (the lazy ones that keep start-up fast)
# count as much as top-level ones: a cycle through a function-level import is still a cycle, it only
# fails later. Imports under `if TYPE_CHECKING:` never run and are left out.


def _module_names(root: Path) -> dict[str, Path]:
    names: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package tree it imports (anywhere in its body)."""
    modules = _module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        edges: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[:len(package) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                if target in modules:
                    edges.add(target)
                # `from gatekeeper import cli` imports the module gatekeeper.cli
                edges.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules)
        edges.discard(name)
        graph[name] = edges
    return graph


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles_among_gatekeeper_modules() -> None:
    graph = import_graph(PKG)
    assert "gatekeeper.cli_hook" in graph["gatekeeper.cli"]  # the builder sees function-level imports
    cycles = import_cycles(graph)
    described = ["; ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in cycles]
    assert not cycles, "import cycles: " + " | ".join(described)


def test_cycle_finder_fails_on_a_cycle() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}) == [["a", "b"], ["c", "d"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_graph_builder_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "front.py").write_text("from pkg.sub import back\n")
    (pkg / "sub" / "back.py").write_text("def later():\n    from ..front import x\n    return x\n")
    (pkg / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import front\n")
    graph = import_graph(pkg)
    assert graph["pkg.front"] == {"pkg.sub", "pkg.sub.back"} and graph["pkg.sub.back"] == {"pkg.front"}
    assert graph["pkg.typed"] == set()  # type-only imports never run
    assert import_cycles(graph) == [["pkg.front", "pkg.sub.back"]]


def _reachable(graph: Mapping[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def test_hook_entry_point_never_imports_the_full_cli() -> None:
    """Installed hooks run `python -m gatekeeper.cli_hook`: its own command group, fast to start."""
    reachable = _reachable(import_graph(PKG), "gatekeeper.cli_hook")
    assert not reachable & {"gatekeeper.cli", "gatekeeper.cli_action", "gatekeeper.cli_audit", "gatekeeper.cli_log"}
    code = ("import sys, gatekeeper.cli_hook as h; "
            "print(sorted(m for m in sys.modules if m.startswith('gatekeeper.')), sorted(h.hook_cli.commands))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "gatekeeper.cli'" not in out and "gatekeeper.report" not in out, out
    assert "'pre-receive'" in out and "'tag'" in out


def test_the_hook_judges_with_the_collector_on_and_its_start_up_frozen() -> None:
    """Run as the installed hook (`python -m gatekeeper.cli_hook`), the collector is off while the modules load and on
    again, with what they made frozen, before the push is read; imported, the module leaves the collector alone."""
    probe = ("import gc, runpy, sys\n"
             "import gatekeeper.modes.pre_receive as m\n"
             "def judge(data, **kw):\n"
             "    print('judged', gc.isenabled(), gc.get_freeze_count() > 1000)\n"
             "    return 0\n"
             "m.run_pre_receive = judge\n"
             "sys.argv = ['gk', 'pre-receive']\n"
             "runpy.run_module('gatekeeper.cli_hook', run_name='__main__')\n")
    run = subprocess.run([sys.executable, "-c", probe], input="", capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout == "judged True True\n", (run.stdout, run.stderr)
    imported = subprocess.run([sys.executable, "-c", "import gc, gatekeeper.cli_hook; print(gc.isenabled())"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout == "True\n"


def test_the_hook_loads_no_reader_a_usual_push_does_not_need() -> None:
    """Every push starts a hook process: the notebook and markup reader (scan/embedded.py) loads when such a file is
    read, the CODEOWNERS reader (review/semantics.py) when the repository has one — not for every push."""
    code = ("import sys, gatekeeper.modes.pre_receive, gatekeeper.scan.secrets_scanner, gatekeeper.scan.workspace, "
            "gatekeeper.trusted; print(sorted(m for m in ('gatekeeper.scan.embedded', 'gatekeeper.review.semantics') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n", out


MODE_LINE_LIMIT = 250  # issue #13: a front door parses its input, calls the engine and returns; it holds no check


def test_front_doors_stay_thin() -> None:
    """Each mode stays a thin front door: when one grows past the limit, its new part belongs in a room of
    its own (a check in checks/, rendering in report/, git in gatekeeper.git), not in the mode."""
    grown = {path.name: n for path in sorted((PKG / "modes").glob("*.py"))
             if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODE_LINE_LIMIT}
    assert not grown, f"modes/ files over {MODE_LINE_LIMIT} lines: {grown}"
