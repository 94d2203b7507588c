"""What the gate enforced on one change to a protected ref, and the SLSA Source Level that supports.

`controls_for` reads a Verdict and the Policy it was judged under; `level_for` turns those controls
and the previous tip's recorded attestation into the revision's level, with the reasons it is not
higher. Continuity is the rule: a revision's level and properties are never more than its previous
tip's, unless this revision is a recorded start (the first attested revision of a ref).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gatekeeper.config import Policy
from gatekeeper.models import AIInvolvement, Decision, RefKind, RefUpdate, ReviewStatus, Verdict

LEVEL_PREFIX = "SLSA_SOURCE_LEVEL_"
MAX_LEVEL = 4

# Organisation properties (SLSA v1.2: prefixed ORG_SOURCE_), each the claim of one control.
PROPERTIES: Mapping[str, str] = {
    "ORG_SOURCE_MOBILE_REVIEWED":
        "every mobile-origin commit of the change had a verified approval after the last mobile commit",
    "ORG_SOURCE_SECRETS_SCANNED": "the secrets scanner ran over every commit the change added",
    "ORG_SOURCE_SAST_MOBILE": "semgrep and bandit ran over the change's mobile-origin commits at admission",
    "ORG_SOURCE_AI_ATTRIBUTED": "every AI-involved commit of the change names its agent",
    "ORG_SOURCE_DEVICE_SIGNED": "mobile-origin commits must be signed by a registered device, and were",
}

CONTROL_NAMES = ("gate_verdict", "force_push_refused", "deletion_refused", "fail_closed", "secrets_scanned",
                 "mobile_review_required", "mobile_reviewed", "sast_on_mobile", "signatures_required",
                 "registered_devices_required", "ai_attributed", "two_party_review")


@dataclass(frozen=True, slots=True)
class Controls:
    """The facts of one admission. Every field is what was *enforced*, not what was hoped for."""

    gate_verdict: bool = False  # a gate verdict was recorded for this exact push
    decision: str = "none"  # allow | warn | block | none
    bypassed: bool = False  # break-glass was used
    force_push: bool = False  # this update rewrote the ref's history
    force_push_refused: bool = False  # the policy refuses force pushes to protected refs
    deletion_refused: bool = False
    fail_closed: bool = False  # tool errors and timeouts block
    secrets_scanned: bool = False
    mobile_review_required: bool = False
    mobile_reviewed: bool = False
    sast_on_mobile: bool = False
    signatures_required: bool = False
    registered_devices_required: bool = False
    ai_attributed: bool = False
    two_party_review: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Controls:
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            if key == "decision":
                values[key] = str(value)
            elif isinstance(value, bool):
                values[key] = value
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Level:
    level: int
    properties: tuple[str, ...]
    reasons: tuple[str, ...]  # why the level is not higher, or why it was lowered

    @property
    def verified_levels(self) -> list[str]:
        return [f"{LEVEL_PREFIX}{self.level}", *self.properties]


def policy_digest(policy: Policy) -> str:
    """A stable digest of the policy in force (its validated, frozen form, not its file's bytes)."""
    data = dataclasses.asdict(policy)
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def verdict_digest(verdict_json: bytes) -> str:
    return hashlib.sha256(verdict_json).hexdigest()


def controls_for(verdict: Verdict, policy: Policy, update: RefUpdate) -> Controls:
    """The controls one accepted update was admitted under."""
    rules = {r.name: r for r in policy.rules}
    mobile_rules = rules.get("mobile")
    scanners = dict(verdict.stats.scanners)
    commits = [r for r in verdict.commits if update.ref in r.refs]
    # An update that brought no commit judged for it (a protected branch created or moved to commits already
    # admitted) shows nothing about review, scanning or attribution: none of those holds by an empty `all()`
    # (red43: a break-glass commit re-attested as mobile reviewed through a new branch at it).
    vacuous = not commits
    mobile = [r for r in commits if r.mobile]
    ran = {name for name, stat in scanners.items() if stat.ran and not stat.error}
    rule_ids = {f.rule_id for f in verdict.findings}
    all_rulesets = [rules[n] for n in {r.ruleset for r in commits} if n in rules] or list(rules.values())
    secrets_everywhere = all("secrets" in rs.scanners for rs in all_rulesets)
    review_rule = mobile_rules.review if mobile_rules is not None else None
    approved = (ReviewStatus.APPROVED,)
    return Controls(
        gate_verdict=True,
        decision=verdict.decision.value,
        bypassed="gate/bypassed" in rule_ids,
        force_push=update.kind is RefKind.FORCE,
        force_push_refused=not policy.pre_receive.allow_force_push,
        deletion_refused=not policy.pre_receive.allow_delete,
        fail_closed=policy.on_tool_error == "block" and policy.on_timeout == "block",
        secrets_scanned=not vacuous and secrets_everywhere and "secrets" in ran,
        mobile_review_required=review_rule is not None and review_rule.approvals >= 1,
        mobile_reviewed=not vacuous and all(r.review.status in approved for r in mobile),
        sast_on_mobile=not vacuous and ((not mobile) or {"semgrep", "bandit"} <= ran),
        signatures_required=bool(mobile_rules and mobile_rules.require_signature),
        registered_devices_required=bool(mobile_rules and mobile_rules.require_registered_device),
        ai_attributed=not vacuous and all(any(e.source.startswith("ai/") for e in r.origin.evidence)
                                          for r in commits if r.origin.ai is not AIInvolvement.NONE),
        two_party_review=bool(commits) and all(r.review.status in approved and r.review.approvers
                                               for r in commits),
    )


def _own_level(c: Controls) -> tuple[int, list[str]]:
    reasons: list[str] = []
    if not c.gate_verdict:
        return 1, ["no gate verdict was recorded for this change (the push did not pass through gatekeeper)"]
    if c.force_push:
        return 1, ["the update rewrote the ref's history (force push)"]
    if not (c.force_push_refused and c.deletion_refused):
        return 1, ["the policy allows force pushes or deletions of protected refs, so history is not retained"]
    level = 2
    l3 = []
    if c.decision not in (Decision.ALLOW.value, Decision.WARN.value):
        l3.append(f"the gate's decision was {c.decision}")
    if c.bypassed:
        l3.append("the gate was bypassed (break-glass)")
    if not c.fail_closed:
        l3.append("tool errors or timeouts do not block (on_tool_error/on_timeout)")
    if not c.secrets_scanned:
        l3.append("the secrets scanner did not run over every commit")
    if not c.mobile_review_required:
        l3.append("the policy does not require review of mobile-origin changes")
    if l3:
        return level, reasons + l3
    level = 3
    if not c.two_party_review:
        reasons.append("not every commit of the change had a verified approval by someone other than its authors")
        return level, reasons
    return 4, reasons


def _own_properties(c: Controls) -> list[str]:
    if not c.gate_verdict or c.bypassed:
        return []
    props = []
    if c.mobile_review_required and c.mobile_reviewed:
        props.append("ORG_SOURCE_MOBILE_REVIEWED")
    if c.secrets_scanned:
        props.append("ORG_SOURCE_SECRETS_SCANNED")
    if c.sast_on_mobile:
        props.append("ORG_SOURCE_SAST_MOBILE")
    if c.ai_attributed:
        props.append("ORG_SOURCE_AI_ATTRIBUTED")
    if c.signatures_required and c.registered_devices_required:
        props.append("ORG_SOURCE_DEVICE_SIGNED")
    return props


@dataclass(frozen=True, slots=True)
class Cap:
    """The most a recorded start may claim (admission.creation_cap), and why."""

    level: int
    properties: tuple[str, ...]
    reasons: tuple[str, ...]


def level_for(controls: Controls, *, previous: tuple[int, Sequence[str]] | None, start: bool,
              previous_tip: str | None, cap: Cap | None = None) -> Level:
    """The revision's level: min(its own controls, the previous tip's recorded level).

    `previous` is the previous tip's verified (level, properties), or None when it has none. `start`
    marks a recorded start (a new ref, or an operator's explicit `--start`), where continuity begins;
    `cap` bounds a new ref's start by the protected branches that hold what it was created on.
    """
    level, reasons = _own_level(controls)
    props = _own_properties(controls)
    if start:
        reasons.append("continuity starts at this revision (recorded start)")
        if cap is not None:
            if cap.level < level:
                level = cap.level
                reasons.extend(cap.reasons)
            dropped = [p for p in props if p not in cap.properties]
            if dropped:
                reasons.append("continuity: the protected branches it was created on lack " + ", ".join(dropped))
            props = [p for p in props if p in cap.properties]
    elif previous is None:
        if level > 1:
            reasons.append(f"continuity broken: the previous tip {(previous_tip or '?')[:12]} has no verified "
                           "attestation (a push that bypassed the gate, or attestation began later); "
                           "re-establish with `gatekeeper attest REV --start`")
        level, props = 1, []
    else:
        prev_level, prev_props = previous
        if prev_level < level:
            reasons.append(f"continuity: the previous tip {(previous_tip or '?')[:12]} is at level {prev_level}")
            level = prev_level
        kept = [p for p in props if p in set(prev_props)]
        dropped = [p for p in props if p not in kept]
        if dropped:
            reasons.append("continuity: the previous tip lacks " + ", ".join(dropped))
        props = kept
    return Level(level=max(1, min(level, MAX_LEVEL)), properties=tuple(props), reasons=tuple(reasons))


def parse_level(verified_levels: Sequence[object]) -> tuple[int, tuple[str, ...]] | None:
    """(level, ORG_SOURCE_ properties) from a VSA's verifiedLevels; None when no single level is named."""
    levels = [v for v in verified_levels if isinstance(v, str) and v.startswith(LEVEL_PREFIX)]
    if len(levels) != 1:
        return None
    tail = levels[0][len(LEVEL_PREFIX):]
    # ASCII digits only: str.isdigit() also takes `²` (int() refuses it) and `٣` (int() reads it as 3) (red43).
    if not (tail.isascii() and tail.isdigit()) or not 0 <= int(tail) <= MAX_LEVEL:
        return None
    props = tuple(v for v in verified_levels if isinstance(v, str) and v.startswith("ORG_SOURCE_"))
    return int(tail), props
