"""red43: hostile parties against attestations (`gatekeeper attest`, `attest verify`, the audit's join).

Every test here builds a real bare server with the real hooks (pre-receive + post-receive), signs with a
real ed25519 key and asks the real CLI. Each failing test asserts the secure behaviour; its docstring names
the attack, its severity and the weak code. The controls at the end are attacks the current code stops.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.hook_helpers import MO, MOBILE, RITA, Server, make_server, push
from tests.repo_builder import RepoBuilder
from tests.test_attest import NOTES, POLICY, _gk, _keypair, _note, _payload, _verify

BYPASS_POLICY = POLICY + "bypass: {push_option: gatekeeper.bypass, allowed: [captain], reason_required: true}\n"


def _env(private: Path, pusher: str = "mo", email: str = MO[1], **extra: str) -> dict[str, str]:
    return {"GATEKEEPER_ATTEST_KEY": str(private), "GATEKEEPER_PUSHER": pusher, "GATEKEEPER_PUSHER_EMAIL": email,
            **extra}


def _ok(result: Any) -> None:
    assert result.code == 0, result.output


def _set_note(server: Server, rev: str, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    subprocess.run(["git", "notes", f"--ref={NOTES}", "add", "-f", "-F", "-", rev], cwd=server.path, input=data,
                   check=True, capture_output=True)


def _attested_main(tmp_path: Path, pusher: tuple[str, str] = ("mo", MO[1]), policy: str = POLICY
                   ) -> tuple[Server, RepoBuilder, Path, Path, str]:
    """A server whose main holds one commit, pushed through the gate with a key: (server, work clone, private
    key, public key, main's tip)."""
    server = make_server(tmp_path / "srv", policy=policy)
    private, public = _keypair(tmp_path)
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private, *pusher)))
    tip = server.tip()
    assert tip is not None
    return server, work, private, public, tip


