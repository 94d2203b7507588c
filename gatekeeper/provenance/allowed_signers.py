"""Git's allowed-signers file (the ssh-keygen "ALLOWED SIGNERS" format): parse it strictly, query it, write it.

One line is `principals [options] keytype base64-key [comment]`. Principals are comma-separated and may
be patterns (`*`, `?`); options are `namespaces="git,file"`, `valid-after="YYYYMMDD[HHMM[SS]][Z]"`,
`valid-before=...` and `cert-authority`. We read the same file git hands to `ssh-keygen -Y verify`, so
`git verify-commit` with `gpg.ssh.allowedSignersFile` and gatekeeper agree on who may sign — with one
deliberate difference: validity windows are judged at the time of the check, never at the committer
date the signer wrote into the commit (see `signatures.py`). `cert-authority` lines are not supported:
they are skipped with a warning, which makes keys certified by them untrusted (fail closed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from gatekeeper.errors import ConfigError
from gatekeeper.lazy_regex import lazy

# Key types OpenSSH writes into public key lines. Which of them we can *verify* is signatures.py's
# business; a file that lists e.g. a FIDO key is still a valid file.
PLAIN_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
)
CERT_KEY_TYPES = tuple(
    t.replace("@openssh.com", "") + "-cert-v01@openssh.com" for t in PLAIN_KEY_TYPES
)
KEY_TYPES = frozenset(PLAIN_KEY_TYPES + CERT_KEY_TYPES)

OPTION_NAMES = ("cert-authority", "namespaces", "valid-after", "valid-before")
_TIME_RE = lazy(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?([Zz])?$")
_FORMAT_HELP = ("each line is `principals [options] keytype base64-key [comment]`, "
                "see `man ssh-keygen` (ALLOWED SIGNERS)")
_B64_CHARS = lazy(r"^[A-Za-z0-9+/]+={0,2}$")


@dataclass(frozen=True, slots=True)
class AllowedSigner:
    """One usable line of an allowed-signers file; `key_b64` is canonical base64 of the key blob."""

    principals: tuple[str, ...]
    key_type: str
    key_b64: str
    namespaces: tuple[str, ...] | None  # None: every namespace
    valid_after: datetime | None  # timezone-aware
    valid_before: datetime | None  # timezone-aware
    line: int
    source: str = ""

    @property
    def principal(self) -> str:
        """The principals field as ssh-keygen's find-principals prints it."""
        return ",".join(self.principals)

    @property
    def key_blob(self) -> bytes:
        return base64.b64decode(self.key_b64)

    @property
    def fingerprint(self) -> str:
        """OpenSSH's `SHA256:<unpadded base64>` fingerprint of the key."""
        return ssh_fingerprint(self.key_blob)

    def allows_namespace(self, namespace: str) -> bool:
        return self.namespaces is None or match_pattern_list(namespace, self.namespaces)

    def validity_problem(self, at: datetime) -> str | None:
        """Why the entry is not valid at `at` (None when it is); same bounds as ssh-keygen."""
        at = as_utc(at)
        where = f"{self.source}:{self.line}" if self.source else f"line {self.line}"
        if self.valid_after is not None and at < self.valid_after:
            return f"key is not valid before {_iso(self.valid_after)} ({where}: valid-after)"
        if self.valid_before is not None and at > self.valid_before:
            return f"key expired at {_iso(self.valid_before)} ({where}: valid-before)"
        return None

    def is_valid_at(self, at: datetime) -> bool:
        return self.validity_problem(at) is None


@dataclass(frozen=True, slots=True)
class AllowedSignersFile:
    """A parsed file: the usable entries, and the lines that were skipped and why."""

    signers: tuple[AllowedSigner, ...]
    warnings: tuple[str, ...]
    source: str


# -- parsing -------------------------------------------------------------------------------------------

def read_allowed_signers(text: str, source: str) -> AllowedSignersFile:
    """Parse allowed-signers text; a ConfigError names `source:line`, what is wrong and the fix."""
    signers: list[AllowedSigner] = []
    warnings: list[str] = []
    # Only "\n" ends a line, as for ssh-keygen (str.splitlines would also split on \f, \x1c, \u2028, ...).
    for number, raw in enumerate(text.split("\n"), start=1):
        parsed = _parse_line(raw, source, number)
        if isinstance(parsed, AllowedSigner):
            signers.append(parsed)
        elif isinstance(parsed, str):
            warnings.append(parsed)
    return AllowedSignersFile(tuple(signers), tuple(warnings), source)


def parse_allowed_signers(text: str, source: str) -> tuple[AllowedSigner, ...]:
    """The usable entries of allowed-signers text (use `read_allowed_signers` to see skipped lines)."""
    return read_allowed_signers(text, source).signers


def load_allowed_signers(path: Path) -> AllowedSignersFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: allowed signers file not found",
                          "create it (`gatekeeper` can generate it from the device registry) "
                          "or fix the `allowed_signers:` path in the policy") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read allowed signers file: {exc}",
                          "make the file readable UTF-8 text") from None
    return read_allowed_signers(text, str(path))


