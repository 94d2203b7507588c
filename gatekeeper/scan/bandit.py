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

import importlib.metadata
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gatekeeper.models import Severity
from gatekeeper.scan.common import RawFinding, run_tool, tool_env, tool_failure
from gatekeeper.scan.head import MAX_ARGV_BYTES, BatchResult, HeadScanner
from gatekeeper.scan.secrets import redact, value_digest
from gatekeeper.scan.workspace import Target, Workspace, safe_extension

NAME = "bandit"
PYTHON_EXTENSIONS = frozenset({".py", ".pyw"})
_SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
# bandit's --exclude replaces its default list (.svn,CVS,.bzr,.hg,.git,__pycache__,.tox,.eggs,*.egg),
# which would skip e.g. `pkg/__pycache__/evil.py` even when named explicitly. This pattern matches no
# workspace path (it is matched as a glob and as a substring).
_EXCLUDE_NOTHING = "/dev/null/gatekeeper-excludes-nothing"


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

    def __init__(self, *, python: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.python = python or sys.executable

    shebang_alias = {"python": ".py"}

    def wants(self, path: str) -> bool:
        return safe_extension(path) in PYTHON_EXTENSIONS

    def cache_identity(self) -> tuple[str, str] | None:
        version = bandit_version()
        # The options decide what bandit reports as much as its version does.
        options = f"ignore-nosec;exclude-nothing;redacted-literals;python{sys.version_info[0]}.{sys.version_info[1]}"
        return (version, options) if version else None

    def argv(self, targets: Sequence[str], *, recursive: bool) -> list[str]:
        args = [self.python, "-m", "bandit", "-f", "json", "-q", "--ignore-nosec", "-x", _EXCLUDE_NOTHING]
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
        for result in data["results"]:
            if not isinstance(result, dict):
                continue
            target = workspace.lookup(str(result.get("filename", "")))
            if target is None or target.rel not in wanted:
                continue
            test_id = str(result.get("test_id", "B000"))
            line = result.get("line_number")
            line_range = result.get("line_range")
            numbers = [n for n in line_range if isinstance(n, int)] if isinstance(line_range, list) else []
            end = max(numbers, default=None)
            text = redact_literals(" ".join(str(result.get("issue_text", test_id)).split()))
            more = str(result.get("more_info", ""))
            found[target.rel].append(RawFinding(
                rule_id=f"{NAME}/{test_id}",
                severity=map_severity(str(result.get("issue_severity", "")), str(result.get("issue_confidence", ""))),
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
        return BatchResult(found, None, frozenset(uncacheable))


_QUOTED = re.compile(r"'([^'\n]{1,500})'")


def redact_literals(text: str) -> str:
    """bandit quotes the literal it flags (B105-B107: "Possible hardcoded password: " + the value): every
    quoted literal is redacted like a secret before it can reach a report, the audit log or a pusher."""
    return _QUOTED.sub(lambda m: "'" + redact(m.group(1), value_digest(m.group(1)), prefix=False) + "'", text)
