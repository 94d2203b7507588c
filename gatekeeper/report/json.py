"""The JSON verdict (`schema_version: 1`), published as gatekeeper/schema/verdict.schema.json."""

from __future__ import annotations

import json
from typing import Any

import gatekeeper
from gatekeeper.models import Commit, CommitReport, Evidence, Finding, Origin, ReviewEvidence, Verdict
from gatekeeper.sanitize import clip, json_escape_unsafe

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    item: dict[str, Any] = {
        "rule_id": f.rule_id,
        "category": f.category,
        "severity": f.severity.label,
        "blocking": f.blocking,
        "commit": f.commit,
        "path": f.path,
        "line": f.line,
        "message": f.message,
        "fix": f.fix,
        "fingerprint": f.fingerprint,
    }
    if f.ai_basis is not None:  # policy `ai.scan`: on a line an agent wrote (and why it counts as one)
        item["ai_written"] = True
        item["ai_basis"] = f.ai_basis
    return item


# Trailers shown per commit (commits[].trailers), under these names; only those a commit has.
LISTED_TRAILERS = {
    "signed-off-by": "signed_off_by",
    "reviewed-by": "reviewed_by",
    "acked-by": "acked_by",
    "tested-by": "tested_by",
    "co-authored-by": "co_authored_by",
    "reviewed-on": "reviewed_on",
    "change-id": "change_id",
}
MAX_LISTED = 50  # values per trailer name


def listed_trailers(c: Commit) -> dict[str, list[str]]:
    listed: dict[str, list[str]] = {}
    for trailer in c.trailers:
        name = LISTED_TRAILERS.get(trailer.name)
        if name is not None:
            values = listed.setdefault(name, [])
            if len(values) < MAX_LISTED:
                values.append(clip(trailer.value, 500))
    return listed


def _review_evidence(e: ReviewEvidence) -> dict[str, Any]:
    item: dict[str, Any] = {"source": e.source, "detail": e.detail, "trust": e.trust.value}
    for key in ("pr", "reviewer", "url"):
        value = getattr(e, key)
        if value is not None:
            item[key] = value
    return item


def _evidence(e: Evidence) -> dict[str, Any]:
    item: dict[str, Any] = {"source": e.source, "detail": e.detail, "trust": e.trust.value}
    if e.pr is not None:
        item["pr"] = e.pr
    for key in ("agent", "model", "session", "rule"):
        value = getattr(e, key)
        if value:
            item[key] = value
    if e.ai_lines:
        item["ai_lines"] = [{"path": path, "lines": lines} for path, lines in e.ai_lines]
    return item


def _agent(o: Origin) -> dict[str, Any] | None:
    a = o.agent
    if a is None:
        return None
    return {"id": a.id, "model": a.model, "session": a.session, "rule": a.rule, "source": a.source}


def commit_dict(r: CommitReport, shared: dict[object, Any] | None = None) -> dict[str, Any]:
    """`shared` memoises the parts many commits have in common (the same signature, review or person
    value): equal frozen values render to one dict, which keeps a 20,000-commit verdict cheap."""
    c, o, s, rv = r.commit, r.origin, r.signature, r.review
    memo: dict[object, Any] = {} if shared is None else shared
    signature = memo.get(s)
    if signature is None:
        signature = memo[s] = {"status": s.status.value, "format": s.format, "signer": s.signer, "key": s.key,
                               "device_id": s.device_id, "detail": s.detail}
        if s.forge is not None:  # only on forge-signed commits, so existing consumers see the same object
            signature["forge"] = s.forge
    review = memo.get(rv)
    if review is None:
        review = memo[rv] = {"status": rv.status.value, "approvers": list(rv.approvers), "source": rv.source,
                             "detail": rv.detail}
        if rv.evidence:  # only where the history holds some, so existing consumers see the same object
            review["evidence"] = [_review_evidence(e) for e in rv.evidence]
    item: dict[str, Any] = {
        "sha": c.sha,
        "parents": list(c.parents),
        "author": {"name": c.author.name, "email": c.author.email},
        "committer": {"name": c.committer.name, "email": c.committer.email},
        "subject": clip(c.subject, 500),
        "refs": list(r.refs),
        "mobile": r.mobile,
        "ruleset": r.ruleset,
        "origin": {
            "device": o.device.value,
            "ai": o.ai.value,
            "device_id": o.device_id,
            "client": o.client,
            "managed": o.managed,
            "evidence": [_evidence(e) for e in o.evidence],
            "agent": _agent(o),
            "ai_paths": sorted(o.ai_paths) if o.ai_paths is not None else None,
        },
        "signature": signature,
        "review": review,
    }
    trailers = listed_trailers(c)
    if trailers:
        item["trailers"] = trailers
    return item


def verdict_dict(v: Verdict) -> dict[str, Any]:
    shared: dict[object, Any] = {}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "gatekeeper", "version": gatekeeper.__version__},
        "mode": v.mode,
        "range": v.range_description,
        "policy": v.policy_source,
        "decision": v.decision.value,
        "updates": [{"ref": u.ref, "old": u.old, "new": u.new, "kind": u.kind.value} for u in v.updates],
        "commits": [commit_dict(r, shared) for r in v.commits],
        "findings": [finding_dict(f) for f in v.findings],
        "suppressed": [{**finding_dict(s.finding), "reason": s.reason} for s in v.suppressed],
        "stats": {
            "commits": v.stats.commits,
            "files_scanned": v.stats.files_scanned,
            "duration_ms": v.stats.duration_ms,
            "scanners": {name: {"ran": st.ran, "ms": st.ms, "error": st.error, "files": st.files, "detail": st.detail}
                         for name, st in v.stats.scanners},
        },
    }


def render_json(v: Verdict) -> str:
    # Compact separators keep json on its C encoder (indent= falls back to pure Python, ~15x slower
    # on a 20,000-commit verdict); pipe through `jq` for reading.
    # Commit data may hold C1 controls or bidi overrides (U+202E): escaped as \u sequences, still lossless.
    return json_escape_unsafe(json.dumps(verdict_dict(v), ensure_ascii=False, separators=(",", ":"))) + "\n"