def _bypassed_mobile_tip(tmp_path: Path) -> tuple[Server, RepoBuilder, Path, Path, str]:
    """main: a gated first push (L3 start), then an unreviewed mobile commit let in by break-glass (L2)."""
    server = make_server(tmp_path / "srv", policy=BYPASS_POLICY)
    private, public = _keypair(tmp_path)
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private)))
    work.commit("From the phone, never reviewed" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    result = push(work, "-o", "gatekeeper.bypass=prod down, INC-42", "origin", "HEAD:refs/heads/main",
                  env=_env(private, pusher="captain"))
    _ok(result)
    assert "ACCEPTED BY BYPASS" in result.remote_text
    tip = server.tip()
    assert tip is not None
    code, before = _verify(server, tip, public)
    assert code == 0 and before["verifiedLevels"] == ["SLSA_SOURCE_LEVEL_2"]  # honest record of the bypass
    return server, work, private, public, tip


# -- findings -------------------------------------------------------------------------------------------

def test_new_protected_branch_launders_a_bypassed_commit_to_level_3_mobile_reviewed(tmp_path: Path) -> None:
    """Attack: an unreviewed mobile commit lands on main by break-glass and is honestly attested at level 2
    with no properties. Any pusher then creates a new protected branch (`release/evil`) at that very commit.
    The creation brings no new commits, so the verdict judges nothing; `controls_for` turns the empty set
    into vacuous truths (mobile_reviewed=all([]), secrets_scanned "or not commits", sast_on_mobile "not
    mobile"; gatekeeper/attest/controls.py:119-125), `build_attestation` makes a creation a recorded
    *start* with no continuity cap (gatekeeper/attest/admission.py:163-166: `is_start = start or
    previous_tip is None`), and the commit's note is overwritten (`notes add --force`,
    gatekeeper/modes/install.py:78). `attest verify` now says SLSA Source level 3 +
    ORG_SOURCE_MOBILE_REVIEWED for a commit nobody reviewed, and every later push to main inherits level 3
    from it (continuity reads the overwritten note), erasing the bypass from the record.

    Severity: high. A plain pusher (no bypass right, no key) turns a break-glass (or hook-less) admission
    into a higher, "reviewed" attestation — exactly what the attestations exist to prevent.

    Secure: attesting a revision that already carries a verified attestation never raises its level or
    properties (cap at the recorded one, or keep the existing note), and a change that judged no commits
    earns no ORG_SOURCE_ property by vacuous truth.
    """
    server, work, private, public, tip = _bypassed_mobile_tip(tmp_path)
    result = push(work, "origin", "HEAD:refs/heads/release/evil", env=_env(private))
    _ok(result)
    code, after = _verify(server, tip, public)
    assert after["level"] in (None, 1, 2), after["verifiedLevels"]
    assert "ORG_SOURCE_MOBILE_REVIEWED" not in after["verifiedLevels"], after["verifiedLevels"]
    # ... and main's continuity does not climb back above the bypass either.
    work.commit("Next", {"n.txt": "n\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private)))
    code, nxt = _verify(server, server.tip() or "", public)
    assert code == 0 and nxt["level"] <= 2, nxt["verifiedLevels"]


def test_creating_a_protected_branch_at_an_old_commit_breaks_mains_verified_chain(tmp_path: Path) -> None:
    """Attack: main is A (L3 start) <- B (L3, its provenance links to A's VSA by digest). A pusher creates
    the protected ref `release/x` at A. post-receive attests A again (a new start, new time, new digest) and
    `notes add --force` (gatekeeper/modes/install.py:78, git/notes.py `write_note`) replaces A's note — one
    note per commit, whatever the ref: B's link to A's VSA now dangles, so `attest verify B` FAILS
    ("replaced or edited") although nothing about B or A changed — every later tip of main fails too, until
    an operator re-starts continuity. Meanwhile `gatekeeper audit --attest-key` still shows B as "verified
    level 3" (it checks each note's own link only): audit and verify disagree.

    Severity: medium. Any pusher allowed to create a protected branch (release/*) can make the gate's own
    honest record unverifiable (a consumer gating deployments on `attest verify --level 3` stops), and the
    audit misreports the state.

    Secure: one revision admitted to several refs keeps every attestation the chain links to (append a
    per-ref attestation, or leave an existing verified note alone); `attest verify B` stays PASSED.
    """
    server, work, private, public, first = _attested_main(tmp_path, ("rita", RITA[1]))
    work.commit("Second", {"a.txt": "a\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private, "rita", RITA[1])))
    second = server.tip()
    assert first and second
    code, before = _verify(server, second, public)
    assert code == 0 and before["level"] == 3
    _ok(push(work, "origin", f"{first}:refs/heads/release/x", env=_env(private)))
    code, after = _verify(server, second, public)
    assert code == 0 and after["verified"] is True, after["problems"]


def test_attestation_of_another_repository_verifies_here(tmp_path: Path) -> None:
    """Attack: one gate key signs for many repositories (one server-wide GATEKEEPER_ATTEST_KEY, or an
    organisation secret for the Action). A commit C is admitted (level 3) in repository `evil`, which the
    attacker controls; C is also pushed to an unprotected branch of `app`, where it was never admitted. The
    note from `evil` is carried into `app`'s notes (a fork/mirror the verifier fetched from, or — with the
    Action on github.com — a collaborator pushing refs/notes/gatekeeper/attestations, which no pre-receive
    guards there). `attest verify C` in `app` says PASSED level 3: verify.py (`verify_link`,
    gatekeeper/attest/verify.py:91-134, which only carries `resourceUri` out at :126, and `verify_revision`) never compares the VSA's `resourceUri`
    (nor the chain's refs) with the repository being verified; the SLSA VSA rules make that check the
    verifier's job.

    Severity: medium. A valid, trusted-key attestation is replayed across repositories: "C is level 3 in
    app" is false. Needs a shared key and a way to place the note, both ordinary in practice.

    Secure: verify knows the resource it verifies for (the same GATEKEEPER_RESOURCE_URI the gate uses to
    name the repository, or an explicit expectation) and refuses a VSA whose resourceUri differs.
    """
    evil = make_server(tmp_path / "evil", policy=POLICY)
    app = make_server(tmp_path / "app", policy=POLICY)
    private, public = _keypair(tmp_path)
    evil_uri, app_uri = "git+https://git.example.com/mallory/evil", "git+https://git.example.com/org/app"
    work = evil.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private, GATEKEEPER_RESOURCE_URI=evil_uri)))
    commit = evil.tip()
    assert commit is not None
    work.git("remote", "add", "app", app.path.as_uri())
    _ok(push(work, "app", "HEAD:refs/heads/feature", env=_env(private, GATEKEEPER_RESOURCE_URI=app_uri)))
    assert app.git("for-each-ref", NOTES) == ""  # not admitted to anything protected in app
    _set_note(app, commit, evil.git("notes", f"--ref={NOTES}", "show", commit) + "\n")
    assert _payload(_note(app, commit)[1])["predicate"]["resourceUri"] == evil_uri
    proc = _gk("attest", "verify", commit, "--repo", str(app.path), "--key", str(public), "--format", "json",
               cwd=app.root, env=_base_env() | _env(private, GATEKEEPER_RESOURCE_URI=app_uri))
    result = json.loads(proc.stdout)
    assert proc.returncode == 1 and result["verified"] is False, result


def test_deeply_nested_note_crashes_verify_and_audit(tmp_path: Path) -> None:
    """Attack: a note whose line is `[[[[…` (100k deep, well under the 256 KiB note limit) is placed beside
    a genuine attestation (a fetched fork/mirror, the github.com notes ref any collaborator can push, or a
    clone handed to the auditor). `parse_bundle` (gatekeeper/attest/store.py:43-45) catches only ValueError
    around `json.loads`; the C decoder raises RecursionError. `attest verify` and `gatekeeper audit
    --attest-key` stop with "internal error: RecursionError … report the traceback" (exit 4) instead of
    naming the bad note: one planted line makes the revision unverifiable and kills the whole audit.

    Severity: low (denial of service / unclear failure; nothing is wrongly accepted).

    Secure: a malformed note line is a problem of that note ("line 1 is not JSON"), reported without a
    traceback; verify exits 1 with JSON output, the audit completes and marks the revision unverified.
    """
    server, _work, _private, public, tip = _attested_main(tmp_path)
    genuine = server.git("notes", f"--ref={NOTES}", "show", tip)
    _set_note(server, tip, "[" * 100_000 + "\n" + genuine + "\n")
    proc = _gk("attest", "verify", tip, "--repo", str(server.path), "--key", str(public), "--format", "json",
               cwd=server.root)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-300:]
    assert proc.returncode in (0, 1) and json.loads(proc.stdout)["revision"] == tip
    proc = _gk("audit", "--repo", str(server.path), "--format", "json", "--attest-key", str(public),
               cwd=server.root)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-300:]
    assert proc.returncode == 0


