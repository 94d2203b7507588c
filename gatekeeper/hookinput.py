"""What git writes on a hook's stdin, parsed strictly: pre-receive's `old new ref` lines (and the updates
they become under the names of the refs that really move) and pre-push's
`<local ref> <local sha> <remote ref> <remote sha>` lines.

The lines come from git, but the ref names in them are the pusher's: every line is validated (ids are
40 or 64 lowercase hex digits, refs under refs/ without control characters or `..`, bounded), and a
line that is not what git writes refuses the push (exit 4) instead of being guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gatekeeper.config import Policy
from gatekeeper.errors import GatekeeperError
from gatekeeper.git import Git, classify_update
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Finding, RefUpdate, Severity, is_sha
from gatekeeper.sanitize import safe

_BAD_REF = lazy(r"[\x00-\x20\x7f]")
MAX_REF_LENGTH = 4096


class InputError(GatekeeperError):
    """The hook's stdin is not what git writes: refuse the push (exit 4) instead of guessing."""


# -- pre-receive ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RawUpdate:
    old: str
    new: str
    ref: str


def parse_input(data: bytes) -> list[RawUpdate]:
    """Every `old new ref` line, validated; InputError names the first bad line."""
    if data and not data.endswith(b"\n"):
        data += b"\n"
    updates: list[RawUpdate] = []
    for number, raw in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            # git takes any byte from 0x80 up in a ref name; decoded with replacement, `release/\xfe` and
            # `release/\xff` were one name here and one update's commits took the other's place (red37).
            shown = raw.rsplit(b" ", 1)[-1].decode("utf-8", "backslashreplace")
            raise InputError(f"stdin line {number}: ref name not UTF-8: '{safe(shown, limit=120)}'",
                             "name the ref in UTF-8 (gatekeeper refuses ref names it cannot read as text: "
                             "two of them can read alike)") from None
        fields = line.split(" ")
        if len(fields) != 3:
            raise InputError(f"stdin line {number} is not `<old> <new> <ref>`: {safe(line, limit=80)!r}",
                             "gatekeeper pre-receive must be run by git as the pre-receive hook")
        old, new, ref = fields
        for name, sha in (("old", old), ("new", new)):
            if not is_sha(sha):
                raise InputError(f"stdin line {number}: {name} object id {safe(sha, limit=80)!r} is not a "
                                 "40- or 64-digit lowercase hex id", "run gatekeeper as git's pre-receive hook")
        if len(old) != len(new):
            raise InputError(f"stdin line {number}: old and new object ids differ in length",
                             "run gatekeeper as git's pre-receive hook")
        if not ref.startswith("refs/") or len(ref) > MAX_REF_LENGTH or _BAD_REF.search(ref) or ".." in ref:
            raise InputError(f"stdin line {number}: invalid ref name {safe(ref, limit=80)!r}",
                             "push to a ref under refs/ without control characters")
        updates.append(RawUpdate(old, new, ref))
    return updates


def classify(git: Git, raw: Sequence[RawUpdate], policy: Policy) -> tuple[tuple[RefUpdate, ...], list[Finding]]:
    """The push's updates under the names of the refs that really move.

    A symbolic ref on the server (`refs/heads/trunk` -> `refs/heads/main`) moves its target: the update
    is judged as the target (and also as the name pushed when that name is protected itself), and the
    pusher is told.
    """
    aliases = git.symref_targets([u.ref for u in raw])
    updates: list[RefUpdate] = []
    notes: list[Finding] = []
    for u in raw:
        names = [u.ref]
        target = aliases.get(u.ref)
        if target is not None:
            names = [target, u.ref] if policy.is_protected(u.ref) else [target]
            notes.append(Finding(
                "policy/ref-alias", Severity.INFO,
                f"{safe(u.ref, limit=200)} is a symbolic ref to {safe(target, limit=200)} on the server: judged as "
                f"{safe(target, limit=200)}", fix="push to the branch itself",
            ).with_fingerprint(u.ref, target))
        for name in names:
            updates.append(RefUpdate(ref=name, old=u.old, new=u.new, kind=classify_update(git, u.old, u.new, name)))
    return tuple(updates), notes


# -- pre-push ---------------------------------------------------------------------------------------

class PrePushInputError(GatekeeperError):
    """stdin is not what git writes to a pre-push hook."""


@dataclass(frozen=True, slots=True)
class PushLine:
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_pre_push(data: bytes) -> list[PushLine]:
    lines: list[PushLine] = []
    # Lines end at git's newline only (str.splitlines() also breaks at U+2028 and U+0085, which a ref name may
    # hold); bytes that are not UTF-8 are read as \xNN, as git.refs.ref_name reads them (two names never alike).
    rows = data.decode("utf-8", "backslashreplace").split("\n")
    if rows[-1] == "":
        rows.pop()
    for number, line in enumerate(rows, start=1):
        fields = line.split(" ")
        if len(fields) != 4 or not is_sha(fields[1]) or not is_sha(fields[3]):
            raise PrePushInputError(f"stdin line {number} is not `<local ref> <sha> <remote ref> <sha>`: "
                                    f"{safe(line, limit=80)!r}", "gatekeeper pre-push must be run by git")
        if any(ord(c) < 32 for c in fields[0] + fields[2]):
            raise PrePushInputError(f"stdin line {number}: control characters in a ref name",
                                    "gatekeeper pre-push must be run by git")
        lines.append(PushLine(*fields))
    return lines
