"""The decision log's record format: entries, records, the hash chain, and the Store protocol.

The leaf both stores (sqlite_store, postgres_store) and decisionlog build on, so the stores never import
decisionlog, which opens them (`open_log`). decisionlog re-exports every name here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from gatekeeper.errors import GatekeeperError
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import ExitCode

FORMAT_NAME = "gatekeeper-decision-log"
FORMAT_VERSION = 1
GENESIS = "0" * 64
MAX_COMMITS_PER_RECORD = 10_000  # the verdict digest still covers every commit; the index lists these
# A PostgreSQL URL anywhere in a text (an error message quotes it), whatever the scheme's case.
# (Also the forms a path reading of one leaves: `postgresql:/user:pw@host`, `//` collapsed.)
_PG_URL = lazy(r"postgres(?:ql)?:/{1,2}\S*", re.IGNORECASE)
_SCHEME = lazy(":/{1,2}")
# A libpq key=value conninfo (`host=db password=…`) given where a URL was meant: its password hidden too.
_CONNINFO_PASSWORD = lazy(r"(\b(?:ssl)?password\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE)
# Query parameters whose values are fit to print; every other value (password, sslpassword, passfile, a
# parameter libpq adds tomorrow) is replaced.
_SHOWN_PARAMS = frozenset({"host", "hostaddr", "port", "dbname", "user", "sslmode", "connect_timeout",
                           "application_name", "target_session_attrs"})


class LogError(GatekeeperError):
    """The decision log cannot be opened, read or written (exit 4: could not evaluate)."""

    exit_code = ExitCode.CANNOT_EVALUATE


def redact_url(target: str) -> str:
    """A log location, or a message quoting one, fit to print: in every `postgresql://` URL the password of
    the user part (up to its last `@`, so an unencoded `@` in a password hides the rest) and the value of
    every query parameter but a few harmless ones (libpq takes `?password=` too) are replaced by `***`."""
    return _CONNINFO_PASSWORD.sub(r"\g<1>***", _PG_URL.sub(lambda m: _redact_one(m.group(0)), target))


def redact_location(url: str) -> str:
    """A whole `postgresql://` location fit to print (redact_url reads URLs out of free text, each up to a
    space: a password with an unencoded space would show past it, red62)."""
    whole = url.strip()
    return _CONNINFO_PASSWORD.sub(r"\g<1>***", _redact_one(whole)) if _PG_URL.match(whole) else redact_url(url)


def _userinfo(rest: str) -> tuple[str, str]:
    """(user part, the rest from the host on) of a URL after its `scheme://`, split at its LAST `@`: what any
    reading of the URL may take for credentials is in the user part — libpq ends it at the first `@` or `/`
    and takes a `?` into the password (red65), a person writes a `/`, `@` or space in one unencoded (red62).
    An `@` in a database name or a query value hides more than it must, never less. ("", rest) without `@`."""
    at = rest.rfind("@")
    return (rest[:at], rest[at + 1 :]) if at >= 0 else ("", rest)


def _user_shown(userinfo: str) -> str:
    """The user name of a user part as printed: up to its first `:` (or anything a URL parser splits at), the
    rest hidden."""
    name = re.match(r"[^:/?#&@\s]*", userinfo)
    shown = name.group(0) if name else ""
    return shown + (":***" if len(shown) < len(userinfo) else "")


def _redact_one(url: str) -> str:
    scheme, rest = _SCHEME.split(url, 1)
    userinfo, rest = _userinfo(rest)
    cut = re.search(r"[/?#]", rest)
    netloc, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    if userinfo:
        netloc = f"{_user_shown(userinfo)}@{netloc}"
    path, qmark, query = tail.partition("?")
    if qmark:
        fragment = ""
        if "#" in query:
            query, _, fragment = query.partition("#")
            fragment = "#***"
        pairs = []
        for pair in query.split("&"):
            key, eq, _value = pair.partition("=")
            pairs.append(pair if not eq or key.strip().lower() in _SHOWN_PARAMS else f"{key}=***")
        path = f"{path}?{'&'.join(pairs)}{fragment}"
    elif "#" in path:
        path = path.partition("#")[0] + "#***"
    return f"{scheme}://{netloc}{path}"


def url_secrets(url: str) -> list[str]:
    """The secrets a `postgresql://` URL holds (its password, the query values redact_url hides), as written
    and percent-decoded, longest first: replaced wherever a message quotes them apart from the URL (libpq
    echoes a malformed part on its own). Every reading's: the user part to the last `@` (_userinfo), libpq's
    (to the first `@` before any `/`), and every `key=value` after the first `?`, wherever it stands."""
    from urllib.parse import unquote

    url = url.strip()
    if not _PG_URL.match(url):
        return []
    rest = _SCHEME.split(url, 1)[1]
    found: list[str] = []
    libpq = re.match(r"[^@/]*@", rest)
    for userinfo in {_userinfo(rest)[0], libpq.group(0)[:-1] if libpq else ""}:
        name = re.match(r"[^:/?#&@\s]*", userinfo)
        password = userinfo[name.end() if name else 0 :].lstrip(":")
        if password:
            # The whole, and each piece between the characters a URL parser splits at: libpq may quote a part.
            found.extend([password, *re.split(r"[\s/@#?:&=]+", password)])
    query = rest.partition("?")[2].partition("#")[0]
    for pair in re.split(r"[&?]", query) if query else ():
        key, eq, value = pair.partition("=")
        if eq and key.strip().lower() not in _SHOWN_PARAMS:
            found.append(value)
    forms = {form for value in found for form in (value, unquote(value)) if len(form) >= 3}
    return sorted(forms, key=len, reverse=True)


def is_postgres(target: str) -> bool:
    return target.strip().lower().startswith(("postgresql://", "postgres://"))


def pg_url(target: str) -> str:
    """A `postgresql://` location as libpq reads it: stripped, its scheme in lower case (red62: `POSTGRESQL://`
    was taken for a file name, and the file error printed the password)."""
    target = target.strip()
    scheme, sep, rest = target.partition("://")
    return f"{scheme.lower()}{sep}{rest}"


def canonical(value: Any) -> bytes:
    """The one byte form every hash is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + body).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """What a caller appends: everything but the chain fields, which the store fills in under its lock."""

    repository: str
    mode: str  # "pre-receive", "local", "action"
    event: str  # "decision", "timeout", "error", "legacy-hook"
    decision: str  # "allow", "warn", "block", "error"
    exit_code: int
    refs: tuple[tuple[str, str, str, str], ...] = ()  # (ref, old, new, kind)
    pusher: str | None = None
    commits: tuple[str, ...] = ()
    blocking_rules: tuple[str, ...] = ()
    verdict_json: str | None = None  # the full JSON verdict; its digest goes into the chain
    detail: Mapping[str, Any] = field(default_factory=dict)  # forge, push options, error, range, policy source
    time: dt.datetime | None = None

    def body(self, seq: int, prev_hash: str, when: dt.datetime) -> dict[str, Any]:
        digest = None if self.verdict_json is None else hashlib.sha256(self.verdict_json.encode("utf-8")).hexdigest()
        return {
            "format": FORMAT_VERSION,
            "repository": self.repository,
            "seq": seq,
            "time": when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "mode": self.mode,
            "event": self.event,
            "decision": self.decision,
            "exit_code": int(self.exit_code),
            "refs": [{"ref": r, "old": o, "new": n, "kind": k} for r, o, n, k in self.refs],
            "pusher": self.pusher,
            "commits": list(self.commits[:MAX_COMMITS_PER_RECORD]),
            "commits_total": len(self.commits),
            "blocking_rules": sorted(set(self.blocking_rules)),
            "verdict_digest": digest,
            "detail": dict(self.detail),
            "prev_hash": prev_hash,
        }


