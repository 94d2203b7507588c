"""Policy discovery and strict validation: `.gatekeeper.yml` text in, a frozen Policy out.

Validation happens once, here, at the edge: unknown keys, wrong types and bad values are
ConfigErrors naming the full key path (`rules.mobile.block_at: ...`). The built-in default policy
is the commented YAML that `gatekeeper policy init` writes, parsed by the same code, so the two
cannot drift apart.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import fnmatch
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from gatekeeper import globs
from gatekeeper.errors import ConfigError
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import DeviceClass, Severity, display_text

POLICY_FILENAME = ".gatekeeper.yml"
SCANNERS = ("secrets", "semgrep", "bandit")
BLOCK_OR_WARN = ("block", "warn")
DEFAULT_PROTECTED_REFS: tuple[str, ...] = ("refs/heads/main", "refs/heads/master", "refs/heads/release/*")
SIGNER_BINDINGS = ("author", "committer", "none")
FORGES = ("github", "gitlab")
UNSCANNED_ACTIONS = ("block", "warn", "allow")
DEFAULT_UNSCANNED: tuple[tuple[str, str], ...] = (("mobile", "block"), ("default", "warn"))
# What may hide a finding (decided in policy.py; validated here so a bad entry fails at load):
# only content findings — what the scanners found in the change — may be baselined or suppressed by an
# inline `gatekeeper: ignore[...]`; findings about the gate itself (a tool that failed, review that
# could not be verified, a bypass, a deceptive origin, a policy change) can be hidden by nothing.
CONTENT_CATEGORIES = ("secrets", "semgrep", "bandit")
GATE_CATEGORIES = ("tool", "review", "gate", "origin")
UNSUPPRESSIBLE_RULES = ("policy/changed", "policy/ignore-expired")
DEFAULT_INLINE_REFUSE = ("secrets", "provenance")
MAX_INTEGER = 100  # approvals and other counts: more is a typo, not a policy
MAX_NUMBER = 86_400.0  # seconds and other quantities: a day at most

DEFAULT_POLICY_YAML = """\
# gatekeeper policy — https://github.com/gatekeeper-dev/gatekeeper#policy-reference
# Strict: unknown keys are errors. Paths are relative to this file.
version: 1

origins:
  # Device classes that get the `mobile` rule set (add `web` to treat web-editor commits the same).
  mobile_classes: [mobile, tablet]
  # What an untagged commit counts as. `mobile` is the fail-closed choice.
  undeclared: desktop
  # Extra trailer values meaning a device class, e.g. {phone: mobile, ipad: tablet}.
  aliases: {phone: mobile, android: mobile, ios: mobile, iphone: mobile, ipad: tablet}

# Refs where the review requirement applies (globs; `*` stays within one path segment).
protected_refs: ["refs/heads/main", "refs/heads/master", "refs/heads/release/*"]

rules:
  mobile:
    scanners: [secrets, semgrep, bandit]
    block_at: high                 # lowest severity that blocks: info|low|medium|high|critical
    require_signature: false       # true: a good signature is required
    require_registered_device: false   # true: the signing key must be a registered device
    review: {approvals: 1, exclude_authors: true, after_last_mobile_commit: true}
  default:
    scanners: [secrets]
    block_at: high                 # a live credential blocks whatever device it came from

# Compliance zones: stricter rules for some paths.
zones: []
#  - name: payments
#    paths: ["src/payments/**"]
#    mobile: block                 # or: {review: {approvals: 2}}
#    unmanaged_device: block       # personal / BYOD devices
#    ai: block                     # AI-involved changes (with git-ai / Agent Trace notes: AI-written lines)

# AI attribution rules a project can turn on (agents are identified by exact e-mail / bot id only;
# add your own with origins.ai_identities: [bot@corp.example, "*@agents.corp.example"]).
# ai:
#   require_assisted_by: true      # AI-involved commits carry `Assisted-by: AGENT:MODEL [TOOLS]`
#   refuse_agent_signoff: true     # an agent's Signed-off-by is refused (the Linux kernel's rule)
#   scan:                          # scan the lines an agent wrote (git-ai / Agent Trace attribution; an
#     scanners: [secrets, semgrep, bandit]   # AI commit without line records: all its lines) with these
#     block_at: medium             # scanners and threshold, on top of the commit's own rule set
#     scope: lines                 # lines | files (every line the commit added to a file holding AI lines)

# devices: .gatekeeper/devices.yml
# allowed_signers: .gatekeeper/allowed_signers
# signer_binding: author           # author | committer | none: whose identity the signing key must carry
# forge_signatures: [github, gitlab]   # whose shipped web-flow keys count; [] on GHES / self-managed GitLab
# require_dco: false               # true: a Signed-off-by with the author's e-mail is required
# baseline: .gatekeeper/baseline.json   # written by `gatekeeper baseline`; used only when named here

pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: [semgrep, bandit]}
on_tool_error: block               # a scanner that fails or is missing blocks (fail closed)
on_timeout: block
# Content the scanners could not read (a real binary, a file over the size cap, a diff cut short), per
# rule set: block = blocks on a protected ref (a warning elsewhere), warn = a warning, allow = listed only.
# The pusher is always told which files were not scanned. Known binaries (icons, fonts) can be listed
# in `ignore`, e.g. {rule: scan/binary-skipped, paths: ["assets/**"], reason: "icons"}.
unscanned: {mobile: block, default: warn}
# bandit is an audit tool; as a gate only findings it rates medium or higher on BOTH its confidence and
# its severity reach the verdict (low|medium|high; set both to low to see everything it reports).
bandit: {min_confidence: medium, min_severity: medium}
bypass: {push_option: gatekeeper.bypass, allowed: [], reason_required: true}
ignore: []
#  - {rule: semgrep/python-eval-exec-non-literal, paths: ["tests/**"], reason: "fixtures", expires: 2027-06-30}
# inline_ignore: {refuse: [secrets, provenance]}   # what a `gatekeeper: ignore[...]` comment may not hide
# secrets: {config: .gitleaks.toml, docs: ["**/*.md"], fixtures: ["tests/fixtures/**"]}   # rules, contexts
# log: {path: decisions.db, required: false}   # decision log (a file: SQLite; postgresql://…: PostgreSQL)
"""

# DEFAULT_POLICY_YAML as the YAML loader reads it, for default_policy(): a command run where no policy file
# exists (an audit, a hook on a repository without one) then never imports PyYAML (~14 ms of start-up).
# test_default_policy_is_the_init_template holds it to the text above.
DEFAULT_POLICY_DATA: dict[str, Any] = {
    "version": 1,
    "origins": {"mobile_classes": ["mobile", "tablet"], "undeclared": "desktop",
                "aliases": {"phone": "mobile", "android": "mobile", "ios": "mobile", "iphone": "mobile",
                            "ipad": "tablet"}},
    "protected_refs": ["refs/heads/main", "refs/heads/master", "refs/heads/release/*"],
    "rules": {"mobile": {"scanners": ["secrets", "semgrep", "bandit"], "block_at": "high",
                         "require_signature": False, "require_registered_device": False,
                         "review": {"approvals": 1, "exclude_authors": True, "after_last_mobile_commit": True}},
              "default": {"scanners": ["secrets"], "block_at": "high"}},
    "zones": [],
    "pre_receive": {"budget_seconds": 4.0, "scanners": ["secrets"], "defer": ["semgrep", "bandit"]},
    "on_tool_error": "block",
    "on_timeout": "block",
    "unscanned": {"mobile": "block", "default": "warn"},
    "bandit": {"min_confidence": "medium", "min_severity": "medium"},
    "bypass": {"push_option": "gatekeeper.bypass", "allowed": [], "reason_required": True},
    "ignore": [],
}


@dataclass(frozen=True, slots=True)
class ReviewRule:
    approvals: int = 1
    exclude_authors: bool = True
    after_last_mobile_commit: bool = True


@dataclass(frozen=True, slots=True)
class RuleSet:
    name: str
    scanners: tuple[str, ...] = ("secrets",)
    block_at: Severity = Severity.CRITICAL
    require_signature: bool = False
    require_registered_device: bool = False
    review: ReviewRule | None = None


BUILTIN_MOBILE_RULES = RuleSet("mobile", SCANNERS, Severity.HIGH, review=ReviewRule())
BUILTIN_DEFAULT_RULES = RuleSet("default", ("secrets",), Severity.HIGH)


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    paths: tuple[str, ...]
    mobile: str | None = None  # "block" | "review" | None
    mobile_review: ReviewRule | None = None
    unmanaged_device: str | None = None  # "block" | None
    ai: str | None = None  # "block" | None: AI-generated changes not allowed here


@dataclass(frozen=True, slots=True)
class Origins:
    mobile_classes: tuple[DeviceClass, ...] = (DeviceClass.MOBILE, DeviceClass.TABLET)
    undeclared: DeviceClass = DeviceClass.DESKTOP
    aliases: tuple[tuple[str, DeviceClass], ...] = ()
    trailer_aliases: tuple[str, ...] = ()  # extra trailer keys that mean Origin-Device
    ai_identities: tuple[str, ...] = ()  # extra AI identities: exact e-mails, "*@domain", exact full names
    # The project's own marks of an agent's work, found anywhere in a message as written (case and all): a contributing
    # guide that asks agents to end a pull request's title with `🤖🤖🤖` (go-vikunja/vikunja) names one.
    ai_markers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PreReceive:
    budget_seconds: float = 4.0
    scanners: tuple[str, ...] = ("secrets",)
    defer: tuple[str, ...] = ("semgrep", "bandit")
    allow_force_push: bool = False
    allow_delete: bool = False
    allow_replace_refs: bool = False  # pushes that create, move or delete refs/replace/*
    allow_ambiguous_refs: bool = False  # pushes of refs whose names stand in for protected ones (a tag `main`)


@dataclass(frozen=True, slots=True)
class Bypass:
    push_option: str = "gatekeeper.bypass"
    allowed: tuple[str, ...] = ()
    reason_required: bool = True


# Test files by the conventions of the common test runners (pytest, Go, Jest/Vitest/Mocha, JUnit, RSpec,
# xUnit) and their data directories. A keyword-context secrets rule there mostly reads the values tests
# assert on (the made-up passwords and `--api-key` arguments of google-gemini/gemini-cli's tests; a mock
# server's login in All-Hands-AI/OpenHands' frontend/src/mocks/).
DEFAULT_TEST_FILES = ("**/test/**", "**/tests/**", "**/__tests__/**", "**/testdata/**", "**/test-data/**",
                      "**/__mocks__/**", "**/mocks/**", "**/__fixtures__/**", "**/spec/**",
                      "**/*.test.*", "**/*.spec.*", "**/*_test.*", "**/test_*.py", "**/*Test.java", "**/*Tests.java",
                      "**/*Test.kt", "**/*Tests.cs", "**/*Test.cs", "**/*_spec.rb",
                      # A Rust crate's unit-test module file (`mod tests;`), a Django app's tests, pytest's fixtures.
                      "**/tests.rs", "**/tests.py", "**/conftest.py",
                      # A .NET solution's test projects (`Newtonsoft.Json.Tests/`, `App.UnitTests/`).
                      "**/*.Tests/**", "**/*.Test/**", "**/*.UnitTests/**", "**/*.IntegrationTests/**")

# Third-party code committed with the project: Go's `vendor/`, npm's `node_modules/`, Bower's, Godep's, a Python
# environment's `site-packages/`, the `third_party/` directories of Chromium-style trees (and PHP's `3rdparty/`:
# wallabag's copied site configs, Nextcloud's dependencies), Yarn Berry's own release and plugins committed under
# `.yarn/` (monica's `yarn-4.0.1.cjs`: minified URL parsing, meas140), and NuGet's of a `packages.config` solution: its
# restore folder, `packages/<Id>.<Version>/` (a version's first digit after a dot, and a later dot: Sonarr's
# `packages/DotNetZip.1.9.1.8/lib/net20/Ionic.Zip.xml`, the library's documented example passwords, 29 blocking
# findings), and NuGet's own tool, `NuGet.exe` (its resource strings; not `.nuget/NuGet.Config`, where a package
# source's real credentials go) — sec150. Only the folders a package unpacks (`lib/`, `tools/`, `build/`, `content/`,
# ...): a monorepo's `packages/auth.2fa.service/src/` has a digit after a dot too (red151). A dependency's own test
# keys and example passwords (hashicorp/consul-template's vendored Vault, mgo and go-crypto: 48 blocking findings) are
# not the project's secrets. (And GNU libtool's `ltmain.sh`, generated and copied into every autotools tree: its shell
# tests comparing the link mode and pass variables with mode names, read as passwords twelve times in h2o's vendored
# libyaml, sec160.)
_NUGET_PARTS = ("lib", "tools", "build", "buildTransitive", "content", "contentFiles", "runtimes")
DEFAULT_VENDORED_FILES = ("**/vendor/**", "**/node_modules/**", "**/bower_components/**", "**/Godeps/**",
                          "**/site-packages/**", "**/third_party/**", "**/third-party/**", "**/3rdparty/**",
                          "**/.yarn/releases/*.cjs", "**/.yarn/plugins/**/*.cjs",
                          *(f"**/packages/*.{digit}*.*/{part}/**" for digit in range(10) for part in _NUGET_PARTS),
                          "**/NuGet.exe", "**/nuget.exe", "**/ltmain.sh")


@dataclass(frozen=True, slots=True)
class SecretsSettings:
    """`secrets: {config: .gitleaks.toml, extend_default: true, validate: false, docs: [...], fixtures: [...]}`.

    `config`: a gitleaks-format TOML file (relative to the policy file; read from the trusted policy
    source only); `extend_default`: its rules come on top of the shipped ones; `validate`: ask the
    providers whether found credentials are live (never in pre-receive); `docs` / `fixtures`: globs of
    documentation and test-fixture files whose secrets findings are suppressed with that reason
    (recorded, never dropped) unless a checksum proves the token machine-made; `tests`: globs of test files
    (DEFAULT_TEST_FILES unless set; `[]` for none) where only the keyword-context rules' findings
    (a `password = "…"` a test asserts on) are suppressed so — a provider-format key in a test still blocks;
    `vendored`: globs of third-party code (DEFAULT_VENDORED_FILES unless set; `[]` for none) where every finding but a
    provider-format key's (AWS, GitHub, …: a format that names its issuer) is suppressed with that reason."""

    config: Path | None = None
    extend_default: bool = True
    validate: bool = False
    docs: tuple[str, ...] = ()
    fixtures: tuple[str, ...] = ()
    tests: tuple[str, ...] = DEFAULT_TEST_FILES
    vendored: tuple[str, ...] = DEFAULT_VENDORED_FILES


