"""The semgrep scanner: our rules (`rules/semgrep/`) over the files the range touched, in ONE semgrep run.

Offline and hermetic: `--metrics=off --disable-version-check` plus the matching environment (semgrep
otherwise waits ~95 s for a version check without network), a private HOME/settings/log file, local
rules only, `--no-git-ignore`, and `--disable-nosem`: a `# nosemgrep` comment in the change must not
hide a finding from the gate (the gate's own `gatekeeper: ignore[...]` is decided, visibly, by policy).
Targets are passed as explicit files, which semgrep scans whatever a `.semgrepignore` says; only when
the file names would overflow the argument list is the workspace directory passed instead (it holds
no ignore file but our own empty one). `--experimental` (the faster native engine) runs first; if it
cannot produce a result the normal engine runs, and which one ran is recorded.

Results map to `semgrep/<rule id>` with the rule's `metadata.gatekeeper-severity` (else ERROR→high,
WARNING→medium, INFO→low); per-file parse problems become `scan/parse-error` (low) and per-file
timeouts `scan/incomplete`; a crash, a missing binary, a kill, a timeout or output that is not
semgrep's JSON becomes `tool/semgrep-failed` / `tool/timeout` — never a pass.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gatekeeper import yamlio
from gatekeeper.errors import ConfigError
from gatekeeper.globs import translate
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Severity
from gatekeeper.scan.common import RawFinding, run_tool, split_message, tool_env, tool_failure
from gatekeeper.scan.head import MAX_ARGV_BYTES, BatchResult, HeadScanner
from gatekeeper.scan.redaction import redact_values
from gatekeeper.scan.workspace import Target, Workspace, safe_extension

NAME = "semgrep"
_SEMGREP_SEVERITY = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW,
                     "CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM,
                     "LOW": Severity.LOW, "EXPERIMENT": Severity.INFO, "INVENTORY": Severity.INFO}
# Languages our rules may name, and the file extensions semgrep assigns to them. A rule in a language
# not listed here (or generic/regex) makes every text file a target.
LANGUAGE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "python": (".py", ".pyi", ".pyw"), "python3": (".py", ".pyi", ".pyw"), "py": (".py", ".pyi", ".pyw"),
    "javascript": (".js", ".jsx", ".mjs", ".cjs"), "js": (".js", ".jsx", ".mjs", ".cjs"),
    "typescript": (".ts", ".tsx", ".mts", ".cts"), "ts": (".ts", ".tsx", ".mts", ".cts"),
    "json": (".json",), "yaml": (".yml", ".yaml"), "html": (".html", ".htm"), "bash": (".sh", ".bash"),
    "sh": (".sh", ".bash"), "go": (".go",), "java": (".java",), "ruby": (".rb",), "php": (".php",),
    "kotlin": (".kt", ".kts"), "swift": (".swift",), "c": (".c", ".h"), "cpp": (".cpp", ".cc", ".hpp", ".h"),
    "csharp": (".cs",), "rust": (".rs",), "terraform": (".tf", ".hcl"), "hcl": (".tf", ".hcl"),
    "scala": (".scala",), "dart": (".dart",), "lua": (".lua",),
}
# Languages that select no files by themselves (lang.json: every extension): a rule in one of them reads the files its
# `paths: include:` names by extension (`*.svelte`, `**/*.vue`) — semgrep 1.182 parses neither Svelte nor (but at
# "develop" maturity) Vue templates, so their rules are regex rules over those files (sast161).
TEXT_LANGUAGES = frozenset({"regex", "none", "generic", "spacegrep"})
_INCLUDE_EXTENSION = lazy(r"^(?:\*\*/)?\*(\.[A-Za-z0-9]{1,12})$")
# libyaml's safe loader when present: the rules are read on every run (target selection), 7x faster.
PARSE_ERROR_MARKERS = ("syntax", "parse", "lexical", "partialparsing", "astbuilder")
INCOMPLETE_MARKERS = ("timeout", "outofmemory", "out of memory", "stackoverflow", "stack overflow",
                      "toomanymatches", "too many matches")


def default_rules_dir() -> Path:
    """Our semgrep rules: inside the installed package, else at the source checkout's root."""
    package_dir = Path(__file__).resolve().parents[1]
    candidates = (package_dir / "rules" / "semgrep", package_dir.parent / "rules" / "semgrep")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ConfigError("semgrep rules not found (looked at " + " and ".join(str(c) for c in candidates) + ")",
                      "reinstall gatekeeper so that rules/semgrep ships with it")