@dataclass(frozen=True, slots=True)
class Record:
    """One stored record as read back: its body exactly as hashed, and the columns beside it."""

    id: int
    repository: str
    seq: int
    body: str  # canonical JSON, the bytes the hash covers
    verdict: str | None
    prev_hash: str
    hash: str

    def parsed(self) -> dict[str, Any] | None:
        """The hashed body as a mapping; None when it is not a JSON object (an edited record)."""
        try:
            parsed = json.loads(self.body)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None

    def data(self) -> dict[str, Any]:
        """The hashed body as a mapping, empty when it is not one (see parsed)."""
        return self.parsed() or {}

    def believable(self) -> dict[str, Any] | None:
        """The body, when it is a JSON object that says it is this very record: the repository and sequence
        number a reader selects by are columns no hash covers, so a record is taken as a repository's only where
        its hashed body agrees (red41: a record relabelled into another chain by two column updates)."""
        data = self.parsed()
        if data is None or data.get("repository") != self.repository or data.get("seq") != self.seq \
                or chain_hash(self.prev_hash, self.body.encode("utf-8")) != self.hash:
            return None
        return data

    def label(self) -> str:
        return f"record #{self.seq} of {self.repository!r} (row id {self.id})"


@dataclass(frozen=True, slots=True)
class Head:
    repository: str
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Admission:
    """A record that judged a commit: how "which decision admitted this commit" is answered."""

    repository: str
    seq: int
    decision: str
    mode: str
    time: str
    ref: str | None


