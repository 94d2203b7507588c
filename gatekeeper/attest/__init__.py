"""Source provenance: signed in-toto attestations (source provenance + SLSA Source VSA) for admitted revisions.

controls.py decides what the gate enforced and the level that supports; statements.py builds the
in-toto Statements; envelope.py signs and opens DSSE envelopes; store.py keeps them as git notes;
admission.py signs an admitted update and keeps pre-receive's records for post-receive; verify.py
checks a revision's attestation and its chain back to a recorded start.

The package itself imports nothing: a reader that only asks whether a repository has attestations (the
audit) names the ref from here without loading the DSSE and crypto stack.
"""

from __future__ import annotations

ATTESTATIONS_REF = "refs/notes/gatekeeper/attestations"