def find_semgrep() -> str | None:
    """The semgrep executable next to this Python (the venv's), else the first on PATH."""
    beside = Path(sys.executable).parent / "semgrep"
    if beside.is_file():
        return str(beside)
    return shutil.which("semgrep")


@dataclass(frozen=True, slots=True)
class SemgrepRule:
    id: str  # as reported: semgrep/<id>
    severity: Severity
    message: str
    languages: tuple[str, ...]
    source: Path
    cwe: str = ""  # "CWE-78: ..." from metadata.cwe
    owasp: str = ""  # "A03:2021 - Injection" from metadata.owasp
    confidence: str = ""
    include: tuple[str, ...] = ()  # the rule's `paths: include:` globs (none: every file)
    exclude: tuple[str, ...] = ()  # its `paths: exclude:` globs

    def text_extensions(self) -> frozenset[str] | None:
        """For a rule in a text language (regex, generic), the extensions its `paths: include:` limits it to; None when
        it names none (or another glob): then every file is its target."""
        if not self.languages or not all(language in TEXT_LANGUAGES for language in self.languages):
            return None
        found = [_INCLUDE_EXTENSION.match(glob.strip().removeprefix("./")) for glob in self.include]
        if not found or not all(found):
            return None
        return frozenset(match.group(1).lower() for match in found if match is not None)

    def reads(self, seen_as: str) -> bool:
        """Whether semgrep ran this rule on a file of that name for a reason of the rule's own: a text-language rule
        limited to some extensions reads only those — not the JavaScript the workspace took out of a `.svelte` file
        (a file of its own under a generated `.js` name, reported under the component's path), which `--experimental`
        hands it too since it ignores `paths:` for named targets."""
        extensions = self.text_extensions()
        return extensions is None or safe_extension(seen_as) in extensions

    def may_read(self, extensions: Set[str]) -> bool:
        """Whether semgrep may run this rule on a file with one of these extensions (by its languages, or a text
        rule's `paths: include:`); a language not known here may read any file."""
        text = self.text_extensions()
        if text is not None:
            return not text.isdisjoint(extensions)
        if not self.languages:
            return True
        return any(language not in LANGUAGE_EXTENSIONS or not extensions.isdisjoint(LANGUAGE_EXTENSIONS[language])
                   for language in self.languages)

    def applies_to(self, path: str) -> bool:
        """Whether the rule's `paths:` selects this file (as semgrep's normal engine reads the globs)."""
        return ((not self.include or any(_glob(g).search(path) for g in self.include))
                and not any(_glob(g).search(path) for g in self.exclude))


def _glob(pattern: str) -> re.Pattern[str]:
    """A rule's `paths:` glob as a regular expression over a slash-separated relative path, gitignore-style:
    a pattern without a slash matches any file or directory name (and everything under a directory); one with
    a slash is anchored at the root; `**` spans directories, `*` and `?` do not."""
    return _GLOBS.get(pattern) or _GLOBS.setdefault(pattern, _compile_glob(pattern))


_GLOBS: dict[str, re.Pattern[str]] = {}


def _compile_glob(pattern: str) -> re.Pattern[str]:
    body = pattern.strip().removeprefix("./").rstrip("/")
    anchored = "/" in body
    # \Z, not $: `$` also matches before a final newline, so `**/conftest.py` left out `app/conftest.py\n`, a name
    # git stores and semgrep's glob does not match (red147)
    return re.compile(("^" if anchored else "(?:^|/)") + translate(body.lstrip("/")) + "(?:/.*)?\\Z", re.DOTALL)


def rule_files(rules_dir: Path) -> list[Path]:
    return sorted(p for p in rules_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()
                  and ".test." not in p.name)


