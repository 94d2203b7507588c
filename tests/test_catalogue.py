"""The finding catalogue: every id gatekeeper emits is registered, every entry's docs anchor exists, the
check registry names ids its checks emit, and the guards that enforce this can fail."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

from gatekeeper import catalogue
from gatekeeper.models import Finding, Severity
from gatekeeper.scan.common import tool_failure
from tests.finding_guard import RECORDER, problems

ROOT = Path(__file__).parents[1]
PKG = ROOT / "gatekeeper"
DOCS = ROOT / "docs"


# -- the run-time guard (tests/conftest.py) -----------------------------------------------------------

def test_runtime_guard_records_gatekeeper_findings_and_flags_unregistered_ids() -> None:
    producer = compile("def make(rule_id):\n    return Finding(rule_id, Severity.LOW, 'm').with_fingerprint('x')\n",
                       "<fake gatekeeper module>", "exec")
    scope = {"__name__": "gatekeeper.fake_producer", "Finding": Finding, "Severity": Severity}
    exec(producer, scope)  # our own literal source, standing for a gatekeeper module
    with RECORDER.capture() as seen:
        scope["make"]("policy/force-push")  # type: ignore[operator]
        scope["make"]("nope/unregistered")  # type: ignore[operator]
        Finding("nope/made-by-a-test", Severity.LOW, "m")  # a test's own finding is not the product's
        tool_failure("Bad Scanner", "crashed")  # an id a producer formats outside its family
    assert seen == {"policy/force-push": "gatekeeper.fake_producer", "nope/unregistered": "gatekeeper.fake_producer",
                    "tool/Bad Scanner-failed": "gatekeeper.scan.common"}
    assert problems(seen) == ["nope/unregistered (built in gatekeeper.fake_producer)",
                              "tool/Bad Scanner-failed (built in gatekeeper.scan.common)"]
    assert "nope/unregistered" not in RECORDER.ids  # captured apart from the session's record


def test_registry_lookup() -> None:
    assert catalogue.lookup("policy/force-push") is catalogue.rule("policy/force-push")
    family = catalogue.lookup("bandit/B602")
    assert isinstance(family, catalogue.Family) and family.kind == "bandit"
    assert catalogue.lookup("tool/semgrep-failed") is catalogue.lookup("tool/bandit-failed")
    assert isinstance(catalogue.lookup("tool/github-failed"), catalogue.Rule)  # a rule wins over its family
    for bad in ("policy/nope", "secrets/", "semgrep/a b", "bandit/X1", "review", ""):
        assert not catalogue.is_registered(bad), bad
    assert catalogue.unregistered(["policy/changed", "x/y", "x/y"]) == ["x/y"]


# -- the static guard: every id a finding factory is called with ----------------------------------------

# Classes whose instances carry a rule id that ends up in a Finding (the scanners' raw results first).
FACTORIES = frozenset({"Finding", "RawFinding", "SecretHit"})

# Sites that hand on an id decided elsewhere. Each names (module, function, the id expression) and why the
# id is registered anyway; the test fails when a site appears that is not listed, or a listed one is gone.
def _signature_statuses() -> set[str]:
    from gatekeeper.checks.provenance import _STATUS

    return set(_STATUS)


# Sites that hand on an id decided elsewhere: (module, function, the id expression) -> why, and the ids it
# can take when they are not checked where they are made. The test fails when a site appears that is not
# listed, or a listed one is gone.
PASS_THROUGH: dict[tuple[str, str, str], tuple[str, Callable[[], set[str]] | None]] = {
    ("gatekeeper/catalogue.py", "finding", "self.id"):
        ("Rule.finding: the rule's own id (its callers are checked as RULE.finding sites)", None),
    ("gatekeeper/checks/provenance.py", "_status", "status"):
        ("provenance.source.classify() of a signature: a key of _STATUS", _signature_statuses),
    ("gatekeeper/review/github_source.py", "_landed_finding", "rule"):
        ("the caller's literal", lambda: {"review/missing", "review/bypassed"}),
    ("gatekeeper/scan/head.py", "_findings", "item.rule_id"): ("a RawFinding's id, checked where it is made", None),
    ("gatekeeper/scan/secrets_scanner.py", "_finding", "hit.rule_id"):
        ("a SecretHit's id, checked where it is made", None),
    ("gatekeeper/scan/common.py", "from_json", "rule_id"):
        ("a cached RawFinding's id, as the scanner stored it (checked where it is made)", None),
}

_Scope = ast.FunctionDef | ast.AsyncFunctionDef


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _rule_call(node: ast.AST) -> ast.expr | None:
    """The id argument of `rule(ID)` / `catalogue.rule(ID)` (the catalogue's lookup), else None."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "rule") or (isinstance(func, ast.Attribute)
                                                                  and func.attr == "rule"):
            return node.args[0]
    return None


