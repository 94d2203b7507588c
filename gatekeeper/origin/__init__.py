"""Origin detection: an explicit registry of detectors and the resolver that merges their evidence.

Resolution rules (fail closed, never silent):
- verified evidence (registered signing key, forge metadata) decides the device class; a declared
  claim that contradicts it is `origin/spoofed`;
- otherwise declared and heuristic evidence decide; when they disagree the stricter class (one of
  the policy's mobile classes) wins and `origin/conflict` is reported;
- AI involvement is the strongest level any evidence shows; the agent is the one named by the strongest
  AI evidence (model and session filled in from any evidence naming the same agent); when line-level
  attribution exists (git-ai, Agent Trace) the paths holding AI-written lines are kept for the zones;
- no device evidence at all leaves the device `unknown`; the policy's `undeclared` decides its rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from gatekeeper import catalogue
from gatekeeper.models import (
    AgentInfo,
    AIInvolvement,
    Commit,
    DeviceClass,
    Evidence,
    Finding,
    Origin,
    Trust,
)
from gatekeeper.origin.ai import (
    AgentTraceDetector,
    AIAuthorDetector,
    AICoauthorDetector,
    AIMarkerDetector,
    AITrailerDetector,
    GitAINoteDetector,
)
from gatekeeper.origin.attribution import MAX_RECORD_PATHS, record_path
from gatekeeper.origin.base import Detector, DeviceFact, ForgeInfo, OriginContext
from gatekeeper.origin.declared import NoteDetector, PushOptionDetector, TrailerDetector
from gatekeeper.origin.heuristics import ForgeCommitDetector, ForgeDetector
from gatekeeper.origin.recorded import RecordedOriginDetector
from gatekeeper.origin.signing_key import SigningKeyDetector

REGISTRY: tuple[Detector, ...] = (
    TrailerDetector(),
    NoteDetector(),
    PushOptionDetector(),
    AITrailerDetector(),
    AICoauthorDetector(),
    AIAuthorDetector(),
    AIMarkerDetector(),
    GitAINoteDetector(),
    AgentTraceDetector(),
    ForgeCommitDetector(),
    ForgeDetector(),
    RecordedOriginDetector(),
    SigningKeyDetector(),
)

__all__ = ["REGISTRY", "Detector", "DeviceFact", "ForgeInfo", "OriginContext", "detect", "resolve"]


def detect(commit: Commit, ctx: OriginContext, mobile_classes: Sequence[DeviceClass],
           detectors: Sequence[Detector] = REGISTRY) -> tuple[Origin, list[Finding]]:
    evidence: list[Evidence] = []
    for detect_one in (_REGISTRY_DETECT if detectors is REGISTRY else [d.detect for d in detectors]):
        found = detect_one(commit, ctx)
        if found:  # most detectors find nothing in most commits
            evidence.extend(found)
    return resolve(commit, evidence, mobile_classes)


_REGISTRY_DETECT = tuple(detector.detect for detector in REGISTRY)  # bound once: detect runs for every commit


def _stricter(classes: Sequence[DeviceClass], mobile_classes: Sequence[DeviceClass]) -> DeviceClass:
    for cls in classes:
        if cls in mobile_classes:
            return cls
    return classes[0]


_NO_EVIDENCE = Origin()


def resolve(commit: Commit, evidence: Sequence[Evidence],
            mobile_classes: Sequence[DeviceClass]) -> tuple[Origin, list[Finding]]:
    if not evidence:
        return _NO_EVIDENCE, []  # the common case on long ranges: one shared immutable value
    findings: list[Finding] = []
    with_device = [e for e in evidence if e.device is not None]
    verified = [e for e in with_device if e.trust is Trust.VERIFIED]
    device = DeviceClass.UNKNOWN
    chosen: Evidence | None = None
    if verified:
        classes = list(dict.fromkeys(e.device for e in verified if e.device is not None))
        device = _stricter(classes, mobile_classes)
        chosen = next(e for e in verified if e.device is device)
        if len(classes) > 1:
            findings.append(_conflict(commit, verified))
        for e in with_device:
            if e.trust is Trust.DECLARED and e.device is not device:
                assert e.device is not None
                findings.append(catalogue.rule("origin/spoofed").finding(
                    f"commit declares {e.device.value} ({e.source}) but {chosen.source} shows {device.value}",
                    commit=commit.sha, fix="remove the false Origin-Device claim and re-push",
                ).with_fingerprint(commit.sha, e.device.value, device.value))
        for e in with_device:
            if (e.trust is Trust.DECLARED and e.device_id and chosen.device_id
                    and e.device_id != chosen.device_id):
                findings.append(catalogue.rule("origin/spoofed").finding(
                    f"commit declares device id {e.device_id!r} but was signed by device {chosen.device_id!r}",
                    commit=commit.sha, fix="sign with the device you name, or fix Origin-Device-Id",
                ).with_fingerprint(commit.sha, "device-id", e.device_id, chosen.device_id))
    elif with_device:
        ranked = sorted(with_device, key=lambda e: -e.trust.rank)
        classes = list(dict.fromkeys(e.device for e in ranked if e.device is not None))
        device = _stricter(classes, mobile_classes)
        chosen = next(e for e in ranked if e.device is device)
        if len(classes) > 1:
            findings.append(_conflict(commit, with_device))

    ai = AIInvolvement.NONE
    for e in evidence:
        if e.ai is not None and e.ai.rank > ai.rank:
            ai = e.ai
    agent, ai_paths = _agent(evidence) if ai is not AIInvolvement.NONE else (None, None)

    ranked_all: list[Evidence] = []  # the evidence strongest first, sorted when first needed

    def first(attr: str) -> str | None:
        if chosen is not None and getattr(chosen, attr):
            return str(getattr(chosen, attr))
        if not ranked_all:
            ranked_all.extend(sorted(evidence, key=lambda e: -e.trust.rank))
        for e in ranked_all:
            if getattr(e, attr):
                return str(getattr(e, attr))
        return None

    managed = chosen.managed if chosen is not None and chosen.managed is not None else next(
        (e.managed for e in evidence if e.managed is not None), None)
    origin = Origin(device=device, ai=ai, device_id=first("device_id"), client=first("client"), managed=managed,
                    evidence=tuple(evidence), declared=bool(with_device), agent=agent, ai_paths=ai_paths)
    return origin, findings


def _agent(evidence: Sequence[Evidence]) -> tuple[AgentInfo | None, frozenset[str] | None]:
    named = [e for e in evidence if e.ai is not None and e.agent]
    # Line-level attribution narrows the commit's AI-written paths only when every piece of AI evidence is
    # line-level: a co-author trailer, an agent author or a marker says the agent took part in the whole commit,
    # and one Agent Trace record for another file took a co-authored change out of an AI zone (red50).
    ai_evidence = [e for e in evidence if e.ai is not None]
    lines = [record_path(path) for e in ai_evidence for path, _ in e.ai_lines]
    # A list as long as the cap a parser cuts at may have lost paths (red52: the zone file sorted past the
    # 1,000th): the whole commit counts, as it does for the AI-line scan.
    cut = any(len(e.ai_lines) >= MAX_RECORD_PATHS for e in ai_evidence)
    ai_paths = frozenset(lines) if lines and not cut and all(e.ai_lines for e in ai_evidence) else None
    if not named:
        session = next((e.session for e in evidence if e.ai is not None and e.session), None)
        return (AgentInfo("unknown", session=session, source=next(e.source for e in evidence if e.ai is not None))
                if session else None), ai_paths
    # Of equally strong evidence, a footer names the agent last: it is a label, which an agent also copies from a
    # project's template (origin161: Codex cloud's pull requests in coder/mux end with the project's "_Generated with
    # `mux` • Model: `unknown`_" and then Codex's own task link), where an identity or a vendor's session link is the
    # agent's own.
    best = max(named, key=lambda e: (e.ai.rank if e.ai else 0, e.trust.rank, e.rule != "footer"))
    same = [e for e in named if e.agent == best.agent]
    model = best.model or next((e.model for e in same if e.model), None)
    session = best.session or next((e.session for e in same if e.session), None)
    if session is None:  # a session marker that names no agent (Agent-Logs-Url elsewhere than GitHub)
        session = next((e.session for e in evidence if e.ai is not None and not e.agent and e.session), None)
    assert best.agent is not None
    return AgentInfo(best.agent, model=model, session=session, rule=best.rule, source=best.source), ai_paths


def _conflict(commit: Commit, evidence: Sequence[Evidence]) -> Finding:
    claims = ", ".join(sorted({f"{e.device.value} ({e.source})" for e in evidence if e.device is not None}))
    return catalogue.rule("origin/conflict").finding(f"conflicting origin signals: {claims}",
                   commit=commit.sha, fix="make the commit's Origin-Device trailer match how it was made",
                   ).with_fingerprint(commit.sha, claims)