class Store(Protocol):
    target: str  # printable (password redacted)

    def append(self, entry: Entry) -> Record: ...

    def repositories(self) -> list[str]: ...

    def records(self, repository: str | None = None) -> Iterator[Record]: ...

    def heads(self) -> dict[str, Head]: ...

    def admissions(self, shas: Sequence[str]) -> dict[str, list[Admission]]: ...

    def index(self, repository: str) -> Iterator[tuple[int, str]]: ...

    def snapshot(self) -> contextlib.AbstractContextManager[None]:
        """Reads inside see one consistent state of the log, whatever is appended meanwhile."""
        ...

    def close(self) -> None: ...


def new_record(entry: Entry, seq: int, prev_hash: str, row_id: int = 0) -> Record:
    when = entry.time or dt.datetime.now(dt.UTC)
    body = canonical(entry.body(seq, prev_hash, when)).decode("utf-8")
    return Record(row_id, entry.repository, seq, body, entry.verdict_json, prev_hash,
                  chain_hash(prev_hash, body.encode("utf-8")))



def admission_from_body(repository: object, seq: object, body: object, sha: str, prev_hash: object = None,
                        digest: object = None) -> Admission | None:
    """An Admission from a stored record's columns (both stores index the same body), or None when the body does
    not list the commit the index row names: no hash covers the index, so a row is believed only where the
    hashed record backs it (red26: a row moved to an `allow` record made a refused commit look admitted)."""
    if digest is not None and chain_hash(str(prev_hash), str(body).encode("utf-8", "surrogateescape")) != digest:
        return None  # a body edited without its hash (`log verify` names it): not believed either
    try:
        data = json.loads(str(body))
    except (ValueError, RecursionError):
        return None
    # The hashed body must say it is this record: repository and seq are columns no hash covers (red41).
    if not isinstance(data, dict) or data.get("repository") != repository or data.get("seq") != seq \
            or type(seq) is not int or seq < 1:
        return None  # (a chain starts at #1: a record numbered below it is none of the gate's — red137)
    commits = data.get("commits")
    if not isinstance(commits, list) or sha not in commits:
        return None
    refs = data.get("refs")
    first = refs[0] if isinstance(refs, list) and refs else None
    ref = first.get("ref") if isinstance(first, dict) else None
    return Admission(str(repository), seq, str(data.get("decision", "?")), str(data.get("mode", "?")),
                     str(data.get("time", "")), ref if isinstance(ref, str) else None)