def load_rules(rules_dir: Path) -> list[SemgrepRule]:
    """The rules in a semgrep config directory (for `rules list` and target selection)."""
    rules: list[SemgrepRule] = []
    for path in rule_files(rules_dir):
        try:
            data = yamlio.load(path.read_text(encoding="utf-8"), fast=True)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read semgrep rules: {exc}", "fix the rule file's YAML") from None
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise ConfigError(f"{path}: not a semgrep rules file (no `rules:` list)", "fix the rule file")
        for rule in data["rules"]:
            if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
                raise ConfigError(f"{path}: a rule without an id", "give every rule an `id:`")
            metadata = rule.get("metadata")
            paths_value = rule.get("paths")
            paths: dict[str, Any] = paths_value if isinstance(paths_value, dict) else {}
            languages_value = rule.get("languages")
            languages: list[Any] = languages_value if isinstance(languages_value, list) else []
            rules.append(SemgrepRule(
                id=f"{NAME}/{rule['id']}",
                severity=rule_severity(metadata, str(rule.get("severity", ""))),
                message=str(rule.get("message", "")),
                languages=tuple(str(lang).lower() for lang in languages),
                source=path,
                cwe=_meta_text(metadata, "cwe"),
                owasp=_meta_text(metadata, "owasp"),
                confidence=_meta_text(metadata, "confidence"),
                include=_globs(paths.get("include")),
                exclude=_globs(paths.get("exclude")),
            ))
    return rules


def _globs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ((str(value),) if value else ())


def _meta_text(metadata: Any, key: str) -> str:
    value = metadata.get(key) if isinstance(metadata, dict) else None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return " ".join(str(value).split()) if value else ""


def rule_severity(metadata: Any, semgrep_severity: str) -> Severity:
    if isinstance(metadata, dict):
        declared = metadata.get("gatekeeper-severity")
        if isinstance(declared, str):
            try:
                return Severity.parse(declared)
            except KeyError:
                pass
    return _SEMGREP_SEVERITY.get(semgrep_severity.upper(), Severity.MEDIUM)


