"""Where attestations live: git notes under `refs/notes/gatekeeper/attestations`, one note per revision.

A note is an in-toto bundle: JSON Lines, one DSSE envelope per line (the source provenance, then the
VSA), the shape `.intoto.jsonl` files and slsa-verifier-style tools read. Notes travel with
`git fetch origin refs/notes/gatekeeper/attestations:refs/notes/gatekeeper/attestations`. Pushers may
not write this ref: pre-receive refuses any update to `refs/notes/gatekeeper/*`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gatekeeper.attest import ATTESTATIONS_REF as ATTESTATIONS_REF  # defined light, for readers that only ask
from gatekeeper.attest.envelope import SignedStatement, decode_payload_unverified
from gatekeeper.errors import GitError
from gatekeeper.git import Git

RESERVED_PREFIX = "refs/notes/gatekeeper/"
MAX_NOTE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Bundle:
    """The envelopes of one note, by predicate type (read without verifying: verify.py does that)."""

    revision: str
    envelopes: tuple[tuple[str, dict[str, Any]], ...]  # (predicateType claimed by the payload, envelope)
    problems: tuple[str, ...] = ()  # lines that are not envelopes

    def of_type(self, predicate_type: str) -> list[dict[str, Any]]:
        return [env for kind, env in self.envelopes if kind == predicate_type]


def parse_bundle(revision: str, text: str) -> Bundle:
    envelopes: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            envelope = json.loads(line)
        except (ValueError, RecursionError):  # nested past the decoder's depth (red43) is not JSON either
            problems.append(f"line {number} is not JSON")
            continue
        if not isinstance(envelope, dict) or "payload" not in envelope:
            problems.append(f"line {number} is not a DSSE envelope")
            continue
        statement = decode_payload_unverified(envelope) or {}
        kind = statement.get("predicateType")
        envelopes.append((kind if isinstance(kind, str) else "", envelope))
    return Bundle(revision=revision, envelopes=tuple(envelopes), problems=tuple(problems))


def bundle_text(signed: Iterable[SignedStatement]) -> bytes:
    return "".join(json.dumps(s.envelope, sort_keys=True, separators=(",", ":")) + "\n" for s in signed).encode()


def read_bundles(git: Git, revisions: Iterable[str]) -> dict[str, Bundle]:
    """The attestation notes of `revisions` (absent ones are left out)."""
    tip = git.try_resolve_object(ATTESTATIONS_REF)
    if tip is None:
        return {}
    if git.object_type(tip) != "commit":
        raise GitError(f"{ATTESTATIONS_REF} points at a {git.object_type(tip)}, not a notes commit",
                       f"an administrator must repair it: `git update-ref -d {ATTESTATIONS_REF}` (attestations "
                       "written before were lost with it) or reset it to its last good notes commit")
    notes = git.notes(revisions, ref=ATTESTATIONS_REF, max_size=MAX_NOTE_BYTES)
    return {sha: parse_bundle(sha, text) for sha, text in notes.items()}


def read_bundle(git: Git, revision: str) -> Bundle | None:
    """One revision's attestation note, in one git call (the hook's path)."""
    data = git.note(ATTESTATIONS_REF, revision, max_size=MAX_NOTE_BYTES)
    return None if data is None else parse_bundle(revision, data.decode("utf-8", "replace"))


def write_bundle(git: Git, revision: str, signed: Iterable[SignedStatement]) -> None:
    git.write_note(ATTESTATIONS_REF, revision, bundle_text(signed))
