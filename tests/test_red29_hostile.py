"""Red team red29: past the red26-red28 fixes (audit redaction, the decision-log join, audit judgments).

Each reproduction fails on w/red29 at 3a393a1 for the reason its docstring names, and asserts the secure behaviour.
Real repositories (tests/repo_builder.py), the CLI in-process (tests/leak_helpers.gk).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.leak_helpers import gk
from tests.repo_builder import RepoBuilder

PROTECTED_MAIN = """\
version: 1
protected_refs: ["refs/heads/main"]
"""


def _audit(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code, out = gk(capsys, "audit", "--repo", str(repo), "--format", "json", "--no-progress", *args)
    assert code == 0, out
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


def _check(capsys: pytest.CaptureFixture[str], repo: RepoBuilder, base: str, policy: Path) -> dict[str, Any]:
    code, out = gk(capsys, "check", "--repo", str(repo.path), "--base", base, "--policy", str(policy),
                   "--format", "json")
    data: dict[str, Any] = json.loads(out[: out.rindex("}") + 1])
    return data


# -- 1. The audit never reads git-ai / Agent Trace attribution notes ----------------------------------------------
#
# README ("git-ai notes (`refs/notes/ai`) and Agent Trace records (`refs/notes/agent-trace`) count too") and
# docs/ai-attribution.md make these AI evidence; the engine reads them (engine.py: notes_by_ref[AI_NOTES_REF], ctx
# ai_notes / trace_notes) and `gatekeeper check` calls the commit AI-assisted. docs/audit.md: the audit "reuses the
# engine's pieces — origin detectors and resolver … and has no classifier of its own". But history._Runner builds its
# OriginContext with `notes=` (refs/notes/origin) only: ai_notes and trace_notes stay empty, and the fast path
# (`sha in self.notes`, refs/notes/origin only) never even sends such a commit to the detectors. git-ai writes only
# notes, never trailers: an agent's commit pushed straight onto main is "ai: none" in the audit and never in its
# `unreviewed_mobile_ai_on_protected` list.

def _git_ai_note(path: str) -> str:
    meta = {"schema_version": "authorship/3.0.0",
            "sessions": {"s_c9883b05a2487d": {"agent_id": {"tool": "claude", "id": "conv_1",
                                                           "model": "claude-sonnet-4-5"}}}}
    return f"{path}\n  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-3\n---\n{json.dumps(meta)}\n"


def test_a_git_ai_noted_agent_commit_straight_onto_main_is_listed_unreviewed(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack: an agent (git-ai records its authorship in refs/notes/ai, as it always does) commits straight onto
    the protected main, no PR. `gatekeeper check` calls the commit AI-assisted; the audit reports it as human work
    and leaves it out of the unreviewed mobile/AI list the security team reads."""
    repo = RepoBuilder.init(tmp_path / "repo")
    (tmp_path / "policy.yml").write_text(PROTECTED_MAIN)
    base = repo.commit("init\n", {"README.md": "hello\n"})
    sha = repo.commit("tune the retry loop\n", {"src/retry.py": "a = 1\nb = 2\nc = 3\n"})
    repo.note(sha, _git_ai_note("src/retry.py"), ref="refs/notes/ai")

    checked = _check(capsys, repo, base, tmp_path / "policy.yml")
    (report,) = checked["commits"]
    assert report["origin"]["ai"] == "assisted"  # control: the gate's engine reads the note

    data = _audit(capsys, repo.path, "--policy", str(tmp_path / "policy.yml"))
    audited = {c["sha"]: c for c in data["commits"]}[sha]
    unreviewed = [i["sha"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]]
    assert (audited["ai"]["involvement"], sha in unreviewed) == ("assisted", True), audited["origin"]


# -- 2. The audit joins decisions of every repository in the log as this repository's ----------------------------
#
# One log serves a whole server (docs/audit.md: `GATEKEEPER_DECISION_LOG=/var/lib/gatekeeper/decisions.db`, "one
# chain per repository"). sqlite_store.admissions joins `decision_commits` to `decisions` on (repository, seq) for
# any repository, admission_from_body checks only that the hashed body lists the commit, and
# history._Runner._count adds every such decision to `commits_by_decision`; nothing compares a record's repository
# with the repository being audited. A commit id is the same in every repository that holds it: the pusher whose
# agent commit acme/app refused pushes the same commit to a scratch repository of their own on the same server,
# whose policy (read from that repository's own default branch) allows it. That record is honest and its chain
# intact — `log verify` passes — yet the audit of acme/app reports the refused commit as admitted by an `allow`
# decision, and counts it among the commits "admitted by a logged decision: allow". (With write access to the log
# the same needs no second repository: a new, self-consistent chain under any name, which `log verify` accepts.)