def _parse_line(raw: str, source: str, number: int) -> AllowedSigner | str | None:
    """An entry, a warning (the line is skipped), or None for blank and comment lines."""
    where = f"{source}:{number}"

    def fail(problem: str, fix: str = "") -> ConfigError:
        return ConfigError(f"{where}: {problem}", fix or f"fix the line: {_FORMAT_HELP}")

    line = raw.strip(" \t\r\n")
    if not line or line.startswith("#"):
        return None
    if any(ord(c) < 0x20 and c != "\t" for c in line):
        raise fail("malformed line: contains a control character")

    # principals: one token, or a double-quoted string
    if line.startswith('"'):
        end = line.find('"', 1)
        if end < 0:
            raise fail("malformed line: unterminated quote in the principals field")
        principals_text, rest = line[1:end], line[end + 1 :]
        if rest and rest[0] not in " \t":
            raise fail("malformed line: expected whitespace after the quoted principals")
    else:
        principals_text, _, rest = _split_token(line)
    rest = rest.lstrip(" \t")
    if not rest:
        raise fail("malformed line: expected principals, then a key (only one field found)")
    principals = tuple(principals_text.split(","))
    if any(not p for p in principals):
        raise fail(f"malformed line: empty principal in {principals_text!r}",
                   "separate principals with single commas, e.g. `a@example.com,b@example.com`")

    # options, when the next token is not a key type (options always contain `=`, `,` or are a flag)
    namespaces: tuple[str, ...] | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    cert_authority = False
    token = _split_token(rest)[0]
    if token not in KEY_TYPES and ("=" in token or "," in token or token.lower() == "cert-authority"):
        options_text, rest = _take_options(rest, fail)
        seen: set[str] = set()
        for option in _split_options(options_text, fail):
            name, eq, value = option.partition("=")
            name = name.lower()
            if name not in OPTION_NAMES:
                raise fail(f"unknown option {name!r} (expected one of: {', '.join(OPTION_NAMES)})")
            if name in seen:
                raise fail(f"option {name!r} is given twice")
            seen.add(name)
            if name == "cert-authority":
                if eq:
                    raise fail("option 'cert-authority' takes no value")
                cert_authority = True
                continue
            if not (eq and len(value) >= 2 and value.startswith('"') and value.endswith('"')):
                raise fail(f"option {name!r} needs a double-quoted value, e.g. {name}=\"...\"")
            value = value[1:-1]
            if name == "namespaces":
                namespaces = tuple(value.split(","))
                if any(not ns for ns in namespaces):
                    raise fail(f"bad option namespaces={option[len(name) + 1:]}: empty namespace",
                               'list namespaces separated by single commas, e.g. namespaces="git"')
            elif name == "valid-after":
                valid_after = _parse_time(value, name, fail)
            else:
                valid_before = _parse_time(value, name, fail)
        rest = rest.lstrip(" \t")
        if not rest:
            raise fail("malformed line: options but no key")
    if valid_after is not None and valid_before is not None and valid_before < valid_after:
        raise fail("valid-before is earlier than valid-after", "swap or correct the two dates")

    key_type, _, rest = _split_token(rest)
    key_text, _, _comment = _split_token(rest.lstrip(" \t"))
    if key_type not in KEY_TYPES:
        raise fail(f"unknown key type {_clip(key_type)!r}",
                   f"use a public key line as in the .pub file (key types: {', '.join(PLAIN_KEY_TYPES)})")
    if not key_text:
        raise fail(f"malformed line: the {key_type} key has no base64 key data")
    try:
        blob = decode_key_blob(key_type, key_text)
    except ValueError as exc:
        raise fail(str(exc), "copy the key line unchanged from the signer's .pub file") from None
    if cert_authority:
        return (f"{where}: cert-authority entries are not supported; the line is ignored "
                "(signatures by keys it certifies count as untrusted)")
    return AllowedSigner(principals, key_type, base64.b64encode(blob).decode("ascii"), namespaces,
                         valid_after, valid_before, number, source)


def _split_token(text: str) -> tuple[str, str, str]:
    """First whitespace-delimited token, the separator, and the rest."""
    match = re.match(r"([^ \t]*)([ \t]*)(.*)$", text, re.DOTALL)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)


def _take_options(text: str, fail: _Fail) -> tuple[str, str]:
    """Split off the options field: up to the first whitespace outside double quotes."""
    quoted = False
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in " \t" and not quoted:
            return text[:i], text[i:]
    if quoted:
        raise fail("bad option: unterminated double quote")
    return text, ""


def _split_options(text: str, fail: _Fail) -> list[str]:
    options: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            options.append("".join(current))
            current = []
        else:
            current.append(char)
    options.append("".join(current))
    if any(not option for option in options):
        raise fail(f"bad option list {text!r}: empty option", "separate options with single commas")
    return options


