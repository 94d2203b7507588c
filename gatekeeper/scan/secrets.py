"""The in-process secrets detector: provider token formats and credential assignments in added lines.

It owns the rules file format (`rules/secrets.yml`: patterns are data, validated strictly at load),
the matching strategy and what is *not* a secret (placeholders, environment look-ups, code
references). It sees only text — the lines a commit added — and answers with `SecretHit`s that
carry a redacted form and a digest of the value, never the value itself; the engine turns them
into `Finding`s (fingerprint, inline suppression, policy). Lines are hostile input: every pattern is
bounded, and the generic rules look only near their keywords on very long lines.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gatekeeper import fingerprint, yamlio
from gatekeeper.errors import ConfigError
from gatekeeper.models import Severity

NAMESPACE = "secrets"

# Generic rules start at every keyword occurrence and may scan a few hundred characters from each,
# so on a very long line (minified JS, a data blob) they would cost O(line x keywords). Above this
# length they search only windows around keyword occurrences (where any match of theirs must
# start), capped in number and total size; the provider rules — anchored on literal prefixes and
# fenced by look-behinds, hence linear — still run on the whole line. The cap means a generic
# credential deep inside a megabyte line full of keywords can be missed; provider tokens cannot.
MAX_GENERIC_LINE = 20_000
_WINDOW_BEFORE = 64  # a generic match starts at most this far before the keyword it contains
_WINDOW_AFTER = 800  # key suffix + assignment + quoted value (<= 512) fit in this
_MAX_WINDOW_CHARS = 200_000  # per rule per line
_MULTILINE_CONTEXT = 256  # characters of key material hashed into a multiline rule's digest
_MIN_PREFIXED_LENGTH = 20

_SEVERITIES = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
               "low": Severity.LOW}
_REQUIRED_KEYS = ("id", "description", "severity", "regex")
_OPTIONAL_KEYS = ("keywords", "entropy_min", "allow", "generic", "multiline")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# --- what is not a secret --------------------------------------------------------------------------

# Markers that make any value a placeholder, a template or a reference. Provider tokens are random
# base62/base64, so the chance that a real one contains e.g. "xxxx" or "example" is negligible.
_PLACEHOLDER_MARKERS = re.compile(
    r"""
      example | dummy | placeholder | changeme | change[_-]me | replace[_-]?me | redacted | fixme
    | omitt?ed | truncated
    | x{4,} | \*{3,} | \u2022{2,} | \.{3} | \u2026
    | \$\{ | \$\( | \{\{ | \}\} | \{[a-z_][\w.]*\} | ^\{\d*\}$ | ^%[sdr]$
    | %\( | %[a-z_]+% | <[^<>]*> | ^< | ^\$[a-z_{(]
    | (?:^|[_-])your[_-]? | [_-]here$ | ^(?:insert|enter|put|add)[_-]
    | environ | getenv | process\.env | \benv\[ | \bsecrets\.
    | 0123456789 | 123456789 | abcdefgh | qwerty
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Whole values that are words, not credentials ("test", "changeme", default dev passwords, ...).
_PLACEHOLDER_WORDS = re.compile(
    r"""
      (?:test(?:ing)?|fake|sample|dummy|example|placeholder|changeme|mock|foo|bar|baz|foobar|tbd|todo)
        [_-]?[0-9]{0,4}
    | password | passwd | pass | secret | token | none | null | nil | undefined | true | false | empty
    | default | redacted | hidden | masked | admin | root | guest | user | username | postgres
    | mysql | redis | mongo | changeit | secret[_-]?key | api[_-]?key | access[_-]?token
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LONG_RUN = re.compile(r"(.)\1{7,}")  # 8+ times the same character: "00000000", "********"

# Generic rules only: values that are code, paths or references rather than credentials.
_REFERENCE = re.compile(
    r"""
      ^[a-z][a-z0-9+.-]{1,20}://          # any URL (https://, op://, vault://); URL passwords have their own rules
    | ^(?:arn|vault|ssm|sm|gcpkms|awskms|azurekv|ref\+[a-z]+):
    | ^ENC\[ | ^!
    | ^(?:/|\./|\.\./|~/|[a-z]:\\)         # a file path
    | \.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|pub|gpg|asc|json|ya?ml|txt|env|ini|cfg|conf|toml)$
    """,
    re.IGNORECASE | re.VERBOSE,
)
_DOTTED_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")  # settings.DB_PASSWORD
# Unquoted, a name made of letters is a variable (hashedPassword, DHPrivateKey, RefreshTokenT).
_UNQUOTED_NAME = re.compile(r"[A-Za-z_$][A-Za-z_$]*")
# Quoted, a camelCase, PascalCase or Train-Case word is a field, enum or header name
# ("allowCredentials", "Access-Control-Allow-Credentials").
_CAMEL_WORD = re.compile(r"_?[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}|[A-Z][a-z]+(?:-[A-Z][a-z]+)+")
_QUOTES = "\"'`"
_SEPARATORS = frozenset("-_./")


@dataclass(frozen=True, slots=True)
class SecretRule:
    id: str  # without the namespace: "aws-access-key"
    description: str
    severity: Severity
    regex: re.Pattern[str]  # has a named group `secret`
    keywords: tuple[str, ...] = ()  # lowercase; one must occur in the lowercased line
    entropy_min: float | None = None
    allow: tuple[re.Pattern[str], ...] = ()
    generic: bool = False  # keyword-context rule: loses to provider rules, stricter value checks
    multiline: bool = False  # the match is a header; the key material follows it


@dataclass(frozen=True, slots=True)
class SecretHit:
    rule_id: str  # namespaced: "secrets/aws-access-key"
    description: str
    severity: Severity
    line: int
    column: int  # 1-based, where the secret value starts
    redacted: str  # "AKIA…[sha256:1a2b3c4d]": at most 4 characters and a quarter of the value
    digest: str  # sha256 hex of the value: the content-based fingerprint material


def default_rules_path() -> Path:
    """The shipped rules: inside the package (wheel) or next to it (source checkout).

    `Path(__file__).parents[1]` is the `gatekeeper` package directory, i.e. what
    `Path(gatekeeper.__file__).parent` names, without depending on the package's `__init__`.
    """
    package_dir = Path(__file__).resolve().parents[1]
    candidates = (package_dir / "rules" / "secrets.yml", package_dir.parent / "rules" / "secrets.yml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "secrets rules file not found (looked at " + " and ".join(str(c) for c in candidates) + ")",
        "reinstall gatekeeper so that rules/secrets.yml ships with it, or pass a rules file explicitly",
    )


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s character distribution."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """True when `value` is a documented example, a template, a reference or a dummy word."""
    return bool(
        len(set(value)) <= 1
        or _PLACEHOLDER_MARKERS.search(value)
        or _PLACEHOLDER_WORDS.fullmatch(value.strip(_QUOTES))
        or _LONG_RUN.search(value)
    )


def _looks_like_credential(value: str, quoted: bool) -> bool:
    """For generic rules: not code, not a path or reference, and more than one kind of character."""
    if _REFERENCE.search(value):
        return False
    if _CAMEL_WORD.fullmatch(value) or (
        not quoted and (_DOTTED_NAME.fullmatch(value) or _UNQUOTED_NAME.fullmatch(value))
    ):
        return False
    kinds = (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() and c not in _SEPARATORS for c in value)
    )
    return kinds >= 2


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


FINGERPRINT_KEY_ENV = fingerprint.KEY_ENV


def value_digest(value: str, key: str | None = None) -> str:
    """The digest shown in redactions and used for fingerprints.

    Plain sha256 lets anyone who reads a report test guesses of a weak password offline; with
    GATEKEEPER_FINGERPRINT_KEY set (a secret shared by the hook, CI and whoever writes baselines) it is
    an HMAC, which they cannot compute without the key (gatekeeper.fingerprint, the one keyed helper).
    """
    return fingerprint.digest(value, key=key)


def redact(value: str, digest: str, *, prefix: bool = True) -> str:
    """A short, printable prefix (at most 4 characters and a quarter of the value) and a hash."""
    shown = value[: min(4, len(value) // 4)] if prefix else ""
    shown = "".join(c if "!" <= c <= "~" else "?" for c in shown)
    return f"{shown}\u2026[sha256:{digest[:8]}]"


# --- the rules file --------------------------------------------------------------------------------


def parse_rules(text: str, source: str) -> tuple[SecretRule, ...]:
    """Validate a rules document; every problem is a ConfigError naming the rule and the fix."""
    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}", "fix the YAML syntax of the rules file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with `version: 1` and `rules:`",
                          "start the file with `version: 1` and list the rules under `rules:`")
    unknown = sorted(str(k) for k in data if k not in ("version", "rules"))
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key {unknown[0]!r}",
                          "only `version` and `rules` are allowed at the top level")
    if data.get("version") != 1:
        raise ConfigError(f"{source}: version must be 1, not {data.get('version')!r}",
                          "set `version: 1`")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: `rules` must be a non-empty list", "list at least one rule under `rules:`")
    rules: list[SecretRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rule = _parse_rule(entry, f"{source}: rules[{index}]")
        if rule.id in seen:
            raise ConfigError(f"{source}: rules[{index}] (id {rule.id!r}): duplicate id",
                              "give every rule a unique id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _parse_rule(entry: object, where: str) -> SecretRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a rule must be a mapping", "write each rule as `- id: ...` with its keys")
    rule_id = entry.get("id")
    if isinstance(rule_id, str) and rule_id:
        where = f"{where} (id {rule_id!r})"

    def fail(problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{where}: {problem}", fix)

    allowed = (*_REQUIRED_KEYS, *_OPTIONAL_KEYS)
    for key in entry:
        if key not in allowed:
            raise fail(f"unknown key {str(key)!r}", "allowed keys: " + ", ".join(sorted(allowed)))
    for key in _REQUIRED_KEYS:
        if key not in entry:
            raise fail(f"missing required key {key!r}", "every rule needs " + ", ".join(_REQUIRED_KEYS))
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise fail(f"invalid id {rule_id!r}", "use lowercase letters, digits and dashes, e.g. `aws-access-key`")
    description = entry["description"]
    if not isinstance(description, str) or not description.strip():
        raise fail("description must be a non-empty string", "describe what the rule finds in one line")
    severity_name = entry["severity"]
    if not isinstance(severity_name, str) or severity_name not in _SEVERITIES:
        raise fail(f"unknown severity {severity_name!r}", "use one of: " + ", ".join(_SEVERITIES))
    regex = _compile(entry["regex"], "regex", fail)
    if "secret" not in regex.groupindex:
        raise fail("regex has no named group 'secret'", "wrap the secret value in (?P<secret>...)")
    keywords = entry.get("keywords", [])
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and k and k == k.lower() and "\n" not in k for k in keywords
    ):
        raise fail("keywords must be a list of non-empty lowercase strings",
                   "write keywords in lowercase: they are matched against the lowercased line")
    entropy_min = entry.get("entropy_min")
    if entropy_min is not None and (
        isinstance(entropy_min, bool) or not isinstance(entropy_min, int | float) or not 0 <= entropy_min <= 8
    ):
        raise fail(f"entropy_min must be a number between 0 and 8, not {entropy_min!r}",
                   "use bits per character, e.g. `entropy_min: 3.0`, or remove the key")
    allow = entry.get("allow", [])
    if not isinstance(allow, list):
        raise fail("allow must be a list of regexes", "write `allow: ['regex', ...]`")
    flags: dict[str, bool] = {}
    for key in ("generic", "multiline"):
        value = entry.get(key, False)
        if not isinstance(value, bool):
            raise fail(f"{key} must be true or false, not {value!r}", f"write `{key}: true` or remove the key")
        flags[key] = value
    return SecretRule(
        id=rule_id,
        description=description.strip(),
        severity=_SEVERITIES[severity_name],
        regex=regex,
        keywords=tuple(dict.fromkeys(keywords)),
        entropy_min=None if entropy_min is None else float(entropy_min),
        allow=tuple(_compile(a, f"allow[{i}]", fail) for i, a in enumerate(allow)),
        generic=flags["generic"],
        multiline=flags["multiline"],
    )


def _compile(pattern: object, key: str, fail: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise fail(f"{key} must be a non-empty string", f"write the {key} as a quoted Python regex")
    try:
        # ASCII: token alphabets are ASCII, and \w/\d/\s must not widen to all of Unicode.
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise fail(f"invalid {key}: {exc}", f"fix the {key} (Python `re` syntax)") from None


# --- the detector ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule: SecretRule
    start: int
    end: int
    value: str
    material: str  # what is hashed: the value, plus the key body for multiline rules
    rejected: bool = False  # a placeholder/allow-listed provider match: claims its span, not reported


def _shows_prefix(candidate: _Candidate) -> bool:
    """Only machine-made tokens show their first characters (usually the public format prefix):
    generic and short values are often human-chosen passwords, where every character helps a guess."""
    return not candidate.rule.generic and len(candidate.value) >= _MIN_PREFIXED_LENGTH


class SecretDetector:
    """Scans added lines with a fixed rule set; immutable and safe to share between threads."""

    def __init__(self, rules: Sequence[SecretRule], digest: str = "") -> None:
        self.rules: tuple[SecretRule, ...] = tuple(rules)
        self._digest = digest or _sha256(
            "\x00".join(f"{r.id}\x01{r.regex.pattern}\x01{r.keywords}\x01{r.entropy_min}" for r in self.rules)
        )
        by_keyword: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                by_keyword.setdefault(keyword, []).append(index)
        self._by_keyword = tuple((k, frozenset(v)) for k, v in by_keyword.items())
        self._keywordless = frozenset(i for i, r in enumerate(self.rules) if not r.keywords)
        # Long lines: where a generic rule's keywords occur in the original (not lowercased) text.
        self._keyword_finders = {
            i: re.compile("|".join(re.escape(k) for k in r.keywords), re.IGNORECASE | re.ASCII)
            for i, r in enumerate(self.rules)
            if r.generic and r.keywords
        }

    @classmethod
    def load(cls, path: Path | None = None) -> SecretDetector:
        source = default_rules_path() if path is None else path
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read secrets rules: {exc.strerror or exc}",
                              "check the path of the secrets rules file") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: secrets rules are not UTF-8: {exc}", "save the file as UTF-8") from None
        return cls(parse_rules(text, str(source)), hashlib.sha256(raw).hexdigest())

    @property
    def digest(self) -> str:
        """sha256 of the rules file: part of every cache key over scan results."""
        return self._digest

    def scan_text(self, text: str) -> list[SecretHit]:
        # git's notion of a line: split on "\n" only (str.splitlines would also split on \x0b, \x1c, ...).
        return self.scan_lines(enumerate(text.split("\n"), start=1))

    def scan_lines(self, lines: Iterable[tuple[int, str]]) -> list[SecretHit]:
        numbers: list[int] = []
        texts: list[str] = []
        for number, text in lines:
            numbers.append(number)
            texts.append(text.rstrip("\r\n"))
        if not texts:
            return []
        hits: list[SecretHit] = []
        for index, rule_indexes in sorted(self._candidate_rules(texts).items()):
            following = index + 1 < len(texts) and numbers[index + 1] == numbers[index] + 1
            next_text = texts[index + 1] if following else ""
            hits.extend(self._scan_line(rule_indexes, numbers[index], texts[index], next_text))
        return hits

    def _candidate_rules(self, texts: list[str]) -> dict[int, set[int]]:
        """Which rules to try on which line (by index), from keyword occurrences in the whole batch.

        One `str.find` per keyword per line that contains it, over the lowercased batch: lines
        without any keyword (most of them) never reach Python-level work.
        """
        lowered = [t.lower() for t in texts]  # lower() may change a line's length: offsets use these
        blob = "\n".join(lowered)
        starts = [0, *itertools.accumulate(len(t) + 1 for t in lowered)]
        candidates: dict[int, set[int]] = {}
        for keyword, rule_indexes in self._by_keyword:
            pos = blob.find(keyword)
            while pos != -1:
                line = bisect.bisect_right(starts, pos) - 1
                candidates.setdefault(line, set()).update(rule_indexes)
                pos = blob.find(keyword, starts[line + 1])
        if self._keywordless:
            original = "\n".join(texts)
            active = {i for i in self._keywordless if self.rules[i].regex.search(original)}
            if active:
                for line in range(len(texts)):
                    candidates.setdefault(line, set()).update(active)
        return candidates

    def _scan_line(self, rule_indexes: Iterable[int], number: int, text: str, next_text: str) -> list[SecretHit]:
        found: list[_Candidate] = []
        for index in rule_indexes:
            rule = self.rules[index]
            for match in self._matches(index, rule, text):
                candidate = self._candidate(rule, match, text, next_text)
                if candidate is not None:
                    found.append(candidate)
        if not any(not c.rejected for c in found):
            return []
        # One report per value: when rules overlap, a provider rule beats a generic one, then the
        # more severe, then the longer match. A provider match rejected as a placeholder still
        # claims its span, so the generic rules do not report the documented example it recognised.
        found.sort(key=lambda c: (c.rule.generic, -c.rule.severity, c.start - c.end, c.start, c.rule.id))
        kept: list[_Candidate] = []  # non-overlapping, ordered by start
        starts: list[int] = []
        for candidate in found:
            at = bisect.bisect_right(starts, candidate.start)
            if (at and kept[at - 1].end > candidate.start) or (at < len(kept) and kept[at].start < candidate.end):
                continue
            kept.insert(at, candidate)
            starts.insert(at, candidate.start)
        hits = []
        key = fingerprint.current_key()
        for c in kept:
            if c.rejected:
                continue
            digest = value_digest(c.material, key)
            hits.append(SecretHit(
                rule_id=f"{NAMESPACE}/{c.rule.id}",
                description=c.rule.description,
                severity=c.rule.severity,
                line=number,
                column=c.start + 1,
                redacted=redact(c.material, digest, prefix=_shows_prefix(c)),
                digest=digest,
            ))
        return hits

    def _matches(self, index: int, rule: SecretRule, text: str) -> Iterator[re.Match[str]]:
        if not rule.generic or len(text) <= MAX_GENERIC_LINE:
            yield from rule.regex.finditer(text)
            return
        finder = self._keyword_finders.get(index)
        if finder is None:  # a generic rule without keywords: too costly on a long line
            return
        windows: list[list[int]] = []
        budget = _MAX_WINDOW_CHARS
        for keyword in finder.finditer(text):
            start = max(0, keyword.start() - _WINDOW_BEFORE)
            end = min(len(text), keyword.end() + _WINDOW_AFTER)
            if windows and start <= windows[-1][1]:
                budget -= end - windows[-1][1]
                windows[-1][1] = end
            else:
                budget -= end - start
                windows.append([start, end])
            if budget <= 0:
                break
        for start, end in windows:
            yield from rule.regex.finditer(text, start, end)

    @staticmethod
    def _candidate(rule: SecretRule, match: re.Match[str], text: str, next_text: str) -> _Candidate | None:
        value = match.group("secret")
        if not value:
            return None
        start, end = match.span("secret")
        if (
            any(a.search(value) for a in rule.allow)
            or is_placeholder(value)
            or (rule.entropy_min is not None and shannon_entropy(value) < rule.entropy_min)
        ):
            return None if rule.generic else _Candidate(rule, start, end, value, value, rejected=True)
        if rule.generic and not _looks_like_credential(value, start > 0 and text[start - 1] in _QUOTES):
            return None
        material = value
        if rule.multiline:
            # The header is the same for every key of a kind; hash the key material after it too.
            rest = text[match.end() : match.end() + _MULTILINE_CONTEXT].strip()
            body = next_text[:_MULTILINE_CONTEXT].strip()
            # Not is_placeholder: key bodies legitimately hold runs like "AAAAAAAA" (OpenSSH).
            if _PLACEHOLDER_MARKERS.search(rest) or _PLACEHOLDER_MARKERS.search(body):
                return _Candidate(rule, start, end, value, value, rejected=True)  # "MIIE...", "<key>"
            material = "\n".join((value, rest, body))
        return _Candidate(rule, start, end, value, material)