def ruleset_digest(rules_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in rule_files(rules_dir):
        digest.update(path.relative_to(rules_dir).as_posix().encode() + b"\x00")
        digest.update(path.read_bytes() + b"\x00")
    return digest.hexdigest()


class SemgrepScanner(HeadScanner):
    name = NAME
    # semgrep 1.182 does not assign these extensions to their language: scanned under an alias name.
    extension_alias = {".pyw": ".py", ".mts": ".ts", ".cts": ".ts"}
    shebang_alias = {"python": ".py", "javascript": ".js", "typescript": ".ts"}

    def __init__(self, *, rules_dir: Path | None = None, executable: str | None = None, experimental: bool = True,
                 version: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.rules_dir = rules_dir
        self.executable = executable
        self.experimental = experimental
        self.version = version  # known tool version (skips the `--version` probe of a foreign executable)
        self._extensions: frozenset[str] | None = None
        self._messages: dict[str, str] | None = None
        self._rules: dict[str, SemgrepRule] | None = None
        self._rule_list: list[SemgrepRule] | None = None
        self._all_files = False
        self._identity: tuple[str, str] | None = None

    def _loaded(self) -> list[SemgrepRule]:
        """Our rules, read once per scanner (ConfigError each time they cannot be)."""
        if self._rule_list is None:
            self._rule_list = load_rules(self._rules_dir())
        return self._rule_list

    def _rules_dir(self) -> Path:
        if self.rules_dir is None:
            self.rules_dir = default_rules_dir()
        return self.rules_dir

    def wants(self, path: str) -> bool:
        if self._extensions is None:
            extensions: set[str] = set()
            try:
                rules = self._loaded()
            except ConfigError:
                rules = []
                self._all_files = True  # semgrep itself will report the broken rules (fail closed)
            for rule in rules:
                text = rule.text_extensions()
                if text is not None:
                    extensions.update(text)
                    continue
                for language in rule.languages:
                    if language not in LANGUAGE_EXTENSIONS:
                        self._all_files = True
                    extensions.update(LANGUAGE_EXTENSIONS.get(language, ()))
            self._extensions = frozenset(extensions)
        return self._all_files or safe_extension(path) in self._extensions

    def _message(self, check_id: str, extra: dict[str, Any]) -> str:
        """The rule's message as written in its file, never semgrep's rendering of it.

        semgrep interpolates metavariables (`$X`) into messages, so a rule whose message names `$SECRET`
        would echo the matched source — a password literal — into every report, the cache and the
        pusher's terminal. The rule's own text cannot hold content of the scanned file. Only a result
        whose rule we cannot find (not ours) falls back to semgrep's message, with every metavariable's
        matched text redacted out of it.
        """
        if self._messages is None:
            try:
                self._messages = {r.id.removeprefix(f"{NAME}/"): r.message for r in self._loaded()}
            except ConfigError:
                self._messages = {}
        template = self._messages.get(check_id)
        if template is not None:
            return template or check_id
        return redact_metavariables(str(extra.get("message", "")), extra.get("metavars")) or check_id

    def _applies(self, check_id: str, target: Target) -> bool:
        """Whether our rule's `paths:` selects the file (its repository path, also when the workspace wrote it
        under a generated name). semgrep's normal engine applies a rule's `paths:` to
        explicitly named targets, `--experimental` (1.182) does not: the same rules gave the test fixtures a
        rule excludes (`**/test/**`) as blocking findings, depending on which engine ran (meas145). The gate
        applies the globs itself, the same for both engines. A result whose rule we cannot find is kept."""
        if self._rules is None:
            try:
                self._rules = {r.id.removeprefix(f"{NAME}/"): r for r in self._loaded()}
            except ConfigError:
                self._rules = {}
        rule = self._rules.get(check_id)
        return rule is None or (rule.applies_to(target.path) and rule.reads(target.rel))

    def cache_identity(self) -> tuple[str, str] | None:
        if self._identity is None:
            version = self._version()
            if version is None:
                return None
            try:
                self._identity = (version, ruleset_digest(self._rules_dir()))
            except (OSError, ConfigError):
                return None
        return self._identity

    def _version(self) -> str | None:
        if self.version:
            return self.version
        executable = self.executable or find_semgrep()
        if executable is None:
            return None
        if Path(executable).resolve() == (Path(sys.executable).parent / "semgrep").resolve():
            try:
                return importlib.metadata.version("semgrep")
            except importlib.metadata.PackageNotFoundError:
                pass
        with tempfile.TemporaryDirectory(prefix="gatekeeper-semgrep-home-") as home:
            # Bounded: a semgrep that hangs here must not eat the scan's budget (no version = no cache).
            run = run_tool([executable, "--version"], cwd=Path(home), env=tool_env(Path(home)), timeout=15)
        text = run.stdout.decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if run.returncode == 0 and text else None

    def configs(self, targets: Sequence[Target]) -> list[str]:
        """The rules semgrep is given for these targets: the rule files with a rule that may read one of them (by the
        extensions semgrep sees, as `wants` chose the files), else the whole directory. semgrep parses every rule it
        is given before it reads a file — a third of a one-language run went to the other language's rules. The whole
        directory wherever the rules cannot be read here (semgrep then reports them: fail closed) or all are needed."""
        rules_dir = self._rules_dir()
        try:
            rules = self._loaded()
        except ConfigError:
            return [str(rules_dir)]
        extensions = {safe_extension(t.rel) for t in targets} | {safe_extension(t.path) for t in targets}
        needed = {rule.source for rule in rules if rule.may_read(extensions)}
        if not needed or needed == {rule.source for rule in rules}:
            return [str(rules_dir)]
        return [str(path) for path in sorted(needed)]

    def argv(self, executable: str, targets: Sequence[str], *, experimental: bool,
             configs: Sequence[str] = ()) -> list[str]:
        args = [executable, "scan"]
        if experimental:
            args.append("--experimental")
        for config in configs or [str(self._rules_dir())]:
            args += ["--config", config]
        args += ["--json", "--metrics=off", "--disable-version-check",
                 # The workspace's limit is on the committed bytes; a file re-encoded to UTF-8 for the tools (UTF-16,
                 # a working-tree-encoding) can grow up to 3x: semgrep must not skip what the limit let in (red51).
                 "--no-git-ignore", "--disable-nosem", "--max-target-bytes", str(3 * self.max_file_bytes + 1),
                 "--quiet", "--", *targets]
        return args

    def run_batch(self, workspace: Workspace, targets: Sequence[Target], timeout: float) -> BatchResult:
        executable = self.executable or find_semgrep()
        if executable is None:
            return BatchResult(failure=tool_failure(NAME, "semgrep executable not found next to Python or on PATH"))
        try:
            self._rules_dir()
        except ConfigError as exc:
            return BatchResult(failure=tool_failure(NAME, exc.message))
        names = [t.rel for t in targets]
        explicit = sum(len(n.encode()) + 1 for n in names) <= MAX_ARGV_BYTES
        # Our own empty ignore file at the root: semgrep's built-in ignores (tests/, build/, *.min.js, ...)
        # would otherwise apply in directory mode. Repository ignore files are never materialised.
        (workspace.root / ".semgrepignore").write_bytes(b"")
        modes = [True, False] if self.experimental else [False]
        configs = self.configs(targets)
        note = ""
        with tempfile.TemporaryDirectory(prefix="gatekeeper-semgrep-home-") as home:
            env = tool_env(Path(home))
            started = time.monotonic()
            for experimental in modes:
                budget = timeout - (time.monotonic() - started)
                if budget <= 0:
                    return BatchResult(failure=tool_failure(NAME, "no time left for the normal engine after "
                                                            f"--experimental failed ({note})", timeout=True))
                run = run_tool(self.argv(executable, names if explicit else ["."], experimental=experimental,
                                         configs=configs), cwd=workspace.root, env=env, timeout=budget)
                self.last_run.invocations += 1
                self.last_run.mode = "experimental" if experimental else "normal"
                if run.timed_out:
                    return BatchResult(failure=tool_failure(NAME, f"{run.describe()} after {budget:.0f}s on "
                                                            f"{len(targets)} file(s)", timeout=True), note=note)
                if run.start_error:
                    return BatchResult(failure=tool_failure(NAME, run.describe()), note=note)
                data, problem = _parse_output(run.stdout)
                if data is not None:
                    fatal = _fatal_errors(data, workspace)
                    if run.returncode not in (0, 1) and not fatal:
                        fatal = [f"exit status {run.returncode}"]
                    if not fatal:
                        result = self._convert(data, workspace, targets, explicit)
                        return BatchResult(result.findings, None, result.uncacheable, note)
                    problem = "; ".join(fatal)
                detail = f"{run.describe()}; {problem}" if problem else run.describe()
                if experimental and len(modes) > 1:
                    note = f"semgrep --experimental failed ({detail[:200]}); ran the normal engine"
                    continue
                return BatchResult(failure=tool_failure(NAME, detail), note=note)
        return BatchResult(failure=tool_failure(NAME, "semgrep did not run"), note=note)

    def _convert(self, data: dict[str, Any], workspace: Workspace, targets: Sequence[Target],
                 explicit: bool) -> BatchResult:
        wanted = {t.rel for t in targets}
        found: dict[str, list[RawFinding]] = {rel: [] for rel in wanted}
        uncacheable: set[str] = set()
        for result in data.get("results", []):
            if not isinstance(result, dict):
                continue
            target = workspace.lookup(str(result.get("path", "")))
            if target is None or target.rel not in wanted:
                continue
            extra = _dict(result.get("extra"))
            start = _dict(result.get("start"))
            end = _dict(result.get("end"))
            check_id = str(result.get("check_id", "unknown")).rsplit(".", 1)[-1]
            if not self._applies(check_id, target):
                continue
            message, fix = split_message(self._message(check_id, extra))
            found[target.rel].append(RawFinding(
                rule_id=f"{NAME}/{check_id}",
                severity=rule_severity(extra.get("metadata"), str(extra.get("severity", ""))),
                message=message, fix=fix,
                line=_int(start.get("line")), end_line=_int(end.get("line")),
            ))
        for error in data.get("errors", []):
            if not isinstance(error, dict):
                continue
            kind = _error_type(error)
            for path in _error_paths(error):
                target = workspace.lookup(path)
                if target is None or target.rel not in wanted:
                    continue
                lowered = kind.lower().replace(" ", "")
                if any(m.replace(" ", "") in lowered for m in INCOMPLETE_MARKERS):
                    uncacheable.add(target.rel)
                    found[target.rel].append(RawFinding(
                        "scan/incomplete", Severity.MEDIUM, f"semgrep gave up on this file ({kind}); "
                        "findings in it may be missed", "review this file by hand or split it"))
                elif any(m in lowered for m in PARSE_ERROR_MARKERS):
                    found[target.rel].append(RawFinding(
                        "scan/parse-error", Severity.LOW, f"semgrep could not parse all of this file ({kind}); "
                        "findings in the unparsed part may be missed", "make the file valid source code"))
        scanned = data.get("paths", {}).get("scanned") if isinstance(data.get("paths"), dict) else None
        if isinstance(scanned, list):
            seen = {t.rel for p in scanned if (t := workspace.lookup(str(p))) is not None}
            for rel in sorted(wanted - seen):
                uncacheable.add(rel)
                # Named explicitly, a file semgrep skips is one past its size limit (said, LOW); in a directory
                # walk, one its own rules left out (`UP.PY`, `.pyw`: red49), which nothing else told: blocking.
                found[rel].append(RawFinding("scan/file-skipped", Severity.LOW if explicit else Severity.HIGH,
                                             "semgrep skipped this file", "review this file by hand"))
        elif not explicit:
            return BatchResult(failure=tool_failure(NAME, "semgrep did not list the files it scanned"))
        return BatchResult(found, None, frozenset(uncacheable))


def redact_metavariables(message: str, metavars: object) -> str:
    """`message` with the source text every metavariable matched replaced by its redaction."""
    values: set[str] = set()
    if isinstance(metavars, dict):
        for binding in metavars.values():
            content = binding.get("abstract_content") if isinstance(binding, dict) else None
            if isinstance(content, str) and content.strip():
                values.update((content, content.strip().strip("\"'`")))
    return redact_values(message, values)


def _parse_output(stdout: bytes) -> tuple[dict[str, Any] | None, str]:
    """semgrep's JSON (decoded with replacement: it echoes file bytes that may not be UTF-8)."""
    text = stdout.decode("utf-8", "replace").strip()
    if not text:
        return None, "no output"
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"output is not JSON: {text[:120]!r}"
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return None, "output is not semgrep's JSON (no results list)"
    if not isinstance(data.get("errors", []), list):
        return None, "output is not semgrep's JSON (errors is not a list)"
    return data, ""


def _error_type(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if isinstance(kind, list) and kind:
        kind = kind[0]
    return str(kind or "error")


def _error_paths(error: dict[str, Any]) -> list[str]:
    paths = [str(error["path"])] if isinstance(error.get("path"), str) else []
    for span in error.get("spans") or []:
        if isinstance(span, dict) and isinstance(span.get("file"), str):
            paths.append(span["file"])
    return list(dict.fromkeys(paths))


def _fatal_errors(data: dict[str, Any], workspace: Workspace) -> list[str]:
    """Errors not about a target file (invalid rules, missing config, crashes): the run is not trusted.

    An invalid rule file is reported with that file as its path and only at level "warn" — semgrep then
    scans nothing — so "has a path" is not enough: the path must be one of the scanned files.
    """
    fatal = []
    for error in data.get("errors", []):
        if not isinstance(error, dict):
            fatal.append("malformed error entry")
            continue
        paths = _error_paths(error)
        if paths and all(workspace.lookup(p) is not None for p in paths):
            continue
        if paths or str(error.get("level", "error")).lower() == "error":
            fatal.append(f"{_error_type(error)}: {' '.join(str(error.get('message', '')).split())[:200]}")
    return fatal


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