def _module_constants(tree: ast.Module) -> dict[str, set[str]]:
    """Module-level names bound to a string, or to a catalogue rule (`X = rule("policy/force-push")`)."""
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = _rule_call(node.value) or node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, set()).add(value.value)
    return found


class _Module:
    def __init__(self, rel: str, source: str) -> None:
        self.rel = rel
        self.tree = ast.parse(source, rel)
        self.parent = _parents(self.tree)
        self.constants = _module_constants(self.tree)
        self.rules = {t.id for n in self.tree.body if isinstance(n, ast.Assign) and _rule_call(n.value) is not None
                      for t in n.targets if isinstance(t, ast.Name)}
        self.imports: dict[str, tuple[str, str]] = {}
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gatekeeper"):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)

    def enclosing(self, node: ast.AST, kind: type | tuple[type, ...]) -> ast.AST | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, kind):
                return node
        return None


_MODULES: dict[str, _Module] = {}


def _module(name: str) -> _Module | None:
    if name not in _MODULES:
        base = ROOT / Path(*name.split("."))
        path = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
        if not path.exists():
            return None
        _MODULES[name] = _Module(path.relative_to(ROOT).as_posix(), path.read_text())
    return _MODULES[name]


def _local_values(func: _Scope, name: str) -> list[ast.expr] | None:
    """The expressions assigned to `name` in `func` (tuple unpacking included); None when it is a parameter."""
    params = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
    if any(a.arg == name for a in params):
        return None
    values: list[ast.expr] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values.append(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    values += [v for t, v in zip(target.elts, node.value.elts, strict=True)
                               if isinstance(t, ast.Name) and t.id == name]
    return values


def _templates(expr: ast.expr, mod: _Module, site: ast.AST) -> set[str] | None:
    """The id strings `expr` can take, an unknown part as `{}`; None when it cannot be followed."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if (argument := _rule_call(expr)) is not None:
        return _templates(argument, mod, site)
    if (isinstance(expr, ast.Attribute) and expr.attr == "id" and isinstance(expr.value, ast.Name)
            and expr.value.id != "self"):
        return _templates(expr.value, mod, site)  # RULE.id of a name bound to rule(...)
    if isinstance(expr, ast.IfExp):
        a, b = _templates(expr.body, mod, site), _templates(expr.orelse, mod, site)
        return None if a is None or b is None else a | b
    if isinstance(expr, ast.JoinedStr):
        out = {""}
        for part in expr.values:
            if isinstance(part, ast.Constant):
                pieces = {str(part.value)}
            else:
                assert isinstance(part, ast.FormattedValue)
                named = _templates(part.value, mod, site) if isinstance(part.value, ast.Name) else None
                pieces = named or {"{}"}
            out = {a + b for a in out for b in pieces}
        return out
    if isinstance(expr, ast.Name):
        func = mod.enclosing(site, (ast.FunctionDef, ast.AsyncFunctionDef))
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            local = _local_values(func, expr.id)
            if local is None:
                return None
            if local:
                found = [_templates(v, mod, v) for v in local]
                return None if any(f is None for f in found) else set().union(*found)  # type: ignore[arg-type]
        if expr.id in mod.constants:
            return mod.constants[expr.id]
        if expr.id in mod.imports:
            source, name = mod.imports[expr.id]
            other = _module(source)
            if other is not None and name in other.constants:
                return other.constants[name]
        return None
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        cls = mod.enclosing(site, ast.ClassDef)
        if isinstance(cls, ast.ClassDef):
            for node in cls.body:
                if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expr.attr
                                                         for t in node.targets)):
                    return _templates(node.value, mod, node)
        return None
    return None


def _is_rule(receiver: ast.expr, mod: _Module) -> bool:
    """Whether `receiver` is a catalogue rule: rule(...) itself, or a name bound to one here or where imported."""
    if _rule_call(receiver) is not None:
        return True
    if not isinstance(receiver, ast.Name):
        return False
    if receiver.id in mod.imports:
        source, name = mod.imports[receiver.id]
        other = _module(source)
        return other is not None and name in other.rules
    return receiver.id in mod.rules


def _factory_sites(mod: _Module) -> list[tuple[ast.Call, ast.expr | None]]:
    sites: list[tuple[ast.Call, ast.expr | None]] = []
    for node in ast.walk(mod.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        keyword = next((k.value for k in node.keywords if k.arg == "rule_id"), None)
        if name == "cls":
            cls = mod.enclosing(node, ast.ClassDef)
            name = cls.name if isinstance(cls, ast.ClassDef) else ""
        if name in FACTORIES:
            sites.append((node, node.args[0] if node.args else keyword))
        elif name == "finding" and isinstance(func, ast.Attribute) and _is_rule(func.value, mod):
            sites.append((node, _rule_call(func.value) or func.value))  # RULE.finding(...), rule(ID).finding(...)
        elif name == "replace" and keyword is not None:  # dataclasses.replace(f, rule_id=...)
            sites.append((node, keyword))
    return sites


def _family_templates() -> set[str]:
    return {re.sub(r"<[^>]+>", "{}", f.pattern) for f in catalogue.FAMILIES}


def _scan_package() -> tuple[dict[str, list[str]], set[tuple[str, str, str]], list[str]]:
    emitted: dict[str, list[str]] = {}
    through: set[tuple[str, str, str]] = set()
    unknown: list[str] = []
    for path in sorted(PKG.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        mod = _module(name)
        assert mod is not None
        for call, expr in _factory_sites(mod):
            where = f"{mod.rel}:{call.lineno}"
            if expr is None:
                unknown.append(f"{where}: no rule id argument")
                continue
            found = _templates(expr, mod, call)
            if found is None:
                func = mod.enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef))
                site = (mod.rel, getattr(func, "name", "<module>"), ast.unparse(expr))
                through.add(site)
                if site not in PASS_THROUGH:
                    unknown.append(f"{where}: cannot follow the id {site[2]!r} (in {site[1]}); register the id "
                                   "through a literal or module constant, or list the site in PASS_THROUGH")
                continue
            for template in found:
                emitted.setdefault(template, []).append(where)
    return emitted, through, unknown


def test_every_emitted_id_is_registered() -> None:
    emitted, through, unknown = _scan_package()
    assert not unknown, unknown
    assert through == set(PASS_THROUGH), "PASS_THROUGH lists sites that no longer exist"
    for ids in (values() for _, values in PASS_THROUGH.values() if values is not None):
        assert ids and all(isinstance(i, str) for i in ids)
        for rule_id in ids:
            emitted.setdefault(rule_id, []).append("(passed through)")
    families = _family_templates()
    problems = [f"{t} ({', '.join(w)})" for t, w in sorted(emitted.items())
                if ("{}" in t and t not in families) or ("{}" not in t and not catalogue.is_registered(t))]
    assert not problems, "finding ids not registered in gatekeeper/catalogue.py: " + "; ".join(problems)
    # The scan is not vacuous: it sees the literals, the constants and the families.
    assert {"policy/force-push", "provenance/unsigned", "scan/object-missing", "policy/changed", "ai/agent-signoff",
            "secrets/keystore-file", "tool/timeout", "policy/zone-violation", "provenance/dco-missing",
            "review/required", "scan/symlink-skipped"} <= set(emitted)
    assert {"secrets/{}", "semgrep/{}", "bandit/{}", "tool/{}-failed"} <= set(emitted)


def test_static_guard_flags_an_unregistered_literal() -> None:
    source = ("from gatekeeper import catalogue\nfrom gatekeeper.catalogue import rule\n"
              "from gatekeeper.models import Finding, Severity\nNOPE = 'policy/nope'\nGONE = rule('policy/gone')\n"
              "def f(x):\n    a = Finding(NOPE, Severity.LOW, 'm')\n    b = Finding(f'odd/{x}', Severity.LOW, 'm')\n"
              "    c = GONE.finding('m')\n    d = catalogue.rule('scan/gone').finding('m')\n"
              "    e = x.finding('not a rule')\n    return Finding(x, Severity.LOW, 'm')\n")
    mod = _Module("fake.py", source)
    found = [_templates(expr, mod, call) for call, expr in
             sorted(_factory_sites(mod), key=lambda site: site[0].lineno) if expr is not None]
    assert found == [{"policy/nope"}, {"odd/{}"}, {"policy/gone"}, {"scan/gone"}, None]
    assert not catalogue.is_registered("policy/nope") and "odd/{}" not in _family_templates()


# -- docs ---------------------------------------------------------------------------------------------

def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered."""
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if fenced or not re.match(r"#{1,6} ", line):
            continue
        slug = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_anchor_slugs_follow_github() -> None:
    text = "# A\n## `policy/changed`\n## The policy's branch — here\n```\n# not a heading\n```\n## A\n"
    assert _anchors(text) == {"a", "policychanged", "the-policys-branch--here", "a-1"}


def test_every_entry_links_to_an_existing_docs_heading() -> None:
    entries: list[catalogue.Rule | catalogue.Family] = [*catalogue.RULES.values(), *catalogue.FAMILIES]
    for entry in entries:
        page, _, anchor = entry.docs.partition("#")
        path = DOCS / page
        assert path.is_file() and anchor, f"{entry}: docs {entry.docs!r} names no file under docs/ and anchor"
        assert anchor in _anchors(path.read_text()), f"{entry.docs}: no such heading in docs/{page}"
        assert entry.help_uri.endswith("/docs/" + entry.docs)


def test_findings_page_lists_the_catalogue() -> None:
    rows = dict(re.findall(r"^\| `([^`]+)` \| ([a-z ]+) \|", (DOCS / "findings.md").read_text(), re.MULTILINE))
    expected = {r.id: r.severity.label for r in catalogue.RULES.values()}
    expected |= {f.pattern: f.severity.label if f.severity else "per rule" for f in catalogue.FAMILIES}
    assert rows == expected


def test_entries_are_complete() -> None:
    for entry in catalogue.RULES.values():
        assert re.fullmatch(r"[a-z]+/[a-z0-9-]+", entry.id), entry.id
        assert entry.title and entry.help and entry.title[0].isupper(), entry.id
    for family in catalogue.FAMILIES:
        example = re.sub(r"<[^>]+>", "x1", family.pattern).replace("bandit/x1", "bandit/B101")
        assert family.matches(example), family.pattern
        assert family.title and family.help and family.source, family.pattern


# -- the check registry -------------------------------------------------------------------------------

def test_each_check_is_named_by_an_id_it_emits_and_declares_exactly_what_it_builds() -> None:
    from gatekeeper.checks import CHECKS
    from gatekeeper.checks.policy_change import PolicyChangeCheck, PolicySourceCheck

    checks: list[type] = [type(c) for c in CHECKS] + [PolicyChangeCheck, PolicySourceCheck]
    assert len({c.id for c in checks}) == len(checks)  # type: ignore[attr-defined]
    for cls in checks:
        ids: tuple[str, ...] = cls.ids  # type: ignore[attr-defined]
        assert ids[0] == cls.id and len(set(ids)) == len(ids), cls  # type: ignore[attr-defined]
        assert not catalogue.unregistered(ids), cls
        mod = _module(cls.__module__)
        assert mod is not None
        node = next(n for n in ast.walk(mod.tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__)
        built: set[str] = set()
        for call, expr in _factory_sites(mod):
            if mod.enclosing(call, ast.ClassDef) is not node:
                continue
            assert expr is not None
            found = _templates(expr, mod, call)
            if found is None:
                func = mod.enclosing(call, (ast.FunctionDef, ast.AsyncFunctionDef))
                values = PASS_THROUGH[(mod.rel, getattr(func, "name", ""), ast.unparse(expr))][1]
                assert values is not None
                found = values()
            built |= found
        assert built == set(ids), f"{cls.__name__}.ids says {sorted(ids)}, its code builds {sorted(built)}"
