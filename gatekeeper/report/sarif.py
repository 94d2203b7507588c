"""SARIF 2.1.0 for GitHub code scanning: a pure function of the Verdict.

One run, tool `gatekeeper`, a rule per rule id seen (short description, help and helpUri from the
finding catalogue, gatekeeper/catalogue.py; default level, `security-severity` for code scanning's
severity column), a result per finding with its level from
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
from gatekeeper import catalogue
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
    entry = catalogue.lookup(rule_id)
    if isinstance(entry, catalogue.Rule):
        short, full = entry.title, entry.help
    elif entry is not None:  # a scanner rule: its family's text, the rule's own fix below
        short, full = f"{entry.title}: {rule_id}", entry.help
    else:
        short, full = f"{category} finding {rule_id}", ""
    fix = next((f.fix for f in findings if f.fix), "")
    help_text = " ".join(p for p in (full, f"Fix: {fix}" if fix else "") if p) or short
    help_uri = entry.help_uri if entry is not None else f"{catalogue.DOCS_URI}findings.md"
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.replace("/", "-").replace("_", "-").split("-") if part),
        "shortDescription": {"text": _text(short, 300)},
        "fullDescription": {"text": _text(full or short, 1000)},
        "help": {"text": _text(help_text)},
        "helpUri": help_uri,
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
