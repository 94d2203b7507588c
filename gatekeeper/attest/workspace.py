"""The Action's attestation of a passing push to a protected branch (a merge), kept for the workflow to publish."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.config import Policy
from gatekeeper.errors import UsageError
from gatekeeper.git import Git
from gatekeeper.models import RefUpdate, Verdict

BUNDLE_NAME = "gatekeeper-attestation.intoto.jsonl"


def attest_push(workspace: Path, git: Git, update: RefUpdate, verdict: Verdict, policy: Policy, *, key_text: str,
                server_url: str, repository: str, actor: str | None, forced: bool) -> tuple[str, int]:
    """Sign the push's provenance + VSA, keep them as a note in the checkout and as `BUNDLE_NAME` in the workspace
    for the workflow to publish (`git push origin refs/notes/gatekeeper/attestations`, or an artifact). Returns the
    file's name and the SLSA source level attested."""
    from gatekeeper.attest.admission import attest_with_key
    from gatekeeper.attest.store import bundle_text
    from gatekeeper.fsutil import atomic_write, confined
    from gatekeeper.report.json import render_json

    admission, signed = attest_with_key(
        git, update, verdict, policy, key_text=key_text, verifier_id=f"{server_url}/{repository}/gatekeeper",
        resource_uri=f"git+{server_url}/{repository}", activity="force-push" if forced else "push", actor=actor,
        verdict_json=render_json(verdict).encode())
    try:
        # The checkout is the merged tree: a link committed under this name must not carry the bundle out (red46).
        atomic_write(confined(workspace, BUNDLE_NAME), bundle_text(signed), mode=0o644)
    except ValueError as exc:
        raise UsageError(f"refusing to write {BUNDLE_NAME}: {exc}", f"remove the symbolic link {BUNDLE_NAME} from "
                         "the repository") from None
    except OSError as exc:
        raise UsageError(f"cannot write {BUNDLE_NAME}: {exc.strerror}", "make the workspace writable") from None
    return BUNDLE_NAME, admission.level.level