@dataclass(frozen=True, slots=True)
class LogSettings:
    """`log: {path: …, required: false}`: where decisions are recorded (a file → SQLite, or a
    postgresql:// URL), and whether the gate fails closed when it cannot record one."""

    path: str | None = None
    required: bool = False


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    rule: str
    reason: str
    paths: tuple[str, ...] = ()
    expires: dt.date | None = None


@dataclass(frozen=True, slots=True)
class InlineIgnore:
    """Which findings an inline `gatekeeper: ignore[...]` written in the change may NOT hide:
    categories (`secrets`) or rule-id globs (`semgrep/python-eval`, `bandit/*`)."""

    refuse: tuple[str, ...] = DEFAULT_INLINE_REFUSE

    def refuses(self, rule_id: str) -> str | None:
        """The entry that refuses inline suppression of `rule_id`, or None."""
        category = rule_id.split("/", 1)[0]
        for entry in self.refuse:
            if entry == category or fnmatch.fnmatchcase(rule_id, entry):
                return entry
        return None


AI_SCAN_SCOPES = ("lines", "files")


@dataclass(frozen=True, slots=True)
class AIScan:
    """`ai.scan`: scanners and a threshold for what an agent wrote, on top of each commit's own rule set.

    Applied to the lines git-ai notes / Agent Trace records attribute to an agent (`scope: files`: every
    line the commit added to a file holding such lines), and to every line an AI-involved commit without
    line records added (fail closed). The engine plans the scan (scan/ai_scope.py), policy.decide blocks.
    """

    scanners: tuple[str, ...] = SCANNERS
    block_at: Severity = Severity.HIGH
    scope: str = "lines"