def test_unverified_note_with_unicode_digit_level_crashes_the_audit(tmp_path: Path) -> None:
    """Attack: a note whose VSA claims `SLSA_SOURCE_LEVEL_²`. Without --attest-key the audit shows each
    note's *claimed* level through `parse_level` (gatekeeper/attest/controls.py:208-214), which tests the
    tail with `str.isdigit()` — True for '²' — then calls `int('²')`, which raises ValueError: the whole
    `gatekeeper audit` stops with "internal error: ValueError" (exit 4). (The same test accepts Arabic-Indic '٣' as level 3.) Unsigned
    claims are hostile input by definition here.

    Severity: low (an audit of a fetched/forked clone is stopped by one planted note).

    Secure: parse_level accepts only ASCII digits (`tail.isascii() and tail.isdigit()`, or a regex
    `[0-4]`); the audit shows that note as unreadable and finishes.
    """
    server, _work, _private, _public, tip = _attested_main(tmp_path)
    envelopes = _note(server, tip)
    statement = _payload(envelopes[1])
    statement["predicate"]["verifiedLevels"] = ["SLSA_SOURCE_LEVEL_\u00b2"]
    envelopes[1]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    _set_note(server, tip, "".join(json.dumps(e) + "\n" for e in envelopes))
    proc = _gk("audit", "--repo", str(server.path), "--format", "json", cwd=server.root)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-300:]
    assert proc.returncode == 0
    by_sha = {c["sha"]: c["attestation"] for c in json.loads(proc.stdout)["commits"]}
    assert by_sha[tip]["level"] is None


