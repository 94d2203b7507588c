"""SARIF 2.1.0 for GitHub code scanning: a pure function of the Verdict.

One run, tool `gatekeeper`, a rule per rule id seen (short description, help, default level,
`security-severity` for code scanning's severity column), a result per finding with its level from
`sarif_level()` — the one severity → level mapping — and `partialFingerprints["gatekeeper/v1"]`, the
finding's content-based fingerprint, so code scanning tracks an alert across runs and line moves.

Code scanning needs a physical location for every result. Findings about a file carry it
(repository-relative URI, start line); findings about a commit or a review (`review/missing`,
`provenance/unsigned`, …) are anchored to the policy file that demands them, `.gatekeeper.yml`
line 1, and say so in their properties. Suppressed findings are included with a SARIF suppression
(ignored / baselined / inline) so code scanning shows them as dismissed, not as new.

Findings are already redacted (never a secret value); nothing here adds content of its own.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import gatekeeper
from gatekeeper.models import Finding, Severity, Verdict
from gatekeeper.sanitize import json_escape_unsafe, safe

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "gatekeeper/v1"
INFORMATION_URI = "https://github.com/gatekeeper-dev/gatekeeper"
ANCHOR_FILE = ".gatekeeper.yml"  # where findings without a file are shown
MAX_MESSAGE = 2000

# code scanning maps security-severity > 9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.1"}

# Descriptions of gatekeeper's own rule ids; scanner rules (secrets/…, semgrep/…, bandit/…) get a
# generic one built from their category, and the finding's fix as help.
RULE_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "review/missing": ("Mobile-origin change without a qualifying approval",
                       "A person who is none of the commits' authors, committers or co-authors must approve the pull "
                       "request after its last mobile-origin commit."),
    "review/bypassed": ("Commit reached a protected branch without a reviewed pull request",
                        "Mobile-origin commits must land through a pull request approved by someone other than their "
                        "authors; revert the push and open a pull request."),
    "review/unverifiable": ("Review could not be verified",
                            "No review evidence is available where the gate ran; land the change through a pull "
                            "request."),
    "review/required": ("Review will be required", "Open a pull request and ask a reviewer who is not an author."),
    "review/commits-mismatch": ("The pull request's commits on GitHub and in git disagree",
                                "The review cannot be tied to the range judged; re-run once the pull request is "
                                "stable, and split pull requests of more than 250 commits."),
    "policy/changed": ("Gate configuration changed",
                       "The change edits the gate's configuration (policy, .gatekeeper/, the files the policy names, "
                       "CODEOWNERS, .github/workflows/); a policy owner must approve it."),
    "policy/zone-violation": ("Change to a compliance zone not allowed from this origin",
                              "Make the change from a managed desktop device, or have the zone's owners land it."),
    "policy/force-push": ("Force push to a protected branch", "Rebase onto the current tip and push without --force."),
    "policy/ref-deletion": ("Deletion of a protected branch", "Protected refs cannot be deleted."),
    "policy/source-switch": ("Push that would change which branch supplies the gate's policy",
                             "The default branch (the server's HEAD) holds the trusted policy; which branch that is "
                             "is an administrator's choice (`git symbolic-ref HEAD refs/heads/<branch>` on the "
                             "server), never a push's."),
    "policy/ref-alias": ("Push through a symbolic ref", "The ref pushed is a symbolic ref on the server; the update is "
                         "judged as the ref it names."),
    "policy/bad-notes-ref": ("Notes ref that is not a notes commit",
                             "Push only notes commits made by `git notes`; a broken notes ref on the server must be "
                             "repaired or deleted by an administrator."),
    "policy/ref-target": ("Protected ref naming a blob or a tree",
                          "Protected refs (release tags included) must name commits, which review and provenance "
                          "judge; keep other objects under an unprotected ref."),
    "policy/replace-ref": ("Push of a replace ref (refs/replace/*)",
                           "Replace refs make git readers see another object in place of the one named; push the real "
                           "commits. Allowed only with pre_receive.allow_replace_refs."),
    "policy/reserved-ref": ("Push to a ref only the gate writes",
                            "Do not push refs/notes/gatekeeper/*: the gate writes its signed attestations there."),
    "tool/github-failed": ("GitHub API unavailable: review status unknown",
                           "The review could not be checked, so it is not treated as approved. Fix the token "
                           "permissions or re-run the job."),
    "origin/spoofed": ("Declared origin contradicts verified evidence",
                       "A commit claims a device class that its signing key contradicts."),
}


def sarif_level(severity: Severity) -> str:
    """The one mapping from gatekeeper severity to SARIF result level."""
    if severity >= Severity.HIGH:
        return "error"
    if severity is Severity.MEDIUM:
        return "warning"
    return "note"


def _relative_uri(path: str | None) -> str | None:
    """A repository-relative URI for a finding's path; None when the path is unusable as one."""
    if not path or path.startswith(("/", "\\")) or "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        return None
    return quote(path, safe="/")