@dataclass(frozen=True, slots=True)
class AIRules:
    """AI attribution rules (checks/ai.py) and the AI-line scan (`ai.scan`): off unless turned on."""

    require_assisted_by: bool = False  # ai/assisted-by-missing
    refuse_agent_signoff: bool = False  # ai/agent-signoff
    scan: AIScan | None = None


BANDIT_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class BanditGate:
    """`bandit: {min_confidence: medium, min_severity: medium}`: which bandit findings reach the verdict.
    A gate, not an audit: by default only findings bandit rates at least medium on both scales."""

    min_confidence: str = "medium"
    min_severity: str = "medium"


@dataclass(frozen=True, slots=True)
class Policy:
    version: int = 1
    origins: Origins = field(default_factory=Origins)
    protected_refs: tuple[str, ...] = ()
    rules: tuple[RuleSet, ...] = ()
    zones: tuple[Zone, ...] = ()
    devices: Path | None = None
    allowed_signers: Path | None = None
    gpg_home: Path | None = None
    signer_binding: str = "author"
    # Whose shipped commit-signing keys count (github.com web-flow, gitlab.com web commits); [] trusts neither.
    forge_signatures: tuple[str, ...] = FORGES
    require_dco: bool = False
    baseline: Path | None = None
    pre_receive: PreReceive = field(default_factory=PreReceive)
    on_tool_error: str = "block"
    on_timeout: str = "block"
    bypass: Bypass = field(default_factory=Bypass)
    ignore: tuple[IgnoreRule, ...] = ()
    inline_ignore: InlineIgnore = field(default_factory=InlineIgnore)
    log: LogSettings = field(default_factory=LogSettings)
    ai: AIRules = field(default_factory=AIRules)
    unscanned: tuple[tuple[str, str], ...] = DEFAULT_UNSCANNED  # (rule set, block|warn|allow)
    bandit: BanditGate = field(default_factory=BanditGate)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    source: str = "built-in default"

    def unscanned_action(self, ruleset: str, mobile: bool) -> str:
        """What content left unscanned does under a rule set: its own entry, else mobile's or default's."""
        actions = dict(self.unscanned)
        return actions.get(ruleset) or actions.get("mobile" if mobile else "default") or "warn"

    def ruleset(self, name: str) -> RuleSet:
        for rs in self.rules:
            if rs.name == name:
                return rs
        raise KeyError(name)

    def has_ruleset(self, name: str) -> bool:
        return any(rs.name == name for rs in self.rules)

    def is_protected(self, ref: str) -> bool:
        """Whether a full ref name matches one of `protected_refs` (`glob_match`: `*` stays inside one
        path segment, `**` crosses them)."""
        return any(glob_match(pattern, ref) for pattern in self.protected_refs)


def ruleset_for(device: DeviceClass, policy: Policy) -> tuple[bool, str]:
    """(whether the device class counts as mobile, the rule set's name) for a commit of that class."""
    effective = policy.origins.undeclared if device is DeviceClass.UNKNOWN else device
    mobile = effective in policy.origins.mobile_classes
    if policy.has_ruleset(effective.value):
        return mobile, effective.value
    return mobile, "mobile" if mobile else "default"


# -- strict YAML loading ----------------------------------------------------------------------------

def load_yaml(text: str, source: str, *, fast: bool = False) -> Any:
    """Strict, safe YAML for every configuration file, with errors naming the file and line (`fast`: see
    yamlio.load; only for text of ours that is known to parse). PyYAML is imported on first use (see
    DEFAULT_POLICY_DATA)."""
    import yaml

    from gatekeeper import yamlio

    try:
        return yamlio.load(text, fast=fast)
    except yamlio.DuplicateKeyError as exc:
        raise ConfigError(f"{source}: line {exc.line}: duplicate key {exc.key!r}",
                          "remove one of the two entries") from None
    except yamlio.ConstructError as exc:
        fix = ("write a date that exists, as YYYY-MM-DD" if "timestamp" in exc.problem else
               "write a plain value of the type the key expects (quote dates you mean as text; "
               "no custom tags, no deep nesting, no alias expansions)")
        raise ConfigError(f"{source}: {exc.path or '(top level)'}: line {exc.line}: {exc.problem}", fix) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{source}: {where}invalid YAML: {problem}", "fix the YAML syntax") from None


