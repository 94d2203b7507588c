"""The bandit scanner: bandit's checks over the Python files the range touched, in one bandit process.

Why a subprocess and not bandit's in-process API (BanditManager): the gate must be able to stop a
scan that runs too long (a process group can be killed; a thread in our interpreter cannot), a hostile
file that drives bandit's AST walk into deep recursion or memory blow-up must cost a `tool/*` finding
and not the gate itself, and bandit keeps global logging and plugin state we do not want in-process.
One process per run — `python -m bandit` of this interpreter, so the version is the one installed with
gatekeeper — costs a few hundred milliseconds, paid once, not per file.

`--ignore-nosec`: a `# nosec` in the change must not silence the gate (ours is `gatekeeper: ignore[...]`,
decided by policy and shown as suppressed). The default excludes (`.git`, `__pycache__`, `*.egg`, ...)
are replaced by a pattern that matches nothing, so an explicitly passed file is always scanned.

Severity: bandit's severity (LOW/MEDIUM/HIGH → low/medium/high), one step lower when bandit's
confidence is LOW. A file bandit cannot parse becomes `scan/parse-error` (low); a crash, a kill, a
timeout or unparseable output becomes `tool/bandit-failed` / `tool/timeout`.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gatekeeper.models import Severity
from gatekeeper.scan.bandit_tar import TarReading
from gatekeeper.scan.common import RawFinding, run_tool, tool_env, tool_failure
from gatekeeper.scan.head import MAX_ARGV_BYTES, BatchResult, HeadScanner
from gatekeeper.scan.redaction import redact_values, redacted
from gatekeeper.scan.workspace import Target, Workspace, safe_extension

NAME = "bandit"
PYTHON_EXTENSIONS = frozenset({".py", ".pyw"})
_SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
_LEVEL = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}  # bandit's confidence and severity scales
# bandit's --exclude replaces its default list (.svn,CVS,.bzr,.hg,.git,__pycache__,.tox,.eggs,*.egg),
# which would skip e.g. `pkg/__pycache__/evil.py` even when named explicitly. This pattern matches no
# workspace path: bandit matches it as a glob and as a substring, and the workspace writes no path holding a
# control character (red49: `/dev/null/gatekeeper-excludes-nothing`, the earlier value, can be a pushed path).
_EXCLUDE_NOTHING = "\x01gatekeeper-excludes-nothing\x01"


def map_severity(severity: str, confidence: str) -> Severity:
    """bandit severity and confidence → ours: LOW confidence lowers one step."""
    ours = _SEVERITY.get(severity.upper(), Severity.MEDIUM)
    if confidence.upper() == "LOW":
        ours = Severity(max(ours - 1, Severity.INFO))
    return ours


def bandit_version() -> str | None:
    try:
        return importlib.metadata.version("bandit")
    except importlib.metadata.PackageNotFoundError:
        return None


class BanditScanner(HeadScanner):
    name = NAME

    def __init__(self, *, python: str | None = None, min_confidence: str = "medium", min_severity: str = "medium",
                 **options: Any) -> None:
        super().__init__(**options)
        self.python = python or sys.executable
        # The gate's thresholds (policy `bandit:`): findings below either never reach the verdict.
        self.min_confidence = _LEVEL[min_confidence.upper()]
        self.min_severity = _LEVEL[min_severity.upper()]

    shebang_alias = {"python": ".py"}
    reads_whole_files = True  # (a file Python cannot parse is an error to bandit: nothing of it is checked)

    def wants(self, path: str) -> bool:
        return safe_extension(path) in PYTHON_EXTENSIONS

    def cache_identity(self) -> tuple[str, str] | None:
        version = bandit_version()
        # The options decide what bandit reports as much as its version does.
        # "redacted-by-position": entries written before position-based redaction may hold leaked values.
        python = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        gate = f"confidence>={self.min_confidence};severity>={self.min_severity}"
        # "isolated": entries from before bandit ran with -I may come from a run a pushed bandit.py replaced (red48).
        options = f"ignore-nosec;exclude-nothing;redacted-by-position;isolated;{gate};{python}"
        return (version, options) if version else None

    def argv(self, targets: Sequence[str], *, recursive: bool) -> list[str]:
        # -I: isolated. `python -m` puts the working directory first on sys.path, and bandit runs in the workspace
        # of pushed files: a pushed `bandit.py` (or `json.py`, …) was imported instead and ran in the hook (red48).
        args = [self.python, "-I", "-m", "bandit", "-f", "json", "-q", "--ignore-nosec", "-x", _EXCLUDE_NOTHING]
        if recursive:
            args.append("-r")
        return [*args, "--", *targets]

    def run_batch(self, workspace: Workspace, targets: Sequence[Target], timeout: float) -> BatchResult:
        names = [t.rel for t in targets]
        explicit = sum(len(n.encode()) + 1 for n in names) <= MAX_ARGV_BYTES
        with tempfile.TemporaryDirectory(prefix="gatekeeper-bandit-home-") as home:
            run = run_tool(self.argv(names if explicit else ["."], recursive=not explicit), cwd=workspace.root,
                           env=tool_env(Path(home)), timeout=timeout)
        self.last_run.invocations += 1
        self.last_run.mode = "subprocess"
        if run.timed_out:
            return BatchResult(failure=tool_failure(NAME, f"{run.describe()} after {timeout:.0f}s on "
                                                    f"{len(targets)} file(s)", timeout=True))
        if run.start_error or run.returncode not in (0, 1):
            return BatchResult(failure=tool_failure(NAME, run.describe()))
        text = run.stdout.decode("utf-8", "replace").strip()
        try:
            data = json.loads(text)
        except ValueError:
            return BatchResult(failure=tool_failure(NAME, f"{run.describe()}; output is not JSON: {text[:120]!r}"))
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            return BatchResult(failure=tool_failure(NAME, "output is not bandit's JSON (no results list)"))
        return self._convert(data, workspace, targets)

    def _convert(self, data: dict[str, Any], workspace: Workspace, targets: Sequence[Target]) -> BatchResult:
        wanted = {t.rel for t in targets}
        found: dict[str, list[RawFinding]] = {rel: [] for rel in wanted}
        uncacheable: set[str] = set()
        parsed: dict[str, tuple[ast.Module, list[tuple[int, int, str]]] | None] = {}  # (tree, its literals)
        tar_readings: dict[str, TarReading] = {}
        for result in data["results"]:
            if not isinstance(result, dict):
                continue
            target = workspace.lookup(str(result.get("filename", "")))
            if target is None or target.rel not in wanted:
                continue
            test_id = str(result.get("test_id", "B000"))
            severity, confidence = str(result.get("issue_severity", "")), str(result.get("issue_confidence", ""))
            # An unknown level counts as HIGH: what we cannot rate is not dropped (fail closed).
            if (_LEVEL.get(confidence.upper(), 3) < self.min_confidence
                    or _LEVEL.get(severity.upper(), 3) < self.min_severity):
                continue
            line = result.get("line_number")
            line_range = result.get("line_range")
            numbers = [n for n in line_range if isinstance(n, int)] if isinstance(line_range, list) else []
            end = max(numbers, default=None)
            if target.rel not in parsed:
                tree = _file_tree(target.local)
                parsed[target.rel] = None if tree is None else (tree, tree_literals(tree))
            source = parsed[target.rel]
            if test_id == "B202" and source is not None and isinstance(line, int):
                if target.rel not in tar_readings:
                    tar_readings[target.rel] = TarReading(source[0])
                if tar_readings[target.rel].safe(line):
                    continue  # a zip archive's, or a safe filter by another spelling (bandit_tar)
            col = result.get("col_offset")
            if (test_id == "B324" and source is not None and isinstance(line, int)
                    and hashes_randomness(source[0], line, col if isinstance(col, int) else None)):
                continue  # a random name made by hashing fresh random bytes: no collision to find (meas145)
            literals = None if source is None else source[1]
            first = min(numbers + ([line] if isinstance(line, int) else []), default=0)
            last = max(numbers + ([line] if isinstance(line, int) else []), default=0)
            if literals is None:
                # We cannot place the literals (bandit parsed what we could not): say nothing of the file.
                text = f"bandit {test_id} finding; its message was withheld because the line could not be parsed"
            else:
                text = redact_message(str(result.get("issue_text", test_id)), flagged_literals(literals, first, last))
            more = str(result.get("more_info", ""))
            found[target.rel].append(RawFinding(
                rule_id=f"{NAME}/{test_id}",
                severity=map_severity(severity, confidence),
                message=f"{text} ({result.get('test_name', test_id)})",
                fix=f"see {more}" if more.startswith("https://") else "",
                line=line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
                end_line=end,
            ))
        for error in data.get("errors", []) or []:
            if not isinstance(error, dict):
                continue
            target = workspace.lookup(str(error.get("filename", "")))
            if target is None or target.rel not in wanted:
                continue
            reason = " ".join(str(error.get("reason", "error")).split())[:200]
            if "syntax error" in reason.lower() or "parsing" in reason.lower():
                found[target.rel].append(RawFinding(
                    "scan/parse-error", Severity.LOW, f"bandit could not parse this file ({reason}); it was not "
                    "checked", "make the file valid Python 3"))
            else:
                uncacheable.add(target.rel)
                found[target.rel].append(RawFinding(
                    "scan/incomplete", Severity.MEDIUM, f"bandit could not check this file ({reason})",
                    "review this file by hand"))
        # Every file handed to bandit must be one it read (its metrics list each) or reported an error for: a
        # file it left out silently (an exclude it matched, a walk that does not take `TOOLS.PY`: red49) was
        # not checked, and that blocks.
        metrics = data.get("metrics")
        read = {t.rel for name in (metrics if isinstance(metrics, dict) else {})
                if (t := workspace.lookup(str(name))) is not None}
        for rel in sorted(wanted - read):
            if not found[rel]:
                uncacheable.add(rel)
                found[rel].append(RawFinding(
                    "scan/file-skipped", Severity.HIGH, "bandit did not read this file (it reported nothing for it)",
                    "review this file by hand; report the file name to the gatekeeper maintainers"))
        return BatchResult(found, None, frozenset(uncacheable))


# bandit's own templates that end in the flagged value (B105-B107: f"Possible hardcoded password: '{value}'"):
# everything after the prefix is the literal, whatever quotes, newlines or length it holds.
# bandit's own templates that end in the flagged value (B105-B107: f"Possible hardcoded password: '{value}'"):
# everything after the prefix is the literal, whatever quotes, newlines or length it holds.
_VALUE_TEMPLATES = ("Possible hardcoded password: '",)


def source_literals(source: bytes) -> list[tuple[int, int, str]] | None:
    """(first line, last line, value) of every string literal in a Python file, as Python parses it:
    quotes, escapes, implicit concatenation ("a" "b" is one value) and multi-line strings resolved.
    None when the file does not parse (bandit then reports it as a parse error, not a finding)."""
    tree = _parsed(source)
    return None if tree is None else tree_literals(tree)


def _parsed(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def tree_literals(tree: ast.Module) -> list[tuple[int, int, str]]:
    """source_literals of a parsed file."""
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value if isinstance(node.value, str) else node.value.decode("utf-8", "replace")
            found.append((node.lineno, node.end_lineno or node.lineno, value))
    return found


def flagged_literals(literals: Sequence[tuple[int, int, str]], first: int, last: int) -> list[str]:
    """The values of the literals on the lines bandit flagged (first..last)."""
    return [value for start, end, value in literals if start <= last and end >= first and value.strip()]


def redact_message(text: str, literals: Sequence[str]) -> str:
    """bandit's issue text with every flagged literal's value replaced by its redaction, one line.

    By position, not by pattern: the values are the literals Python parsed out of the flagged lines, so a
    quote, a backslash or a newline inside a password, or a 1 KB token, cannot end the match early.
    Where bandit's template ends in the value (the hard-coded password tests), the whole tail is the value
    whether or not the file could be parsed."""
    for prefix in _VALUE_TEMPLATES:
        if text.startswith(prefix):
            # The prefix is bandit's own words; nothing of the file is in it.
            return prefix + redacted(text[len(prefix):].removesuffix("'")) + "'"
    return redact_values(text, literals, words_quoted_only=True)


# Sources of fresh random bytes: hashing them makes a random name, where MD5's or SHA-1's collisions give nothing.
_RANDOM_BYTES = frozenset({"os.urandom", "secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe",
                           "uuid.uuid4"})
_WEAK_HASHES = frozenset({"md5", "sha1", "new"})


def hashes_randomness(tree: ast.Module, line: int, col: int | None = None) -> bool:
    """Whether the MD5/SHA-1 call bandit flagged (B324) hashes only fresh random bytes — os.urandom(n),
    secrets.token_bytes(n), uuid.uuid4().bytes — as in `hashlib.md5(os.urandom(64)).hexdigest()` for an
    upload's directory name. Anything mixed into the data (`os.urandom(8) + password`) keeps the finding.

    With bandit's column, exactly the call it flagged, by the name we read as a weak hash (red147: judged by the
    line, `md5(os.urandom(8)).hexdigest() + h(pw).hexdigest()` with `from hashlib import md5 as h` dropped the
    alias's finding too: bandit resolves import aliases, `_weak_hash` does not). Without it, every such call on
    the line, and none we cannot name."""
    if col is not None:
        # (a chain on the call, `md5(...).hexdigest()`, starts where it does: the weak-hash call of that place)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and node.lineno == line and node.col_offset == col and _weak_hash(node.func)]
        return bool(calls) and all(_random_only(c) for c in calls)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and node.lineno <= line <= (node.end_lineno or node.lineno) and _weak_hash(node.func)]
    return bool(calls) and all(_random_only(c) for c in calls)


def _weak_hash(func: ast.expr) -> bool:
    """`hashlib.md5`, `hashlib.sha1`, `hashlib.new`, or `md5` / `sha1` imported from hashlib."""
    name = _dotted(func)
    return name in ("md5", "sha1") or (name.startswith("hashlib.") and name.split(".", 1)[1] in _WEAK_HASHES)


def _random_only(call: ast.Call) -> bool:
    args = list(call.args)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "new":
        args = args[1:]  # hashlib.new("md5", data)
    if len(args) != 1 or (call.keywords and any(k.arg != "usedforsecurity" for k in call.keywords)):
        return False
    data = args[0]
    if isinstance(data, ast.Attribute) and data.attr in ("bytes", "hex"):  # uuid.uuid4().bytes
        data = data.value
    if isinstance(data, ast.Call) and isinstance(data.func, ast.Attribute) and data.func.attr == "encode":
        data = data.func.value  # secrets.token_hex(16).encode()
    return isinstance(data, ast.Call) and _dotted(data.func) in _RANDOM_BYTES


def _dotted(node: ast.expr) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _file_tree(path: Path) -> ast.Module | None:
    try:
        return _parsed(path.read_bytes())
    except OSError:
        return None
