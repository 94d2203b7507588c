"""The two in-toto Statements (v1) gatekeeper writes for an admitted revision.

- **Source provenance** (`PROVENANCE_TYPE`, gatekeeper's own documented predicate; SLSA v1.2 leaves
  source provenance formats to the source control system): who moved which ref from where to where,
  the activity, the controls in force and since when, and the digests of the verdict and the policy.
- **Verification Summary Attestation** (`https://slsa.dev/verification_summary/v1`): the Source Level
  and ORG_SOURCE_ properties, with the provenance as its input attestation.

Statements are plain data checked against the in-toto Statement v1 rules before signing (the
in-toto-attestation package's protobuf classes cost ~20 ms of import in the push hook, and its VSA
message predates VSA 1.1); tests validate both against gatekeeper/schema/*.schema.json.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import gatekeeper
from gatekeeper.attest.controls import CONTROL_NAMES, Controls, Level

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
VSA_TYPE = "https://slsa.dev/verification_summary/v1"
PROVENANCE_TYPE = "https://gatekeeper.invalid/attestation/source-provenance/v1"
DEFAULT_VERIFIER_ID = "urn:gatekeeper:gate"
SLSA_VERSION = "1.2"


@dataclass(frozen=True, slots=True)
class Admission:
    """One revision admitted to one ref: everything the statements say about it."""

    revision: str
    ref: str
    previous_tip: str | None
    activity: str  # push | force-push | pr-merge | attest
    actor: str | None
    resource_uri: str
    controls: Controls
    level: Level
    controls_since: Mapping[str, str]  # control name -> time it has held continuously since
    verdict_digest: str | None
    policy_digest: str | None
    policy_source: str
    start: bool
    previous_vsa_digest: str | None
    time: str


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _subject(admission: Admission) -> dict[str, Any]:
    return {"uri": _revision_uri(admission), "digest": {"gitCommit": admission.revision},
            "annotations": {"sourceRefs": [admission.ref]}}


def _revision_uri(admission: Admission) -> str:
    return f"{admission.resource_uri}@{admission.revision}"


class StatementError(ValueError):
    pass


def _statement(subject: dict[str, Any], predicate_type: str, predicate: dict[str, Any]) -> dict[str, Any]:
    """An in-toto Statement v1, checked as the spec requires: a subject with a digest set of non-empty
    values, a predicateType, an object predicate."""
    digest = subject.get("digest")
    if not isinstance(digest, dict) or not digest or not all(isinstance(v, str) and v for v in digest.values()):
        raise StatementError("a subject needs a non-empty digest set")
    if not predicate_type:
        raise StatementError("predicateType is required")
    return {"_type": STATEMENT_TYPE, "subject": [subject], "predicateType": predicate_type,
            "predicate": predicate}


def provenance_statement(admission: Admission) -> dict[str, Any]:
    c = admission.controls
    predicate: dict[str, Any] = {
        "activity": admission.activity,
        "actor": admission.actor,
        "ref": admission.ref,
        "previousTip": admission.previous_tip,
        "time": admission.time,
        "verdict": {"decision": c.decision, "bypassed": c.bypassed,
                    "digest": {"sha256": admission.verdict_digest} if admission.verdict_digest else None},
        "policy": {"source": admission.policy_source,
                   "digest": {"sha256": admission.policy_digest} if admission.policy_digest else None},
        "controls": {name: {"enforced": bool(getattr(c, name)), "since": admission.controls_since.get(name)}
                     for name in CONTROL_NAMES},
        "level": {"value": admission.level.level, "properties": list(admission.level.properties),
                  "reasons": list(admission.level.reasons)},
        "continuity": {"start": admission.start,
                       "previousAttestation": ({"sha256": admission.previous_vsa_digest}
                                               if admission.previous_vsa_digest else None)},
        "builder": {"id": "gatekeeper", "version": gatekeeper.__version__},
    }
    return _statement(_subject(admission), PROVENANCE_TYPE, predicate)


def vsa_statement(admission: Admission, *, provenance_digest: str, verifier_id: str) -> dict[str, Any]:
    policy: dict[str, Any] = {"uri": admission.policy_source or "built-in default"}
    if admission.policy_digest:
        policy["digest"] = {"sha256": admission.policy_digest}
    predicate: dict[str, Any] = {
        "verifier": {"id": verifier_id, "version": {"gatekeeper": gatekeeper.__version__}},
        "timeVerified": admission.time,
        "resourceUri": admission.resource_uri,
        "policy": policy,
        "inputAttestations": [{"uri": f"{_revision_uri(admission)}#source-provenance",
                               "digest": {"sha256": provenance_digest}}],
        "verificationResult": "PASSED",
        "verifiedLevels": admission.level.verified_levels,
        "dependencyLevels": {},
        "slsaVersion": SLSA_VERSION,
    }
    return _statement(_subject(admission), VSA_TYPE, predicate)