def test_bundle_of_a_push_another_hook_refused_is_stored_for_a_later_unprotected_push(tmp_path: Path) -> None:
    """Attack: pre-receive signs B's attestation for `A -> B refs/heads/main` and leaves
    `admitted/A.B.bundle`; then the repository's `update` hook (or any later check, or a lost ref race)
    refuses the main update, so post-receive never stores it and main stays at A. The pusher now pushes
    `A -> B` to the *unprotected* `refs/heads/feature` (which sits at A). pre-receive writes `A.B.skip` for
    that line but leaves the stale bundle; the post-receive script (gatekeeper/modes/install.py:74-81,
    `POST_RECEIVE_BODY`) and `run_post_receive` (gatekeeper/modes/attest.py:67-72) take a `.bundle` before
    looking at `.skip`, keyed only by `<old>.<new>` (admission.py:50 `record_stem`; the `.skip` at :87 leaves a stale bundle in place), never by ref or push.
    B gets a verified note saying it was admitted to refs/heads/main at level 3, and the pusher is told
    "attested refs/heads/main at B" — yet main refused B.

    Severity: medium. A revision another control refused is recorded, with the gate's key, as admitted to
    the protected branch; a consumer verifying B before deploying it is misled. Needs only a refused push
    and a branch at the same old tip.

    Secure: a bundle is stored only for the push (and ref) it was signed for: pre-receive removes stale
    files of a stem it marks `.skip`, and post-receive checks the bundle's ref (subject sourceRefs) against
    the line's ref; B has no attestation after these pushes.
    """
    server = make_server(tmp_path / "srv", policy=POLICY)
    private, public = _keypair(tmp_path)
    env = _env(private, "rita", RITA[1])
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=env))
    _ok(push(work, "origin", "HEAD:refs/heads/feature", env=env))
    hook = server.path / "hooks" / "update"
    hook.write_text('#!/bin/sh\ncase "$1" in refs/heads/main) echo "update hook: main is frozen" >&2; exit 1;; '
                    'esac\nexit 0\n')
    hook.chmod(0o755)
    candidate = work.commit("Second", {"a.txt": "a\n"})
    refused = push(work, "origin", "HEAD:refs/heads/main", env=env)
    assert refused.code != 0 and "main is frozen" in refused.output
    assert server.tip() != candidate
    _ok(push(work, "origin", "HEAD:refs/heads/feature", env=env))
    assert server.tip("refs/heads/feature") == candidate
    code, result = _verify(server, candidate, public)
    assert code == 1 and result["verified"] is False, result["chain"]


# -- controls: attacks the current code stops -------------------------------------------------------------

def test_control_new_protected_branch_at_an_unreviewed_commit_from_an_unprotected_branch_is_judged(
        tmp_path: Path) -> None:
    """Control (held): an unreviewed mobile commit parked on an unprotected branch, then pushed as a new
    protected branch (`release/evil`): the creation judges every commit not yet on a protected ref, so the
    push is refused and nothing is attested — the laundering above needs the commit already on a protected
    ref (break-glass, a hook-less push)."""
    server = make_server(tmp_path / "srv", policy=POLICY)
    private, _public = _keypair(tmp_path)
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private)))
    work.commit("From the phone, unreviewed" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    _ok(push(work, "origin", "HEAD:refs/heads/feature", env=_env(private)))
    result = push(work, "origin", "HEAD:refs/heads/release/evil", env=_env(private))
    assert result.code != 0 and "review/missing" in result.remote_text
    assert server.tip("refs/heads/release/evil") is None


def test_control_forged_vsa_with_spoofed_keyid_is_refused(tmp_path: Path) -> None:
    """Control (held): the VSA's payload raised to level 4 and re-signed by the attacker's key, the
    signature carrying the *trusted* key's keyid. securesystemslib matches keyid and then verifies with the
    trusted key, so the forged signature fails and verify names it."""
    from gatekeeper.attest.envelope import load_signer, sign_statement

    server = make_server(tmp_path / "srv", policy=POLICY)
    private, public = _keypair(tmp_path)
    attacker, _ = _keypair(tmp_path, "attacker")
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private)))
    tip = server.tip()
    assert tip is not None
    envelopes = _note(server, tip)
    trusted_keyid = envelopes[1]["signatures"][0]["keyid"]
    statement = _payload(envelopes[1])
    statement["predicate"]["verifiedLevels"] = ["SLSA_SOURCE_LEVEL_4"]
    forged = sign_statement(statement, load_signer(attacker)).envelope
    forged["signatures"][0]["keyid"] = trusted_keyid
    _set_note(server, tip, "".join(json.dumps(e) + "\n" for e in (envelopes[0], forged)))
    code, result = _verify(server, tip, public)
    assert code == 1 and "does not verify" in " ".join(result["problems"])


def _base_env() -> dict[str, str]:
    return dict(os.environ)


# -- the fixes' edges -----------------------------------------------------------------------------------------

