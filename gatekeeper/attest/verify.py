"""`attest verify`: is this revision's attestation genuine, about this revision, and unbroken back to a start?

For each revision on the chain (the revision, then each provenance's `previousTip`, until a recorded
start): both envelopes verify with a trusted key; both statements are in-toto Statement v1 whose
subject is exactly this commit; the VSA's input attestation is this provenance; the provenance links
to the previous tip's VSA by digest; the previous tip is an ancestor of the revision; and no level or
property is higher than the previous tip's. Any failure names the revision and what was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from securesystemslib.signer import Key  # type: ignore[attr-defined]

from gatekeeper.attest.controls import parse_level
from gatekeeper.attest.envelope import EnvelopeError, envelope_digest, open_envelope
from gatekeeper.attest.statements import PROVENANCE_TYPE, STATEMENT_TYPE, VSA_TYPE
from gatekeeper.attest.store import Bundle, read_bundle, read_bundles
from gatekeeper.git import Git, is_sha

MAX_CHAIN = 1_000_000


@dataclass(frozen=True, slots=True)
class Link:
    revision: str
    ref: str | None
    level: int
    properties: tuple[str, ...]
    start: bool
    previous_tip: str | None
    key_ids: tuple[str, ...]
    time: str | None


@dataclass(frozen=True, slots=True)
class Result:
    revision: str
    verified: bool
    level: int | None  # the revision's verified level (None when nothing verified)
    properties: tuple[str, ...] = ()
    chain: tuple[Link, ...] = ()
    problems: tuple[str, ...] = ()
    resource_uri: str | None = None
    verifier_id: str | None = None
    vsa: dict[str, Any] | None = field(default=None)  # the revision's verified VSA statement


class ChainError(Exception):
    pass


def _check_statement(statement: dict[str, Any], revision: str, predicate_type: str, what: str) -> dict[str, Any]:
    if statement.get("_type") != STATEMENT_TYPE:
        raise ChainError(f"{what}: not an in-toto Statement v1 (_type {str(statement.get('_type'))[:60]!r})")
    if statement.get("predicateType") != predicate_type:
        raise ChainError(f"{what}: predicateType is {str(statement.get('predicateType'))[:80]!r}, "
                         f"expected {predicate_type}")
    subjects = statement.get("subject")
    digests = [_digest(s, "gitCommit") for s in subjects if isinstance(s, dict)] if isinstance(subjects, list) else []
    if digests != [revision]:
        shown = ", ".join(str(d)[:12] for d in digests) or "none"
        raise ChainError(f"{what}: its subject is commit {shown}, not {revision[:12]} (an attestation for "
                         "another commit)")
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict):
        raise ChainError(f"{what}: no predicate")
    return predicate


def _digest(item: dict[str, Any], algorithm: str) -> object:
    digest = item.get("digest")
    return digest.get(algorithm) if isinstance(digest, dict) else None


def _open_one(bundle: Bundle, predicate_type: str, keys: Sequence[Key], what: str
              ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    candidates = bundle.of_type(predicate_type)
    if not candidates:
        raise ChainError(f"{what}: missing from the note" + (f" ({'; '.join(bundle.problems)})"
                                                              if bundle.problems else ""))
    if len(candidates) > 1:
        raise ChainError(f"{what}: the note holds {len(candidates)} of them; exactly one is expected")
    envelope = candidates[0]
    try:
        statement, key_ids = open_envelope(envelope, keys)
    except EnvelopeError as exc:
        raise ChainError(f"{what}: {exc}") from exc
    return statement, envelope, key_ids


def verify_link(bundle: Bundle, keys: Sequence[Key]) -> tuple[Link, dict[str, Any], str]:
    rev = bundle.revision
    prov_stmt, prov_env, prov_keys = _open_one(bundle, PROVENANCE_TYPE, keys, f"{rev[:12]}: source provenance")
    vsa_stmt, vsa_env, vsa_keys = _open_one(bundle, VSA_TYPE, keys, f"{rev[:12]}: VSA")
    prov = _check_statement(prov_stmt, rev, PROVENANCE_TYPE, f"{rev[:12]}: source provenance")
    vsa = _check_statement(vsa_stmt, rev, VSA_TYPE, f"{rev[:12]}: VSA")
    if vsa.get("verificationResult") != "PASSED":
        raise ChainError(f"{rev[:12]}: VSA verificationResult is {str(vsa.get('verificationResult'))[:20]!r}")
    inputs = vsa.get("inputAttestations") or []
    linked = [_digest(i, "sha256") for i in inputs if isinstance(i, dict)] if isinstance(inputs, list) else []
    if envelope_digest(prov_env) not in linked:
        raise ChainError(f"{rev[:12]}: the VSA does not name this note's source provenance as its input")
    parsed = parse_level(vsa.get("verifiedLevels") or [])
    if parsed is None:
        raise ChainError(f"{rev[:12]}: the VSA's verifiedLevels do not name exactly one SLSA_SOURCE_LEVEL_N")
    level, props = parsed
    recorded = prov.get("level", {})
    if not isinstance(recorded, dict) or recorded.get("value") != level:
        raise ChainError(f"{rev[:12]}: the VSA's level {level} differs from the provenance's")
    continuity = prov.get("continuity") if isinstance(prov.get("continuity"), dict) else {}
    assert isinstance(continuity, dict)
    previous = prov.get("previousTip")
    if previous is not None and not (isinstance(previous, str) and is_sha(previous)):
        raise ChainError(f"{rev[:12]}: the provenance's previousTip is not a commit id")
    ref = prov.get("ref") if isinstance(prov.get("ref"), str) else None
    link = Link(revision=rev, ref=ref, level=level, properties=props, start=continuity.get("start") is True,
                previous_tip=previous, key_ids=tuple(sorted(set(prov_keys) | set(vsa_keys))),
                time=vsa.get("timeVerified") if isinstance(vsa.get("timeVerified"), str) else None)
    prev_digest = continuity.get("previousAttestation")
    prev_sha = prev_digest.get("sha256") if isinstance(prev_digest, dict) else None
    controls = prov.get("controls") if isinstance(prov.get("controls"), dict) else {}
    assert isinstance(controls, dict)
    since = {name: c["since"] for name, c in controls.items()
             if isinstance(c, dict) and c.get("enforced") is True and isinstance(c.get("since"), str)}
    return link, {"since": since, "vsa": vsa_stmt, "previous_vsa_digest": prev_sha,
                  "vsa_digest": envelope_digest(vsa_env), "resource_uri": vsa.get("resourceUri"),
                  "verifier": vsa.get("verifier")}, rev


def verify_revision(git: Git, revision: str, keys: Sequence[Key], *, min_level: int | None = None,
                    resource_uri: str | None = None) -> Result:
    """Verify `revision`'s attestation and its chain. Never raises for a bad attestation: the
    Result's problems say what failed. `resource_uri`: the repository the verifier checks for; every VSA of the
    chain must name it (red43: one key signing for several repositories made another repository's attestation,
    carried into this one's notes, verify here)."""
    ancestors = set(git.rev_list([revision]))
    bundles = read_bundles(git, ancestors)
    chain: list[Link] = []
    problems: list[str] = []
    head_info: dict[str, Any] = {}
    current: str | None = revision
    next_link: tuple[Link, dict[str, Any]] | None = None
    seen: set[str] = set()
    while current is not None and len(chain) < MAX_CHAIN:
        if current in seen:
            problems.append(f"{current[:12]}: the chain loops back on itself")
            break
        seen.add(current)
        bundle = bundles.get(current)
        if current not in ancestors:
            problems.append(f"{chain[-1].revision[:12] if chain else revision[:12]}: its previous tip {current[:12]} "
                            "is not one of its ancestors (an attestation for another history)")
            break
        if bundle is None:
            if chain:
                problems.append(f"{chain[-1].revision[:12]}: its previous tip {current[:12]} has no attestation, "
                                "yet it is not marked as a start (broken chain)")
            else:
                problems.append(f"{current[:12]}: no attestation (no note under refs/notes/gatekeeper/attestations;"
                                " fetch it, or the revision was never admitted by the gate)")
            break
        try:
            link, info, _ = verify_link(bundle, keys)
        except ChainError as exc:
            problems.append(str(exc))
            break
        if resource_uri is not None and info["resource_uri"] != resource_uri:
            problems.append(f"{current[:12]}: the attestation is for {str(info['resource_uri'])[:200]!r}, not "
                            f"{resource_uri[:200]!r} (an attestation of another repository)")
            break
        if next_link is not None:
            successor, succ_info = next_link
            if succ_info["previous_vsa_digest"] != info["vsa_digest"]:
                problems.append(f"{successor.revision[:12]}: its provenance links to a different attestation of "
                                f"{current[:12]} than the one stored (replaced or edited)")
                break
            if successor.level > link.level and not successor.start:
                problems.append(f"{successor.revision[:12]}: level {successor.level} is higher than its previous "
                                f"tip's {link.level} without a recorded start")
                break
            extra = set(successor.properties) - set(link.properties)
            if extra and not successor.start:
                problems.append(f"{successor.revision[:12]}: claims {', '.join(sorted(extra))} that its previous "
                                "tip lacks")
                break
        else:
            head_info = info
        chain.append(link)
        next_link = (link, info)
        if link.start or link.previous_tip is None or (link.level <= 1 and not link.properties):
            break  # a start, or a level-1 link: it claims nothing that depends on what came before
        current = link.previous_tip
    verified = not problems and bool(chain)
    head = chain[0] if chain else None
    level = head.level if head is not None and verified else None
    if verified and min_level is not None and (level or 0) < min_level:
        problems.append(f"{revision[:12]} is at SLSA Source level {level}, below the required {min_level}")
        verified = False
    return Result(revision=revision, verified=verified, level=level,
                  properties=head.properties if head is not None and level is not None else (),
                  chain=tuple(chain), problems=tuple(problems),
                  resource_uri=head_info.get("resource_uri") if head_info else None,
                  verifier_id=(head_info.get("verifier") or {}).get("id") if head_info else None,
                  vsa=head_info.get("vsa") if head_info else None)


def recorded_level(git: Git, revision: str, keys: Sequence[Key]
                   ) -> tuple[tuple[int, tuple[str, ...]] | None, str | None, dict[str, str]]:
    """The previous tip's verified (level, properties), its VSA envelope digest, and since when each of
    its controls held. Only its own note is checked (its own chain was checked when it was written);
    (None, None, {}) when absent or not genuine."""
    bundle = read_bundle(git, revision)
    if bundle is None:
        return None, None, {}
    try:
        link, info, _ = verify_link(bundle, keys)
    except ChainError:
        return None, None, {}
    return (link.level, link.properties), info["vsa_digest"], info["since"]
