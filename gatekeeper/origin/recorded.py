"""Origin known only at push time, kept by the server for when those commits reach a protected ref later.

A push option (`git push -o origin-device=mobile`) or the forge's own metadata (GHES
`GITHUB_VIA=blob#save`, GitLab `GL_PROTOCOL=web`, a Gitea internal push) describes *that push*; it is
in no object. A commit pushed that way to a topic branch and fast-forwarded to main by a plain push
later would otherwise arrive at main with no origin evidence at all. So pre-receive records the
push-time evidence of each commit a push brings in the repository's own storage,
`$GIT_DIR/gatekeeper/push-origin/<id[:2]>/<id[2:]>` (one JSON line per piece of evidence), and every
later evaluation reads it back as `push-record` evidence.

Why a store beside the repository and not a notes ref: pre-receive cannot write refs (nothing moves
before every hook agrees, and git forbids ref updates inside the quarantine), a post-receive step runs
only after the refs moved — a failure there would lose the origin with the push already accepted, and
GitHub Enterprise Server runs no custom post-receive hooks at all. Written by pre-receive for the commits
a push brings as soon as they are known, before they are judged: the hook's watchdog may accept a push that
runs out of time (a granted break-glass, `on_timeout: warn`), and such a push must not arrive without its
origin either (red54); until the record is written the watchdog refuses, and a record that cannot be written
refuses the push (fail closed). Nothing a pusher sends can create, change or delete it (it is not a ref), so
it needs no push-side guard. A record for a push that is then refused (by the gate, another hook, or git)
describes exactly the new commit ids it offered, with the claims their pusher made — what pushing them to any
branch the gate accepts records anyway. Commits already in the repository that a push brings to a protected
ref are someone's history: what the push claims of them is recorded only once it is accepted (red57).

What a record says keeps the trust it had at push time (a push option is the pusher's declaration; a
GHES web edit is verified): the record is the server's, the claim is still whoever made it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from gatekeeper.errors import GatekeeperError
from gatekeeper.models import Commit, DeviceClass, Evidence, Trust
from gatekeeper.origin.base import OriginContext
from gatekeeper.sanitize import clip

STORE_DIR = "gatekeeper/push-origin"
# Evidence that exists only at push time: the push option detector and the forge (push metadata).
PUSH_TIME_SOURCES = ("push-option", "forge")
MAX_RECORDS = 32  # per commit: the same commit pushed again and again adds nothing new after this
# Per commit and (source, device class): distinct claims of one class (32 `desktop` claims differing in spaces,
# red38) do not fill a record; 2 sources x 5 classes x 3 stays within MAX_RECORDS.
MAX_PER_CLAIM = 3
# A record line holds at most ~700 characters of claim, client, device id and pusher (clipped below), each at
# most 12 bytes as JSON writes it (an escaped surrogate pair): ~8.5 KB a line, 32 lines well inside this. The
# writer never lets a file grow past it either (red38: an 86 KB record, read cut at 64 KB, was "damaged" and
# refused every later push of its commit).
MAX_RECORD_BYTES = 320 * 1024
FIX = ("make $GIT_DIR/gatekeeper/push-origin readable and writable by the user that runs git receive-pack; a "
       "damaged record file may be deleted by an administrator (the commits then lose their push-time origin)")
RECORD_FIX = ("make $GIT_DIR/gatekeeper/push-origin writable by the user that runs git receive-pack (it keeps push "
              "options and forge metadata for when the commits reach a protected ref), then push again")


class PushOriginStore:
    """Read and append the push-time origin records of one repository."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_git_dir(cls, git_dir: Path) -> PushOriginStore:
        return cls(git_dir / STORE_DIR)

    def _path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:]

    def commits(self) -> set[str]:
        """The commits that have a record (a history audit lists them first, then looks up only those);
        GatekeeperError when the store cannot be listed."""
        if not self.root.is_dir():
            return set()
        found: set[str] = set()
        try:
            for shard in self.root.iterdir():
                if len(shard.name) == 2 and shard.is_dir():
                    found.update(sha for entry in shard.iterdir() if _is_id(sha := shard.name + entry.name))
        except OSError as exc:
            raise GatekeeperError(f"cannot list the push-time origin records: {exc.strerror}", FIX) from None
        return found

    def lookup(self, shas: Iterable[str]) -> dict[str, tuple[Evidence, ...]]:
        """The recorded evidence per commit; GatekeeperError when a record exists but cannot be read."""
        if not self.root.is_dir():
            return {}
        result: dict[str, tuple[Evidence, ...]] = {}
        for sha in shas:
            if not _is_id(sha):
                continue
            try:
                data = _read(self._path(sha))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise GatekeeperError(f"cannot read the push-time origin record of {sha[:12]}: {exc.strerror}",
                                      FIX) from None
            evidence = _parse(data, sha)
            if evidence:
                result[sha] = evidence
        return result

    @staticmethod
    def _new_lines(existing: bytes, sha: str, fresh: Sequence[Evidence], pusher: str | None, stamp: str) -> list[str]:
        """The record lines `fresh` adds to a record holding `existing`: deduplicated, at most MAX_PER_CLAIM per
        (source, class) and MAX_RECORDS in all, the file kept within MAX_RECORD_BYTES."""
        records = _records(existing, sha)
        known = {(r.get("source"), r.get("device"), r.get("detail")) for r in records}
        per_claim = Counter((r.get("source"), r.get("device")) for r in records)
        size = len(existing)
        lines = []
        for e in fresh:
            assert e.device is not None
            claim = (e.source, e.device.value)
            if (*claim, e.detail) in known or len(known) >= MAX_RECORDS or per_claim[claim] >= MAX_PER_CLAIM:
                continue
            line = json.dumps({
                "v": 1, "source": e.source, "detail": clip(e.detail, 300), "trust": e.trust.value,
                "device": e.device.value, "device_id": clip(e.device_id, 100) if e.device_id else None,
                "client": clip(e.client, 100) if e.client else None, "at": stamp,
                "pusher": clip(pusher, 200) if pusher else None}, sort_keys=True) + "\n"
            if size + len(line) > MAX_RECORD_BYTES:
                continue
            known.add((*claim, e.detail))
            per_claim[claim] += 1
            size += len(line)
            lines.append(line)
        return lines

    def record(self, shas: Sequence[str], evidence: Sequence[Evidence], *, pusher: str | None,
               when: dt.datetime) -> int:
        """Append the push-time `evidence` (push_time_evidence: the same for every commit of a push) to the record
        of each commit (deduplicated); the number of commits written. OSError when the store cannot be written:
        the caller refuses the push."""
        written = 0
        stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        fresh = [e for e in evidence if e.source in PUSH_TIME_SOURCES and e.device is not None]
        if not fresh:
            return 0
        for sha in shas:
            if not _is_id(sha):
                continue
            path = self._path(sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            try:
                # Read, check and append under one exclusive lock: concurrent pushes of one commit each read the
                # record empty and each appended their full set, past what the reader reads (red39).
                fcntl.flock(fd, fcntl.LOCK_EX)
                existing = os.pread(fd, MAX_RECORD_BYTES, 0)
                lines = self._new_lines(existing, sha, fresh, pusher, stamp)
                if lines:
                    # One write per commit (appends of a few KB do not interleave between pushes either).
                    os.write(fd, "".join(lines).encode())
            finally:
                os.close(fd)  # releases the lock
            if not lines:
                continue
            written += 1
        return written


class PushTimeOrigin:
    """The push-time origin of one push (pre-receive): what its options and the forge's metadata say of every
    commit it brings, recorded in the store as soon as the engine knows those commits (Services.on_commits)."""

    def __init__(self, store: PushOriginStore, ctx: OriginContext, *, pusher: str | None, when: dt.datetime,
                 secrets: object = None, on_change: Callable[[tuple[str, ...], bool], None] | None = None) -> None:
        """`ctx`: the policy's aliases with the push's options and forge; `secrets`: the secrets scanner, whose
        redaction the record goes through (as the verdict shows the evidence); `on_change`: told the push's
        commits once known and whether a record is still to be written (the hook's watchdog reads it)."""
        self.store = store
        self.evidence = push_time_evidence(ctx)
        self.options = ctx.push_options
        self.pusher = pusher
        self.when = when
        self.secrets = secrets
        self.on_change = on_change
        self.arrived: list[str] = []  # commits already here that reach a protected ref: recorded once accepted

    def commits_known(self, new: Sequence[Commit], present: Sequence[Commit]) -> None:
        """Services.on_commits: record the commits the push brings now; what it claims of commits already in the
        repository only once it is accepted (`accepted`) — a refused push must not leave its claims on another's
        commits (red57)."""
        self.record([c.sha for c in new])
        self.arrived = [c.sha for c in present]
        if self.on_change is not None:
            self.on_change(tuple(c.sha for c in (*present, *new)), bool(self.evidence and self.arrived))

    def accepted(self) -> None:
        """The push was accepted: record what it claims of the commits already here."""
        arrived, self.arrived = self.arrived, []
        self.record(arrived)

    def record(self, shas: Sequence[str]) -> None:
        """Record the evidence for `shas`; GatekeeperError when the store cannot be written (refuse the push)."""
        if not self.evidence:
            return
        try:
            self.store.record(shas, self._redacted(), pusher=self.pusher, when=self.when)
        except OSError as exc:
            # Accepted without its push-time origin, these commits could reach main later as undeclared.
            raise GatekeeperError(f"could not record the push-time origin of this push: {exc.strerror or exc}",
                                  RECORD_FIX) from None

    def _redacted(self) -> list[Evidence]:
        """The evidence with every secret the push options or the evidence hold redacted (red15) — read in the
        options whole, as the clipped copy in the evidence may no longer look like one (engine._redact_names)."""
        redact_strings = getattr(self.secrets, "redact_strings", None)
        redact_text = getattr(self.secrets, "redact_text", None)
        if redact_strings is None or redact_text is None:
            return list(self.evidence)
        texts = [*self.options, *(t for e in self.evidence for t in (e.detail, e.device_id, e.client) if t)]
        if not redact_strings(texts):
            return list(self.evidence)
        return [dataclasses.replace(e, detail=redact_text(e.detail),
                                    device_id=redact_text(e.device_id) if e.device_id else e.device_id,
                                    client=redact_text(e.client) if e.client else e.client) for e in self.evidence]


def push_time_evidence(ctx: OriginContext) -> list[Evidence]:
    """The origin evidence a push carries for every one of its commits — its push options and the forge's push
    metadata (a web edit) — with a device class: what the store records. Known before any commit is read."""
    from gatekeeper.origin.declared import push_option_evidence
    from gatekeeper.origin.heuristics import forge_web_evidence

    return [e for e in (*push_option_evidence(ctx), *forge_web_evidence(ctx.forge))
            if e.source in PUSH_TIME_SOURCES and e.device is not None]


class RecordedOriginDetector:
    id = "push-record"
    description = ("push-time origin (push options, forge metadata) the server recorded when the commit was first "
                   "pushed; read again when it reaches a protected ref later")

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        return ctx.recorded.get(commit.sha, ())


def _is_id(sha: str) -> bool:
    return len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha)


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        return os.read(fd, MAX_RECORD_BYTES)
    finally:
        os.close(fd)


def _records(data: bytes, sha: str) -> list[Mapping[str, object]]:
    records: list[Mapping[str, object]] = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise GatekeeperError(f"the push-time origin record of {sha[:12]} is damaged (line {number})", FIX)
        records.append(record)
    return records


def _parse(data: bytes, sha: str) -> tuple[Evidence, ...]:
    evidence = []
    for record in _records(data, sha):
        try:
            device = DeviceClass(str(record["device"]))
            trust = Trust(str(record["trust"]))
        except (KeyError, ValueError):
            raise GatekeeperError(f"the push-time origin record of {sha[:12]} is damaged", FIX) from None
        who = f" by {record['pusher']}" if record.get("pusher") else ""
        detail = (f"recorded at push {record.get('at', '?')}{who}: {record.get('source', '?')}: "
                  f"{record.get('detail', '')}")
        evidence.append(Evidence(
            RecordedOriginDetector.id, clip(detail, 400), trust, device=device,
            device_id=_text(record.get("device_id")), client=_text(record.get("client"))))
    return tuple(evidence)


def _text(value: object) -> str | None:
    return clip(value, 100) if isinstance(value, str) and value else None