class _V:
    """Typed readers for one mapping, with errors naming the full key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, problem: str, fix: str = "") -> ConfigError:
        return ConfigError(f"{self.source}: {path or '(top level)'}: {problem}",
                           fix or "see `gatekeeper policy init` for a valid example")

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {_typename(value)}")
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail(_join(path, str(key)), f"unknown key (expected one of: {', '.join(allowed)})")
        for key in required:
            if key not in value:
                raise self.fail(_join(path, key), "required key is missing")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_typename(value)}")
        return value

    def integer(self, value: Any, path: str, minimum: int = 0, maximum: int = MAX_INTEGER) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"expected an integer, got {_typename(value)} {_show(value)}".rstrip())
        if value < minimum or value > maximum:
            raise self.fail(path, f"must be between {minimum} and {maximum}, got {_show(value)}")
        return value

    def number(self, value: Any, path: str, minimum: float = 0.0, maximum: float = MAX_NUMBER) -> float:
        """A finite number with minimum < value <= maximum (NaN, infinities and booleans are refused)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"expected a number, got {_typename(value)} {_show(value)}".rstrip())
        if not math.isfinite(value):
            raise self.fail(path, f"must be a finite number, got {_show(value)}", "write a plain decimal number")
        if value <= minimum or value > maximum:
            raise self.fail(path, f"must be greater than {minimum:g} and at most {maximum:g}, got {_show(value)}")
        return float(value)

    def string(self, value: Any, path: str, *, nonempty: bool = True) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, got {_typename(value)}")
        if nonempty and not value.strip():
            raise self.fail(path, "must not be empty")
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in choices:
            raise self.fail(path, f"expected one of {', '.join(choices)}, got {_show(value)}")
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if isinstance(value, str):
            raise self.fail(path, f"expected a list of strings, got a string (write [{value}])")
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list of strings, got {_typename(value)}")
        return tuple(self.string(item, f"{path}[{i}]") for i, item in enumerate(value))

    def date(self, value: Any, path: str) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(path, f"expected a date (YYYY-MM-DD), got {_show(value)}")

    def device_class(self, value: Any, path: str) -> DeviceClass:
        choices = tuple(c.value for c in DeviceClass if c is not DeviceClass.UNKNOWN)
        return DeviceClass(self.choice(value, path, choices))

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_typename(value)}")
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    """A value for an error message, bounded: scalars as repr (clipped), collections by type only
    (a hostile document's repr could be huge)."""
    if isinstance(value, dict | list | tuple | set):
        return f"({_typename(value)})"
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _typename(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


T = TypeVar("T")
NO_STRINGS: tuple[str, ...] = ()


def _opt(data: Mapping[str, Any], key: str, default: T, read: Callable[[Any, str], T], path: str) -> T:
    return read(data[key], _join(path, key)) if key in data else default


def parse_policy(text: str, source: str = POLICY_FILENAME, base_dir: Path | None = None) -> Policy:
    """Validate policy YAML; paths inside it are resolved against base_dir when given."""
    return _policy_from(load_yaml(text, source), source, base_dir)


def _policy_from(data: Any, source: str, base_dir: Path | None) -> Policy:
    v = _V(source)
    if data is None:
        raise v.fail("version", "the file is empty; `version: 1` is required", "start from `gatekeeper policy init`")
    top = v.mapping(data, "", ("version", "origins", "protected_refs", "rules", "zones", "devices",
                               "allowed_signers", "gpg_home", "signer_binding", "require_dco", "baseline",
                               "pre_receive", "on_tool_error", "on_timeout", "bypass", "ignore", "inline_ignore",
                               "log", "ai", "unscanned", "bandit", "secrets", "forge_signatures"),
                    required=("version",))
    if type(top["version"]) is not int or top["version"] != 1:
        raise v.fail("version", f"unsupported version {_show(top['version'])} (this gatekeeper reads version 1)",
                     "set `version: 1`")

    origins = Origins()
    if "origins" in top:
        o = v.mapping(top["origins"], "origins", ("mobile_classes", "undeclared", "aliases", "trailer_aliases",
                                                   "ai_identities", "ai_markers"))
        markers = _opt(o, "ai_markers", NO_STRINGS, v.strings, "origins")
        for i, marker in enumerate(markers):
            # (A mark of two characters or more, on one line, that git keeps as written: a one-character mark would
            # make every message with that character an agent's; a line break or control character never reaches a
            # subject as written; U+FFFD is what undecodable bytes become.)
            if (len(marker.strip()) < 2 or len(marker) > 100 or not marker.isprintable() or "\ufffd" in marker
                    or marker != marker.strip()):
                raise v.fail(f"origins.ai_markers[{i}]", f"not a usable marker: {marker!r}",
                             "use the exact text the project asks agents to write (2 to 100 printable characters, "
                             "no leading or trailing space), e.g. ai_markers: [\"🤖🤖🤖\"]")
        classes = tuple(v.device_class(c, f"origins.mobile_classes[{i}]")
                        for i, c in enumerate(v.strings(o.get("mobile_classes", []), "origins.mobile_classes")))
        aliases: tuple[tuple[str, DeviceClass], ...] = ()
        if "aliases" in o:
            amap = o["aliases"]
            if not isinstance(amap, dict):
                raise v.fail("origins.aliases", f"expected a mapping of value: class, got {_typename(amap)}")
            aliases = tuple((str(k).lower(), v.device_class(val, f"origins.aliases.{k}")) for k, val in amap.items())
        origins = Origins(
            mobile_classes=classes if "mobile_classes" in o else origins.mobile_classes,
            undeclared=_opt(o, "undeclared", origins.undeclared, v.device_class, "origins"),
            aliases=aliases,
            trailer_aliases=tuple(k.lower() for k in _opt(o, "trailer_aliases", NO_STRINGS, v.strings, "origins")),
            # casefold(), as match_identity compares: lower() keeps `ß`, which casefold() makes `ss` (red52).
            ai_identities=tuple(k.casefold() for k in _opt(o, "ai_identities", NO_STRINGS, v.strings, "origins")),
            ai_markers=tuple(markers),
        )

    protected = _opt(top, "protected_refs", DEFAULT_PROTECTED_REFS, v.strings, "")
    for i, pattern in enumerate(protected):
        if any(ord(c) < 32 for c in pattern) or pattern.startswith("/"):
            raise v.fail(f"protected_refs[{i}]", f"invalid ref pattern {pattern!r}")
    protected = tuple(p if p.startswith("refs/") else f"refs/heads/{p}" for p in protected)

    # Rule sets inherit, key by key, from the built-in ones: a policy that writes `mobile: {block_at: medium}`
    # keeps every scanner and the review requirement; leaving a key out never weakens the gate.
    rule_names = ("mobile", "default", *[c.value for c in DeviceClass if c is not DeviceClass.UNKNOWN])
    rules: dict[str, RuleSet] = {"mobile": BUILTIN_MOBILE_RULES, "default": BUILTIN_DEFAULT_RULES}
    if "rules" in top:
        rmap = v.mapping(top["rules"], "rules", tuple(dict.fromkeys(rule_names)))
        for name, body in rmap.items():
            # A device-class rule set (`web`, `tablet`, ...) starts from the stricter mobile one.
            base = rules.get(name) or dataclasses.replace(BUILTIN_MOBILE_RULES, name=name)
            rules[name] = _ruleset(v, name, body, base)

    zones: list[Zone] = []
    names: set[str] = set()
    for path, item in v.items(top.get("zones"), "zones"):
        z = v.mapping(item, path, ("name", "paths", "mobile", "unmanaged_device", "ai"), required=("name", "paths"))
        name = v.string(z["name"], f"{path}.name")
        if name in names:
            raise v.fail(f"{path}.name", f"duplicate zone name {name!r}")
        names.add(name)
        paths = _path_globs(v, z["paths"], f"{path}.paths", directories=True)
        if not paths:
            raise v.fail(f"{path}.paths", "needs at least one path glob")
        mobile: str | None = None
        mobile_review: ReviewRule | None = None
        if "mobile" in z:
            if isinstance(z["mobile"], dict):
                m = v.mapping(z["mobile"], f"{path}.mobile", ("review",), required=("review",))
                mobile_review = _review(v, m["review"], f"{path}.mobile.review")
                mobile = "review"
            else:
                mobile = v.choice(z["mobile"], f"{path}.mobile", ("block", "allow"))
        zones.append(Zone(
            name=name, paths=paths, mobile=None if mobile == "allow" else mobile, mobile_review=mobile_review,
            unmanaged_device=_none_if_allow(_opt(z, "unmanaged_device", None,
                                                 lambda x, p: v.choice(x, p, ("block", "allow")), path)),
            ai=_none_if_allow(_opt(z, "ai", None, lambda x, p: v.choice(x, p, ("block", "allow")), path)),
        ))

    pre = PreReceive()
    if "pre_receive" in top:
        p = v.mapping(top["pre_receive"], "pre_receive", ("budget_seconds", "scanners", "defer", "allow_force_push",
                                                          "allow_delete", "allow_replace_refs",
                                                          "allow_ambiguous_refs"))
        pre = PreReceive(
            budget_seconds=_opt(p, "budget_seconds", pre.budget_seconds, v.number, "pre_receive"),
            scanners=_scanner_list(v, p["scanners"], "pre_receive.scanners") if "scanners" in p else pre.scanners,
            defer=_scanner_list(v, p["defer"], "pre_receive.defer") if "defer" in p else pre.defer,
            allow_force_push=_opt(p, "allow_force_push", False, v.boolean, "pre_receive"),
            allow_delete=_opt(p, "allow_delete", False, v.boolean, "pre_receive"),
            allow_replace_refs=_opt(p, "allow_replace_refs", False, v.boolean, "pre_receive"),
            allow_ambiguous_refs=_opt(p, "allow_ambiguous_refs", False, v.boolean, "pre_receive"),
        )
        if pre.budget_seconds >= 5.0:
            raise v.fail("pre_receive.budget_seconds", f"{pre.budget_seconds:g}s leaves no room: GitHub Enterprise "
                         "Server kills all hooks after 5 s in total", "use at most 4.5")

    bypass = Bypass()
    if "bypass" in top:
        b = v.mapping(top["bypass"], "bypass", ("push_option", "allowed", "reason_required"))
        bypass = Bypass(
            push_option=_opt(b, "push_option", bypass.push_option, v.string, "bypass"),
            allowed=_opt(b, "allowed", NO_STRINGS, v.strings, "bypass"),
            reason_required=_opt(b, "reason_required", True, v.boolean, "bypass"),
        )

    ignores: list[IgnoreRule] = []
    for path, item in v.items(top.get("ignore"), "ignore"):
        entry = v.mapping(item, path, ("rule", "paths", "reason", "expires"), required=("rule", "reason"))
        ignores.append(IgnoreRule(
            rule=_ignore_rule(v, entry["rule"], f"{path}.rule"),
            reason=v.string(entry["reason"], f"{path}.reason"),
            paths=_path_globs(v, entry["paths"], f"{path}.paths") if "paths" in entry else (),
            expires=_opt(entry, "expires", None, v.date, path),
        ))

    inline = InlineIgnore()
    if "inline_ignore" in top:
        n = v.mapping(top["inline_ignore"], "inline_ignore", ("refuse",))
        if "refuse" in n:
            refuse = () if n["refuse"] is None else v.strings(n["refuse"], "inline_ignore.refuse")
            for i, name in enumerate(refuse):
                if not _RULE_GLOB.match(name):
                    raise v.fail(f"inline_ignore.refuse[{i}]", f"{_show(name)} is not a category (secrets) or a "
                                 "rule-id glob (semgrep/python-*)")
            inline = InlineIgnore(refuse)

    log = LogSettings()
    if "log" in top:
        lg = v.mapping(top["log"], "log", ("path", "required"))
        log_path = _opt(lg, "path", None, v.string, "log")
        if log_path is not None and any(ord(c) < 32 for c in log_path):
            raise v.fail("log.path", "control characters in the log location")
        log = LogSettings(path=log_path, required=_opt(lg, "required", False, v.boolean, "log"))

    ai = AIRules()
    if "ai" in top:
        a = v.mapping(top["ai"], "ai", ("require_assisted_by", "refuse_agent_signoff", "scan"))
        ai = AIRules(require_assisted_by=_opt(a, "require_assisted_by", False, v.boolean, "ai"),
                     refuse_agent_signoff=_opt(a, "refuse_agent_signoff", False, v.boolean, "ai"),
                     scan=_ai_scan(v, a["scan"]) if a.get("scan") is not None else None)
    unscanned = dict(DEFAULT_UNSCANNED)
    if "unscanned" in top:
        # Keys left out keep the default: leaving a key out never weakens the gate.
        u = v.mapping(top["unscanned"], "unscanned", tuple(dict.fromkeys(rule_names)))
        for name, action in u.items():
            unscanned[name] = v.choice(action, f"unscanned.{name}", UNSCANNED_ACTIONS)

    def rel(key: str) -> Path | None:
        if key not in top or top[key] is None:
            return None
        value = Path(v.string(top[key], key))
        return value if value.is_absolute() or base_dir is None else base_dir / value

    secrets = SecretsSettings()
    if "secrets" in top:
        sc = v.mapping(top["secrets"], "secrets", ("config", "extend_default", "validate", "docs", "fixtures",
                                                   "tests", "vendored"))
        config_path = None
        if sc.get("config") is not None:
            config_path = Path(v.string(sc["config"], "secrets.config"))
            if not config_path.is_absolute() and base_dir is not None:
                config_path = base_dir / config_path
        secrets = SecretsSettings(
            config=config_path,
            extend_default=_opt(sc, "extend_default", True, v.boolean, "secrets"),
            validate=_opt(sc, "validate", False, v.boolean, "secrets"),
            docs=_opt(sc, "docs", NO_STRINGS, v.strings, "secrets"),
            fixtures=_opt(sc, "fixtures", NO_STRINGS, v.strings, "secrets"),
            tests=_opt(sc, "tests", DEFAULT_TEST_FILES, v.strings, "secrets"),
            vendored=_opt(sc, "vendored", DEFAULT_VENDORED_FILES, v.strings, "secrets"),
        )

    return Policy(
        version=1,
        origins=origins,
        protected_refs=protected,
        rules=tuple(rules.values()),
        zones=tuple(zones),
        devices=rel("devices"),
        allowed_signers=rel("allowed_signers"),
        gpg_home=rel("gpg_home"),
        signer_binding=_opt(top, "signer_binding", "author", lambda x, p: v.choice(x, p, SIGNER_BINDINGS), ""),
        require_dco=_opt(top, "require_dco", False, v.boolean, ""),
        baseline=rel("baseline"),
        pre_receive=pre,
        on_tool_error=_opt(top, "on_tool_error", "block", lambda x, p: v.choice(x, p, BLOCK_OR_WARN), ""),
        on_timeout=_opt(top, "on_timeout", "block", lambda x, p: v.choice(x, p, BLOCK_OR_WARN), ""),
        bypass=bypass,
        ignore=tuple(ignores),
        inline_ignore=inline,
        log=log,
        ai=ai,
        unscanned=tuple(unscanned.items()),
        bandit=_bandit(v, top["bandit"]) if "bandit" in top else BanditGate(),
        secrets=secrets,
        forge_signatures=_opt(top, "forge_signatures", FORGES, lambda x, p: _forges(v, x, p), ""),
        source=source,
    )


def _forges(v: _V, value: Any, path: str) -> tuple[str, ...]:
    names = v.strings(value, path)
    for i, name in enumerate(names):
        v.choice(name, f"{path}[{i}]", FORGES)
    return tuple(dict.fromkeys(names))


def _bandit(v: _V, value: Any) -> BanditGate:
    b = v.mapping(value, "bandit", ("min_confidence", "min_severity"))

    def level(x: Any, p: str) -> str:
        return v.choice(x, p, BANDIT_LEVELS)

    return BanditGate(min_confidence=_opt(b, "min_confidence", "medium", level, "bandit"),
                      min_severity=_opt(b, "min_severity", "medium", level, "bandit"))


_RULE_GLOB = lazy(r"\A[A-Za-z0-9*?][A-Za-z0-9_.*?/-]{0,199}\Z")


def _ignore_rule(v: _V, value: Any, path: str) -> str:
    """An ignore entry's rule-id glob; refused when it could hide a finding about the gate itself."""
    rule = v.string(value, path).strip()
    if not _RULE_GLOB.match(rule):
        raise v.fail(path, f"{_show(rule)} is not a rule id or rule-id glob (e.g. semgrep/python-eval, secrets/*)")
    category, _, _rest = rule.partition("/")
    gate = ", ".join(f"{c}/*" for c in GATE_CATEGORIES) + ", " + ", ".join(UNSUPPRESSIBLE_RULES)
    if any(ch in category for ch in "*?") or category in GATE_CATEGORIES or rule in UNSUPPRESSIBLE_RULES:
        raise v.fail(path, f"{_show(rule)} would hide findings about the gate itself ({gate}), which nothing may "
                     "suppress", "name the finding's category literally and ignore only findings about content "
                     "(secrets/…, semgrep/…, bandit/…) or policy rules (policy/zone-violation, provenance/…)")
    return rule


def _path_globs(v: _V, value: Any, path: str, *, directories: bool = False) -> tuple[str, ...]:
    """Repository-relative path globs, normalised (`./x` → `x`); globs that could never match a path
    git reports (absolute, backslashes, `..`, empty segments) are refused. With `directories`, a plain
    name without wildcards (`src/payments`) also covers everything beneath it, as in CODEOWNERS."""
    out: list[str] = []
    for i, raw in enumerate(v.strings(value, path)):
        where = f"{path}[{i}]"
        glob = raw
        while glob.startswith("./"):
            glob = glob[2:]
        problem = None
        if raw != raw.strip() or any(ord(c) < 32 or ord(c) == 127 for c in raw):
            problem = "has leading/trailing blanks or control characters"
        elif "\\" in raw:
            problem = "uses `\\`; git paths use `/`"
        elif raw.startswith("/"):
            problem = f"is absolute; paths are relative to the repository root (write {raw.lstrip('/')!r})"
        elif not glob or any(part in ("", ".", "..") for part in glob.rstrip("/").split("/")):
            problem = "has an empty, `.` or `..` segment"
        if problem is not None:
            raise v.fail(where, f"{_show(raw)} {problem}; it could never match a changed path",
                         "write a repository-relative glob such as src/payments/**")
        out.append(glob)
        if directories and not any(ch in glob for ch in "*?[") and not glob.endswith("/"):
            out.append(glob + "/**")
    return tuple(dict.fromkeys(out))


def _none_if_allow(value: str | None) -> str | None:
    return None if value == "allow" else value


def _scanner_list(v: _V, value: Any, path: str) -> tuple[str, ...]:
    items = v.strings(value, path)
    for i, item in enumerate(items):
        if item not in SCANNERS:
            raise v.fail(f"{path}[{i}]", f"unknown scanner {item!r} (expected one of: {', '.join(SCANNERS)})")
    return items


def _ai_scan(v: _V, value: Any) -> AIScan:
    path = "ai.scan"
    s = v.mapping(value, path, ("scanners", "block_at", "scope"))
    scanners = _scanner_list(v, s["scanners"], f"{path}.scanners") if "scanners" in s else SCANNERS
    if not scanners:
        raise v.fail(f"{path}.scanners", "is empty: the AI-line scan would scan nothing",
                     "name at least one scanner, or remove `ai.scan`")
    block_at = Severity.HIGH
    if "block_at" in s:
        block_at = Severity.parse(v.choice(s["block_at"], f"{path}.block_at", tuple(x.label for x in Severity)))
    return AIScan(scanners=tuple(dict.fromkeys(scanners)), block_at=block_at,
                  scope=_opt(s, "scope", "lines", lambda x, p: v.choice(x, p, AI_SCAN_SCOPES), path))


def _review(v: _V, value: Any, path: str, base: ReviewRule | None = None) -> ReviewRule:
    base = base or ReviewRule()
    r = v.mapping(value, path, ("approvals", "exclude_authors", "after_last_mobile_commit"))
    return ReviewRule(
        approvals=_opt(r, "approvals", base.approvals, lambda x, p: v.integer(x, p, 0), path),
        exclude_authors=_opt(r, "exclude_authors", base.exclude_authors, v.boolean, path),
        after_last_mobile_commit=_opt(r, "after_last_mobile_commit", base.after_last_mobile_commit, v.boolean, path),
    )


def _ruleset(v: _V, name: str, body: Any, base: RuleSet) -> RuleSet:
    path = f"rules.{name}"
    if body is None:
        return base
    r = v.mapping(body, path, ("scanners", "block_at", "require_signature", "require_registered_device", "review"))
    block_at = base.block_at
    if "block_at" in r:
        label = v.choice(r["block_at"], f"{path}.block_at", tuple(s.label for s in Severity))
        block_at = Severity.parse(label)
    review = base.review
    if "review" in r:
        # `review: null`, `review: false` or `approvals: 0` switch review off explicitly.
        review = None
        if r["review"] is not None and r["review"] is not False:
            review = _review(v, r["review"], f"{path}.review", base.review or ReviewRule())
            if review.approvals == 0:
                review = None
    return RuleSet(
        name=name,
        scanners=_scanner_list(v, r["scanners"], f"{path}.scanners") if "scanners" in r else base.scanners,
        block_at=block_at,
        require_signature=_opt(r, "require_signature", base.require_signature, v.boolean, path),
        require_registered_device=_opt(r, "require_registered_device", base.require_registered_device, v.boolean,
                                       path),
        review=review,
    )


def default_policy() -> Policy:
    # DEFAULT_POLICY_YAML as already parsed (a fresh copy: the reader must not share the module's lists);
    # test_default_policy_is_the_init_template holds it to the text `init` writes.
    return _policy_from(copy.deepcopy(DEFAULT_POLICY_DATA), "built-in default", None)


def load_policy_file(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such policy file", "check the path, or run `gatekeeper policy init`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read policy: {exc}", "check the file's permissions and encoding") from None
    # (Its name is shown in every verdict and logged with it: a directory's name that is not UTF-8 as git escapes it.)
    return parse_policy(text, display_text(str(path)), base_dir=path.parent)


def discover_policy(root: Path | None) -> Policy:
    """The local mode's policy: `.gatekeeper.yml` in the work tree (advisory), else the default."""
    if root is not None:
        candidate = root / POLICY_FILENAME
        if candidate.is_file():
            return load_policy_file(candidate)
    return default_policy()


# -- glob matching shared by zones, ignores and protected refs ---------------------------------------

_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """`**` crosses directories, `*` and `?` stay inside one path segment; a trailing `/` means a directory."""
    cached = _GLOB_CACHE.get(pattern)
    if cached is not None:
        return cached
    pat = pattern[:-1] + "/**" if pattern.endswith("/") else pattern
    compiled = re.compile(globs.translate(pat) + r"\Z", re.DOTALL)
    _GLOB_CACHE[pattern] = compiled
    return compiled


def glob_match(pattern: str, path: str) -> bool:
    return glob_to_regex(pattern).match(path) is not None