def test_a_decision_about_another_repository_is_not_joined_as_this_ones(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack: the commit acme/app's gate refused is pushed to the pusher's own repository on the same server (same
    log), where it is allowed. Gain: the audit of acme/app says an `allow` decision admitted the refused commit, and
    `log verify` has nothing to name."""
    from gatekeeper.audit.decisionlog import Entry, open_log

    repo = RepoBuilder.init(tmp_path / "app")
    repo.commit("init\n", {"README.md": "hello\n"})
    refused = repo.commit("agent work\n\nAssisted-by: codex:gpt-5-codex\n", {"app.py": "x = 1\n"})
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    # What the hooks of the two repositories append (decisionlog.entry_from_verdict's fields).
    store.append(Entry(repository=str(repo.path), mode="pre-receive", event="decision", decision="block",
                       exit_code=1, refs=(("refs/heads/main", "0" * 40, refused, "update"),), pusher="mallory",
                       commits=(refused,), blocking_rules=("review/missing",)))
    store.append(Entry(repository=str(tmp_path / "mallory-scratch.git"), mode="pre-receive", event="decision",
                       decision="allow", exit_code=0, refs=(("refs/heads/main", "0" * 40, refused, "create"),),
                       pusher="mallory", commits=(refused,)))
    store.close()

    verify_code, verify_out = gk(capsys, "log", "verify", "--log", str(log))
    assert verify_code == 0, verify_out  # control: both chains are intact
    data = _audit(capsys, repo.path, "--log", str(log))
    joined = {c["sha"]: c["decisions"] for c in data["commits"]}[refused]
    by_decision = data["summary"]["decisions"]["commits_by_decision"]
    # Secure: acme/app's audit says only what acme/app's gate decided about its commits.
    assert [d["decision"] for d in joined] == ["block"] and "allow" not in by_decision, (joined, by_decision)


# -- 3. The audit counts a reviewer's own signature on the commit as a verified review by that reviewer -------------
#
# review/reviewed_by.py (the gate): `Reviewed-by: R` counts only when R is none of the commit's people — "author,
# committer, co-authors, and the signer of the signature on it, who provably made the commit whatever its author
# field says"; DESIGN §5: a reviewer is "none of the commits' authors, committers or co-authors". The audit's
# history.review_evidence calls it `reviewed-by-verified` (trust `verified`) when the commit's good signature is R's
# and `not wrote(reviewer, commit, committer=False)`: the committer and the signer (R themself) are left out, so only
# the author field — which the committer writes — is compared. Mallory, whose key is in the allowed-signers file,
# lets an agent author a commit (`--author "Claude <noreply@anthropic.com>"`), signs it herself with
# `Reviewed-by: Mallory`, and pushes it straight onto main. The gate's own rule calls that a self-review; the audit
# calls it verified review and lists it nowhere: not unreviewed, not "reviewed only on unverified evidence".

def test_a_committers_own_signed_reviewed_by_is_not_verified_review_of_an_agent_commit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Attack: an agent-authored commit committed, signed and `Reviewed-by:` by the same person, pushed straight
    onto main. Gain: the audit counts it as review verified by a signature and drops it from both review lists."""
    from tests.provenance_helpers import keygen, signed_commit

    keys = tmp_path / "keys"
    keys.mkdir()
    mallory = keygen(keys, "mallory", "-t", "ed25519")
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("policy\n", {".gatekeeper.yml": PROTECTED_MAIN + "allowed_signers: .gatekeeper/allowed_signers\n",
                             ".gatekeeper/allowed_signers": f'mallory@example.com namespaces="git" {mallory.line}\n'})
    repo.git("config", "user.name", "Mallory")
    repo.git("config", "user.email", "mallory@example.com")
    sha = signed_commit(repo, "speed up the parser\n\nReviewed-by: Mallory <mallory@example.com>\n", mallory,
                        {"parser.py": "x = 1\n"}, author=("Claude", "noreply@anthropic.com"))

    data = _audit(capsys, repo.path)
    audited = {c["sha"]: c for c in data["commits"]}[sha]
    assert (audited["signature"]["status"], audited["ai"]["involvement"]) == ("good", "generated")  # control
    s = data["summary"]
    listed = {i["sha"] for key in ("unreviewed_mobile_ai_on_protected", "unverified_review_mobile_ai_on_protected")
              for i in s[key]["items"]}
    # Secure: the signer reviewing what they committed is a self-review (the gate's rule): no verified review.
    assert audited["review"]["evidence"] != "reviewed-by-verified" and sha in listed, (audited["review"], listed)