def test_a_protected_branch_created_at_an_unattested_commit_claims_no_control_it_did_not_see(tmp_path: Path) -> None:
    """The other half of the laundering fix: a commit that reached main before attestation was switched on has
    no note to keep. A protected branch created at it is a recorded start, but judged no commit: it claims no
    review, scanning or attribution property (an empty `all()` held them all) and stays below level 3."""
    server = make_server(tmp_path / "srv", policy=POLICY)
    private, public = _keypair(tmp_path)
    work = server.clone()
    work.commit("From the phone" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    plain = {"GATEKEEPER_PUSHER": "mo", "GATEKEEPER_PUSHER_EMAIL": MO[1]}
    work.commit("Initial import", {"README.md": "hello\n"})
    # Before the gate had a key: the push is judged (and may be refused); park the commits past the gate as an
    # administrator would have, by a push to a branch that is not protected, then fast-forward main on the server.
    _ok(push(work, "origin", "HEAD:refs/heads/import", env=plain))
    tip = server.git("rev-parse", "refs/heads/import").strip()
    server.git("update-ref", "refs/heads/main", tip)
    assert server.git("for-each-ref", NOTES) == ""
    _ok(push(work, "origin", f"{tip}:refs/heads/release/1.0", env=_env(private)))
    code, result = _verify(server, tip, public)
    assert code == 0, result
    assert result["level"] is not None and result["level"] <= 2, result["verifiedLevels"]
    assert not [v for v in result["verifiedLevels"] if v.startswith("ORG_SOURCE_")
                and v != "ORG_SOURCE_DEVICE_SIGNED"], result["verifiedLevels"]


def test_two_refs_of_one_push_at_the_same_update_store_the_protected_ones_bundle(tmp_path: Path) -> None:
    """`A -> B` to main (protected) and to an unprotected branch in one push: both lines share `<A>.<B>`; the
    bundle signed for main is stored whatever the order of the lines, and B verifies."""
    server = make_server(tmp_path / "srv", policy=POLICY)
    private, public = _keypair(tmp_path)
    env = _env(private, "rita", RITA[1])
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", "HEAD:refs/heads/aaa-feature", env=env))
    work.commit("Second", {"a.txt": "a\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/aaa-feature", "HEAD:refs/heads/main", env=env))
    code, result = _verify(server, server.tip() or "", public)
    assert code == 0 and result["verified"] is True, result
    assert not list((server.path / "gatekeeper" / "admitted").glob("*.ref"))


def test_a_new_protected_branch_off_a_lowered_main_does_not_reset_mains_continuity(tmp_path: Path) -> None:
    """Follow-up of the "first attestation stands" fix: main is lowered to level 2 by a break-glass commit B. A
    pusher cuts `release/x` from B with a clean commit C: a new ref was a recorded start, so C was attested at
    level 3 with every property — and as C's attestation now stands, fast-forwarding main to C kept it: main's
    continuity climbed back to 3 without an operator's `--start`. A new branch's start is now capped by what it
    was created on (admission.creation_cap): C is a start at B's level."""
    server, work, private, public, bypassed = _bypassed_mobile_tip(tmp_path)
    work.commit("Clean change", {"c.txt": "c\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/release/x", env=_env(private, "rita", RITA[1])))
    tip = server.tip("refs/heads/release/x")
    assert tip is not None
    code, result = _verify(server, tip, public)
    assert code == 0 and result["level"] == 2, result
    assert [(link["revision"], link["start"]) for link in result["chain"]] == [(tip, True)], result["chain"]
    assert bypassed in server.git("rev-list", tip)
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(private, "rita", RITA[1])))
    code, result = _verify(server, server.tip() or "", public)
    assert code == 0 and result["level"] == 2, result


def test_a_release_branch_cut_from_a_level_3_main_keeps_level_3(tmp_path: Path) -> None:
    """The cap takes nothing from an honest cut: a release branch created with a clean commit on main's level-3
    tip is a start at level 3 with main's properties."""
    server, work, private, public, tip = _attested_main(tmp_path, ("rita", RITA[1]))
    code, main = _verify(server, tip, public)
    assert code == 0 and main["level"] == 3
    work.commit("Release notes", {"NOTES.md": "1.0\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/release/1.0", env=_env(private, "rita", RITA[1])))
    code, result = _verify(server, server.tip("refs/heads/release/1.0") or "", public)
    assert code == 0 and result["level"] == 3, result
    assert set(result["verifiedLevels"]) == set(main["verifiedLevels"]), (result["verifiedLevels"], main)
