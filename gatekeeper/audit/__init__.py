"""Visibility after the fact: the decision log and the history audit.

- `decisionlog` — a tamper-evident, hash-chained record of every gate decision (SQLite by default,
  PostgreSQL for multi-node git servers), with `gatekeeper log verify | show | export`;
- `history` — `gatekeeper audit`: one streaming pass over a whole history that says where its code
  came from, what was signed and reviewed, and which decision admitted each commit;
- `jsonl` — the older one-JSON-line-per-decision file (`pre-receive --audit-log`), kept working.

The names below are the package's stable surface; the hook imports them from here.
"""

from __future__ import annotations

from gatekeeper.audit.jsonl import AUDIT_ENV, append_audit, audit_record

__all__ = ["AUDIT_ENV", "append_audit", "audit_record"]