def _parse_time(value: str, name: str, fail: _Fail) -> datetime:
    """ssh-keygen's YYYYMMDD[HHMM[SS]][Z]: UTC with `Z`, otherwise local time (as ssh-keygen reads it)."""
    match = _TIME_RE.match(value)
    problem = f"bad date in {name}=\"{value}\" (expected YYYYMMDD[HHMM[SS]][Z])"
    fix = f'write e.g. {name}="20270131Z" (Z = UTC)'
    if match is None:
        raise fail(problem, fix)
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise fail(problem, fix) from None
    moment = moment.replace(tzinfo=UTC) if utc else moment.astimezone()
    if moment.timestamp() <= 0:
        # ssh-keygen refuses a time at or before the epoch: the line then trusts no key (red128b).
        raise fail(f"{name}=\"{value}\" is at or before 1970-01-01 (ssh-keygen refuses such a time)", fix)
    return moment


# -- keys ----------------------------------------------------------------------------------------------

def decode_key_blob(key_type: str, key_b64: str) -> bytes:
    """The key blob of a public key line's base64 field; ValueError says what is wrong with it."""
    if not _B64_CHARS.match(key_b64):
        raise ValueError(f"the {key_type} key is not valid base64")
    try:
        blob = base64.b64decode(key_b64, validate=True)
    except binascii.Error:
        raise ValueError(f"the {key_type} key is not valid base64") from None
    if base64.b64encode(blob).decode("ascii") != key_b64:
        # OpenSSH decodes only the canonical form: no padding beyond the data's, no bits set past its last byte
        # (red128b: git refused such a line, the gate trusted it).
        raise ValueError(f"the {key_type} key is not in canonical base64 (extra padding or trailing bits)")
    embedded = key_blob_type(blob)
    if embedded is None:
        raise ValueError(f"the {key_type} key data is truncated or not an SSH public key")
    if embedded != key_type:
        raise ValueError(f"the key data is a {embedded!r} key but the line says {key_type!r}")
    return blob


def key_blob_type(blob: bytes) -> str | None:
    """The algorithm name an SSH key blob starts with, or None when it is not one."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length == 0 or length > 64 or len(blob) < 4 + length:
        return None
    try:
        return blob[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


def ssh_fingerprint(blob: bytes) -> str:
    """`SHA256:` + unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def parse_public_key_line(line: str) -> tuple[str, str, str]:
    """`keytype base64 [comment]` → (key type, canonical base64, comment); ValueError says what is wrong."""
    key_type, _, rest = _split_token(line.strip())
    key_text, _, comment = _split_token(rest)
    if not key_type or not key_text:
        raise ValueError("expected an SSH public key line `keytype base64-key [comment]`")
    if key_type not in KEY_TYPES:
        raise ValueError(f"unknown key type {key_type!r} (expected one of: {', '.join(PLAIN_KEY_TYPES)})")
    blob = decode_key_blob(key_type, key_text)
    return key_type, base64.b64encode(blob).decode("ascii"), comment.strip()


# -- queries -------------------------------------------------------------------------------------------

def signers_for_key(signers: Iterable[AllowedSigner], key_b64: str) -> tuple[AllowedSigner, ...]:
    """Every entry for this key (canonical base64 of the blob), whatever its namespaces and dates."""
    return tuple(s for s in signers if s.key_b64 == key_b64)


def principals_for_key(signers: Iterable[AllowedSigner], key_b64: str, *, at: datetime,
                       namespace: str = "git") -> tuple[str, ...]:
    """Principals that may sign `namespace` with this key at `at` (empty: the key is not trusted)."""
    found: list[str] = []
    for signer in signers_for_key(signers, key_b64):
        if signer.allows_namespace(namespace) and signer.is_valid_at(at):
            found.extend(p for p in signer.principals if p not in found)
    return tuple(found)


def match_pattern_list(value: str, patterns: Iterable[str]) -> bool:
    """OpenSSH's match_pattern_list: `*`/`?` wildcards, a leading `!` negates and wins."""
    matched = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _match_pattern(value, pattern[1:] if negated else pattern):
            if negated:
                return False
            matched = True
    return matched


def _match_pattern(value: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


# -- writing -------------------------------------------------------------------------------------------

def format_allowed_signer(principal: str, public_key_line: str) -> str:
    """One allowed-signers line granting `principal` git signing with the key (no trailing newline).

    The key's comment is dropped: it is free text from the key owner and has no meaning to ssh-keygen.
    """
    if not principal or any(c in principal for c in ' \t",#') or not principal.isprintable():
        raise ConfigError(f"invalid principal {principal!r}: it must be one word without spaces, quotes, "
                          "commas or '#'", "use the signer's email address as the principal")
    try:
        key_type, key_b64, _comment = parse_public_key_line(public_key_line)
    except ValueError as exc:
        raise ConfigError(f"invalid public key: {exc}",
                          "pass the single line of the signer's .pub file, e.g. `ssh-ed25519 AAAA... comment`",
                          ) from None
    return f'{principal} namespaces="git" {key_type} {key_b64}'


def as_utc(moment: datetime) -> datetime:
    """Aware datetimes in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _iso(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Fail(Protocol):
    """The `fail(problem, fix="")` closure that builds a line-numbered ConfigError."""

    def __call__(self, problem: str, fix: str = "") -> ConfigError: ...
