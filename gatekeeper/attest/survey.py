"""What `gatekeeper audit` shows per revision: does it carry an attestation, at which level, verified?

Read in windows, like the rest of the audit: one listing of the notes ref, then only the notes of
revisions that have one. Without a trusted key the level is what the note claims (`verified: null`);
with one, each note's signatures, subject and provenance link are checked (its own link — the chain is
`attest verify`'s job).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatekeeper.attest.controls import parse_level
from gatekeeper.attest.envelope import decode_payload_unverified
from gatekeeper.attest.statements import VSA_TYPE
from gatekeeper.attest.store import ATTESTATIONS_REF, read_bundles
from gatekeeper.attest.verify import ChainError, verify_link
from gatekeeper.git import Git

if TYPE_CHECKING:
    from securesystemslib.signer import Key  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AttestationFact:
    level: int | None  # None: a note that names no readable level
    verified: bool | None  # None: no trusted key was given
    problem: str | None = None


class AttestationIndex:
    def __init__(self, git: Git, keys: Sequence[Key] = (), resource_uri: str | None = None) -> None:
        self.git = git
        self.keys = list(keys)
        self.resource_uri = resource_uri  # with keys: a note naming another repository is not verified
        self.present = git.notes_shas(ATTESTATIONS_REF)

    def lookup(self, shas: Iterable[str]) -> dict[str, AttestationFact]:
        wanted = [sha for sha in shas if sha in self.present]
        if not wanted:
            return {}
        facts: dict[str, AttestationFact] = {}
        for sha, bundle in read_bundles(self.git, wanted).items():
            if self.keys:
                try:
                    link, info, _ = verify_link(bundle, self.keys)
                    if self.resource_uri is not None and info["resource_uri"] != self.resource_uri:
                        raise ChainError(f"the attestation is for {str(info['resource_uri'])[:200]!r}, not "
                                         f"{self.resource_uri[:200]!r}")
                    facts[sha] = AttestationFact(link.level, True)
                except ChainError as exc:
                    facts[sha] = AttestationFact(_claimed(bundle.of_type(VSA_TYPE)), False, str(exc))
            else:
                facts[sha] = AttestationFact(_claimed(bundle.of_type(VSA_TYPE)), None)
        return facts


def _claimed(envelopes: list[dict[str, object]]) -> int | None:
    if len(envelopes) != 1:
        return None
    statement = decode_payload_unverified(dict(envelopes[0])) or {}
    predicate = statement.get("predicate")
    levels = predicate.get("verifiedLevels") if isinstance(predicate, dict) else None
    parsed = parse_level(levels) if isinstance(levels, list) else None
    return parsed[0] if parsed else None