def _text(value: str, limit: int = MAX_MESSAGE) -> str:
    return safe(value, single_line=True, limit=limit)


def _rule(rule_id: str, findings: list[Finding]) -> dict[str, Any]:
    worst = max(f.severity for f in findings)
    category = findings[0].category
    short, full = RULE_DESCRIPTIONS.get(rule_id, (f"{category} finding {rule_id}", ""))
    fix = next((f.fix for f in findings if f.fix), "")
    help_text = " ".join(p for p in (full, f"Fix: {fix}" if fix else "") if p) or short
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.replace("/", "-").replace("_", "-").split("-") if part),
        "shortDescription": {"text": _text(short, 300)},
        "fullDescription": {"text": _text(full or short, 1000)},
        "help": {"text": _text(help_text)},
        "helpUri": f"{INFORMATION_URI}#rule-{quote(category)}",
        "defaultConfiguration": {"level": sarif_level(worst)},
        "properties": {"tags": ["security", "gatekeeper", category],
                       "security-severity": _SECURITY_SEVERITY[worst]},
    }


def _result(f: Finding, rule_index: int, suppression: str | None) -> dict[str, Any]:
    message = _text(f.message)
    if f.fix:
        message = _text(f"{message} Fix: {f.fix}")
    uri = _relative_uri(f.path)
    region: dict[str, Any] = {"startLine": f.line if f.line and f.line > 0 else 1}
    location = {"physicalLocation": {
        "artifactLocation": {"uri": uri or ANCHOR_FILE, "uriBaseId": "%SRCROOT%"},
        "region": region,
    }}
    properties: dict[str, Any] = {"severity": f.severity.label, "category": f.category, "blocking": f.blocking}
    if f.commit:
        properties["commit"] = f.commit
    if f.ai_basis is not None:  # policy ai.scan: on a line an agent wrote
        properties["ai_written"] = True
        properties["ai_basis"] = f.ai_basis
    if uri is None:
        properties["location"] = ("anchored to the policy file: the finding concerns a commit or review, "
                                  "not a file" if not f.path else "path not representable as a relative URI")
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": sarif_level(f.severity),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint or f.rule_id},
        "properties": properties,
    }
    if suppression is not None:
        kind = "inSource" if suppression.startswith("inline") else "external"
        result["suppressions"] = [{"kind": kind, "justification": _text(suppression, 500)}]
    return result


def sarif_dict(v: Verdict) -> dict[str, Any]:
    entries: list[tuple[Finding, str | None]] = [(f, None) for f in v.findings]
    entries += [(s.finding, s.reason) for s in v.suppressed]
    grouped: dict[str, list[Finding]] = {}
    for f, _ in entries:
        grouped.setdefault(f.rule_id, []).append(f)
    rule_ids = sorted(grouped)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "gatekeeper",
                "version": gatekeeper.__version__,
                "semanticVersion": gatekeeper.__version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule_id, grouped[rule_id]) for rule_id in rule_ids],
            }},
            "results": [_result(f, index[f.rule_id], reason) for f, reason in entries],
            "columnKind": "unicodeCodePoints",
            "properties": {"decision": v.decision.value, "mode": v.mode,
                           "range": _text(v.range_description, 300), "policy": _text(v.policy_source, 300)},
        }],
    }


def render_sarif(v: Verdict) -> str:
    return json_escape_unsafe(json.dumps(sarif_dict(v), indent=2, ensure_ascii=False)) + "\n"
