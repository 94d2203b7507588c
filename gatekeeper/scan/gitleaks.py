"""gitleaks-format secrets configuration (`.gitleaks.toml`): rules and allowlists teams already have.

Reads the subset of gitleaks v8's TOML schema that has a meaning here — `[extend] useDefault` and
`disabledRules`, `[[rules]]` (id, description, regex, secretGroup, entropy, keywords, path, tags, and
their `[rules.allowlist]` / `[[rules.allowlists]]`), the global `[allowlist]` / `[[allowlists]]`
(description, paths, regexes, regexTarget, stopwords) — and refuses everything else as a config
error naming the key, so a setting gatekeeper would silently ignore never looks honoured.

Regexes are RE2 syntax (gitleaks is written in Go) and run in google-re2, which matches in linear
time: a rule a team wrote cannot be made to backtrack by a hostile line. The file is read from the
trusted policy source only (the server-side policy, the protected ref before the push, the PR's base
commit), never from the pushed objects.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gatekeeper.errors import ConfigError
from gatekeeper.models import Severity
from gatekeeper.scan.secrets import Allowlist, Regex, SecretDetector, SecretRule

_TOP = ("title", "description", "minVersion", "extend", "rules", "allowlist", "allowlists")
_EXTEND = ("useDefault", "disabledRules")
_RULE = ("id", "description", "regex", "secretGroup", "entropy", "keywords", "path", "tags", "allowlist",
         "allowlists")
_ALLOWLIST = ("description", "paths", "regexes", "regexTarget", "stopwords", "condition")
_TARGETS = ("secret", "match", "line")
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True, slots=True)
class GitleaksConfig:
    use_default: bool
    disabled: tuple[str, ...]
    rules: tuple[SecretRule, ...]
    allowlists: tuple[Allowlist, ...]


def compile_re2(pattern: str, where: str) -> Regex:
    """An RE2 pattern (gitleaks' syntax) compiled by google-re2; ConfigError when it is not valid RE2."""
    try:
        import re2
    except ImportError:  # pragma: no cover - a dependency of gatekeeper
        raise ConfigError(f"{where}: google-re2 is not installed, so gitleaks regexes cannot run",
                          "reinstall gatekeeper (pip install gatekeeper pulls google-re2 in)") from None
    options = re2.Options()
    options.log_errors = False
    try:
        compiled: Regex = re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ConfigError(f"{where}: not a valid RE2 regex: {detail}",
                          "gitleaks regexes are Go/RE2 syntax: no look-arounds or back-references") from None
    return compiled


def parse_gitleaks(text: str, source: str) -> GitleaksConfig:
    """Validate a gitleaks TOML document; every problem is a ConfigError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}", "fix the TOML syntax of the gitleaks config") from None
    _keys(data, _TOP, source, "")
    extend = data.get("extend", {})
    if not isinstance(extend, dict):
        raise ConfigError(f"{source}: extend: expected a table", "write `[extend]` with `useDefault = true`")
    _keys(extend, _EXTEND, source, "extend.")
    use_default = extend.get("useDefault", False)
    if not isinstance(use_default, bool):
        raise ConfigError(f"{source}: extend.useDefault: expected true or false", "write `useDefault = true`")
    disabled = _strings(extend.get("disabledRules", []), f"{source}: extend.disabledRules")
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise ConfigError(f"{source}: rules: expected an array of tables", "write each rule as `[[rules]]`")
    rules: list[SecretRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw_rules):
        rule = _rule(entry, f"{source}: rules[{index}]")
        if rule.id in seen:
            raise ConfigError(f"{source}: rules[{index}].id: duplicate id {rule.id!r}", "give every rule a unique id")
        seen.add(rule.id)
        rules.append(rule)
    allowlists = [*_allowlists(data, source, "")]
    return GitleaksConfig(use_default, disabled, tuple(rules), tuple(allowlists))


def _keys(table: Mapping[str, Any], allowed: Sequence[str], source: str, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{source}: {prefix}{key}: not supported by gatekeeper",
                              "supported keys here: " + ", ".join(allowed) + " (remove the key or move the setting "
                              "to the gatekeeper policy)")


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected an array of strings", "write e.g. `[\"a\", \"b\"]`")
    return tuple(value)


def _allowlists(table: Mapping[str, Any], source: str, prefix: str) -> list[Allowlist]:
    """`allowlist` (a table, gitleaks < 8.21) and `allowlists` (an array of tables) of a config or a rule."""
    found: list[Allowlist] = []
    single = table.get("allowlist")
    if single is not None:
        found.append(_allowlist(single, f"{source}: {prefix}allowlist"))
    many = table.get("allowlists", [])
    if not isinstance(many, list):
        raise ConfigError(f"{source}: {prefix}allowlists: expected an array of tables", "write `[[allowlists]]`")
    found.extend(_allowlist(entry, f"{source}: {prefix}allowlists[{i}]") for i, entry in enumerate(many))
    return found


def _allowlist(entry: object, where: str) -> Allowlist:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table", "write the allowlist as a TOML table")
    for key in entry:
        if key not in _ALLOWLIST:
            raise ConfigError(f"{where}.{key}: not supported by gatekeeper",
                              "supported allowlist keys: " + ", ".join(_ALLOWLIST)
                              + (" (a commit allowlist would trust pushed history: use the policy's baseline)"
                                 if key == "commits" else ""))
    condition = entry.get("condition", "OR")
    if condition != "OR":
        raise ConfigError(f"{where}.condition: only OR is supported, not {condition!r}",
                          "split the allowlist or remove `condition`")
    target = entry.get("regexTarget", "secret")
    if target not in _TARGETS:
        raise ConfigError(f"{where}.regexTarget: must be one of {', '.join(_TARGETS)}, not {target!r}",
                          "use secret, match or line")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}.description: expected a string", "describe the allowlist in one line")
    paths = _strings(entry.get("paths", []), f"{where}.paths")
    regexes = _strings(entry.get("regexes", []), f"{where}.regexes")
    stopwords = _strings(entry.get("stopwords", []), f"{where}.stopwords")
    return Allowlist(
        description=f"gitleaks allowlist: {description.strip()}" if description.strip() else "gitleaks allowlist",
        paths=tuple(compile_re2(p, f"{where}.paths[{i}]") for i, p in enumerate(paths)),
        regexes=tuple(compile_re2(r, f"{where}.regexes[{i}]") for i, r in enumerate(regexes)),
        stopwords=tuple(w.lower() for w in stopwords),
        target=str(target),
    )


def _rule(entry: object, where: str) -> SecretRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table", "write each rule as `[[rules]]` with its keys")
    rule_id = entry.get("id")
    if isinstance(rule_id, str):
        where = f"{where} (id {rule_id!r})"
    for key in entry:
        if key not in _RULE:
            raise ConfigError(f"{where}.{key}: not supported by gatekeeper",
                              "supported rule keys: " + ", ".join(_RULE))
    if not isinstance(rule_id, str) or not rule_id or not set(rule_id.lower()) <= _ID_CHARS | {"_", "."}:
        raise ConfigError(f"{where}.id: expected letters, digits, dashes, dots or underscores",
                          "give the rule an id like `internal-api-token`")
    if "regex" not in entry:
        raise ConfigError(f"{where}: a rule without `regex` (a path-only rule) is not supported",
                          "add a regex, or list such files in the policy's ignore/zones instead")
    pattern = entry["regex"]
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}.regex: expected a non-empty string", "write the RE2 regex in '''...'''")
    regex = compile_re2(pattern, f"{where}.regex")
    groups = int(getattr(regex, "groups", 0))
    group = entry.get("secretGroup", 1 if groups == 1 else 0)
    if isinstance(group, bool) or not isinstance(group, int) or not 0 <= group <= groups:
        raise ConfigError(f"{where}.secretGroup: {group!r} is not a group of the regex (it has {groups})",
                          "use the number of the capture group that holds the secret")
    entropy = entry.get("entropy")
    if entropy is not None and (isinstance(entropy, bool) or not isinstance(entropy, int | float)
                                or not 0 <= entropy <= 8):
        raise ConfigError(f"{where}.entropy: expected a number between 0 and 8", "use bits per character, e.g. 3.5")
    keywords = tuple(k.lower() for k in _strings(entry.get("keywords", []), f"{where}.keywords"))
    if any(not k or "\n" in k for k in keywords):
        raise ConfigError(f"{where}.keywords: keywords must be non-empty single-line strings", "fix the keywords")
    description = entry.get("description", rule_id)
    if not isinstance(description, str):
        raise ConfigError(f"{where}.description: expected a string", "describe the rule in one line")
    _strings(entry.get("tags", []), f"{where}.tags")
    path = entry.get("path")
    if path is not None and not isinstance(path, str):
        raise ConfigError(f"{where}.path: expected a string (an RE2 regex over the file path)", "fix the path")
    source, _, rest = where.partition(": ")
    allowlists = _allowlists(entry, source, f"{rest}.")
    allow = tuple(r for a in allowlists for r in a.regexes)
    stopwords = tuple(w for a in allowlists for w in a.stopwords)
    if any(a.paths or a.target != "secret" for a in allowlists):
        raise ConfigError(f"{where}.allowlist: paths and regexTarget are supported in the global allowlist only",
                          "move path exceptions to the top-level [allowlist]")
    return SecretRule(
        id=_our_id(rule_id),
        description=description.strip() or rule_id,
        severity=Severity.HIGH,
        regex=regex,
        keywords=keywords,
        entropy_min=None if entropy is None else float(entropy),
        allow=allow,
        source=where,
        group=group,
        paths=None if path is None else compile_re2(path, f"{where}.path"),
        stopwords=stopwords,
    )


def _our_id(rule_id: str) -> str:
    """gitleaks ids (`generic-api-key`, `Some_Rule.v2`) as ours: lowercase, dashes."""
    return "".join(c if c in _ID_CHARS else "-" for c in rule_id.lower()).strip("-") or "gitleaks-rule"


def build_detector(config: GitleaksConfig, *, extend_default: bool, default: Callable[[], SecretDetector],
                   source: str) -> SecretDetector:
    """The detector a policy asks for: the config's rules, on top of the shipped ones when the policy
    (`secrets.extend_default`) or the config (`[extend] useDefault`) says so. A config rule with a
    shipped rule's id replaces it; `disabledRules` removes shipped rules by id."""
    rules: dict[str, SecretRule] = {}
    if extend_default or config.use_default:
        base = default()
        known = {r.id for r in base.rules}
        unknown = [d for d in config.disabled if _our_id(d) not in known]
        if unknown:
            raise ConfigError(f"{source}: extend.disabledRules: no shipped rule {unknown[0]!r}",
                              "use the ids gatekeeper reports (secrets/<id> without the prefix)")
        rules = {r.id: r for r in base.rules if r.id not in {_our_id(d) for d in config.disabled}}
    elif config.disabled:
        raise ConfigError(f"{source}: extend.disabledRules: nothing to disable without the default rules",
                          "set `[extend] useDefault = true` (or policy secrets.extend_default) or remove it")
    for rule in config.rules:
        rules[rule.id] = replace(rule, source=f"{source} ({rule.source.split(': ', 1)[-1]})")
    if not rules:
        raise ConfigError(f"{source}: no rules: the config defines none and does not extend the default",
                          "add [[rules]] or set `[extend] useDefault = true`")
    return SecretDetector(tuple(rules.values()), allowlists=config.allowlists)


def load_detector(path: Path, reader: Callable[[Path], str | None], *, extend_default: bool,
                  default: Callable[[], SecretDetector]) -> SecretDetector:
    """Read the config named by the policy through the mode's trusted reader and build the detector."""
    text = reader(path)
    if text is None:
        raise ConfigError(f"{path}: gitleaks config not found (named by `secrets.config` in the policy)",
                          "commit the file next to the policy on the protected branch, or remove `secrets.config`")
    return build_detector(parse_gitleaks(text, str(path)), extend_default=extend_default, default=default,
                          source=str(path))
