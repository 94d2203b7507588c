"""red47: hostile parties against the attestation continuity rules after red45 (a revision keeps its first
verified attestation, vacuous-aware controls, a new protected ref capped by what it was created on).

Every test builds a real bare server with the installed hooks (pre-receive + post-receive), pushes for real and
verifies with real ed25519 keys through the CLI. A failing test asserts the secure behaviour; its docstring names
the attack, its severity and the weak code.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import MO, MOBILE, RITA, make_server, push
from tests.test_attest import NOTES, POLICY, _gk, _keypair, _verify
from tests.test_red43_hostile import BYPASS_POLICY, _attested_main, _env, _ok


def _verify_keys(server, rev: str, *publics: Path) -> tuple[int, dict]:
    import json
    args = [a for p in publics for a in ("--key", str(p))]
    proc = _gk("attest", "verify", rev, "--repo", str(server.path), *args, "--format", "json", cwd=server.root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_after_a_key_rotation_any_pusher_replaces_an_old_attestation_and_breaks_its_chain(tmp_path: Path) -> None:
    """Attack: the gate's key is rotated as docs/attestations.md ("What it does not claim") prescribes — publish
    the new public key, "old attestations keep verifying with the old one". main is A <- B, both attested under
    the old key (B's provenance links to A's VSA by digest). A plain pusher (no key, no bypass right) then
    creates the protected `release/x` at A. pre-receive's "a revision keeps its first attestation" check
    (gatekeeper/attest/admission.py:104, `recorded_level(git, new, trusted)` with `trusted` = the *current*
    key only) does not recognise A's genuine old-key note, so it signs A again (a vacuous start) and
    post-receive's `notes add --force` replaces A's note. `attest verify B --key old --key new` now FAILS
    ("links to a different attestation ... replaced or edited"): the honest pre-rotation record of main — and
    of every commit after A on it — is unverifiable. An honest fast-forward of main to a commit attested before
    the rotation does the same.

    Severity: medium. Any pusher allowed to create a protected branch breaks the gate's own honest chains after
    every key rotation (a deployment gating on `attest verify --level 3` stops), contradicting the documented
    rotation promise. Nothing is attested higher (the new note is a vacuous start).

    Secure: a revision that already carries a genuine attestation — by any key the gate has used (a configured
    list of previous public keys), or simply any existing note — is never re-signed by pre-receive / post-
    receive; `attest verify B` with both keys stays PASSED at level 3.
    """
    server = make_server(tmp_path / "srv", policy=POLICY)
    old_private, old_public = _keypair(tmp_path, "old")
    new_private, new_public = _keypair(tmp_path, "new")
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(old_private, "rita", RITA[1])))
    first = server.tip()
    work.commit("Second", {"a.txt": "a\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=_env(old_private, "rita", RITA[1])))
    second = server.tip()
    assert first and second
    code, before = _verify_keys(server, second, old_public, new_public)
    assert code == 0 and before["level"] == 3, before
    # The key is rotated; a plain pusher creates a protected branch at an old main commit.
    _ok(push(work, "origin", f"{first}:refs/heads/release/x", env=_env(new_private)))
    code, after = _verify_keys(server, second, old_public, new_public)
    assert code == 0 and after["verified"] is True and after["level"] == 3, after["problems"]


TAG_POLICY = POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]',
                            'protected_refs: ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]')


def test_an_annotated_protected_tag_drops_every_branch_cut_below_it_to_level_1(tmp_path: Path) -> None:
    """Attack (or plain misfortune): the policy protects release tags (`refs/tags/v*`). main is A (L3), then one
    push brings B and C (C attested L3; B, inside that push, has no note of its own). A maintainer tags C with an
    ordinary annotated tag `v1.0`. Cutting the protected `release/1` from B with a clean fix F should be level 3:
    F's only attach point B is held by main, whose tip C is level 3. But `creation_cap`
    (gatekeeper/attest/admission.py:243-262) takes `git.refs_containing(B)` — `for-each-ref --contains`, whose
    `%(objectname)` for an annotated tag is the *tag object*, not the commit — and looks for a verified
    attestation on that tag object (`recorded_level(git, tip, ...)`), which never exists (pre-receive skips a
    tag object, admission.py:99). The cap is "continuity broken: refs/tags/v1.0 ... has no verified
    attestation": release/1 starts at level 1 with no property. Anyone allowed to push a `v*` tag can do this
    on purpose, to every commit of main below the tag.

    Severity: low-medium. An honest chain is recorded below its level (fails `attest verify --level 3`), and
    because a revision keeps its first attestation, main fast-forwarded to release/1 later is stuck at level 1
    until an operator's `--start`. Nothing is attested higher.

    Secure: a holder is judged by the commit it reaches (peel annotated tags: `%(*objectname)`), or protected
    tags are not holders; release/1's F is level 3 as without the tag.
    """
    server, work, private, public, _tip = _attested_main(tmp_path, ("rita", RITA[1]), TAG_POLICY)
    clean = _env(private, "rita", RITA[1])
    inner = work.commit("B", {"b.txt": "b\n"})
    tip = work.commit("C", {"c.txt": "c\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=clean))
    assert server.tip() == tip
    assert server.git("notes", f"--ref={NOTES}", "list", inner, check=False) == ""
    work.git("tag", "-a", "-m", "Release 1.0", "v1.0", tip)
    _ok(push(work, "origin", "refs/tags/v1.0:refs/tags/v1.0", env=clean))
    work.branch("rel", inner)
    fix = work.commit("Fix for 1.x", {"f.txt": "f\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/release/1", env=clean))
    code, result = _verify(server, fix, public)
    assert code == 0, result
    assert result["level"] == 3, (result["verifiedLevels"], _reasons(server, fix))


def test_moving_a_protected_tag_launders_a_break_glass_main_to_level_3_mobile_reviewed(tmp_path: Path) -> None:
    """Attack: the policy protects release tags (`refs/tags/v*`). main is A (L3) <- B, an unreviewed mobile
    commit let in by break-glass and honestly attested at level 2 with no property; every later push to main is
    capped at 2. A plain pusher (no bypass right, no key):
      1. tags A (`v0`, a lightweight tag: A already has its attestation, nothing is signed);
      2. makes a clean commit Y on top of B and moves the tag there (`git push --force origin Y:refs/tags/v0`).
         A tag move is RefKind.TAG (gatekeeper/git/repo.py:17-18), never FORCE, so RefUpdateCheck
         (gatekeeper/checks/__init__.py:122-127) does not refuse it; the engine judges only what no other
         protected ref reaches (engine.py:123-127: Y alone — B is on main); and because the line's old value is
         not zero, prepare_admission computes no creation cap (admission.py:113) and `build_attestation` continues
         from the tag's *old* target A (admission.py:171-176): level min(3, A's 3) = 3 with every property,
         previousTip A, which is an ancestor of Y, so `attest verify Y` PASSES;
      3. fast-forwards main from B to Y: Y already carries a verified attestation, so pre-receive keeps it
         (admission.py:104-108).
    `attest verify` main: level 3, ORG_SOURCE_MOBILE_REVIEWED, with B's unreviewed mobile change in it.

    Severity: high. The red43/red45 laundering of a break-glass (and equally of a commit that reached main
    unattested) reopened by anyone allowed to push a release tag: continuity of a moved tag is taken from a
    revision whose history does not contain the new target's.

    Secure: a protected tag (or any ref) whose new target does not descend from its old one is not a
    continuation of the old target's chain: it is a start capped like a creation (creation_cap over what it
    attaches to — here B, level 2), or refused as a force move. Y, and main fast-forwarded to it, stay <= 2
    without ORG_SOURCE_MOBILE_REVIEWED.
    """
    policy = BYPASS_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]',
                                   'protected_refs: ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]')
    assert policy != BYPASS_POLICY
    server, work, private, public, first = _attested_main(tmp_path, ("rita", RITA[1]), policy)
    clean = _env(private, "rita", RITA[1])
    work.commit("From the phone, never reviewed" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    result = push(work, "-o", "gatekeeper.bypass=prod down, INC-42", "origin", "HEAD:refs/heads/main",
                  env=_env(private, pusher="captain"))
    _ok(result)
    bypassed = server.tip()
    assert bypassed is not None
    code, before = _verify(server, bypassed, public)
    assert code == 0 and before["verifiedLevels"] == ["SLSA_SOURCE_LEVEL_2"], before
    _ok(push(work, "origin", f"{first}:refs/tags/v0", env=clean))
    laundered = work.commit("Clean change", {"c.txt": "c\n"})
    _ok(push(work, "--force", "origin", "HEAD:refs/tags/v0", env=clean))
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=clean))
    assert server.tip() == laundered
    code, result = _verify(server, laundered, public)
    assert code == 0, result
    assert result["level"] <= 2, (result["verifiedLevels"], [c["revision"][:12] for c in result["chain"]])
    assert "ORG_SOURCE_MOBILE_REVIEWED" not in result["verifiedLevels"], result["verifiedLevels"]


def _reasons(server, rev: str) -> list[str]:
    from tests.test_attest import _note, _payload
    return list(_payload(_note(server, rev)[0])["predicate"]["level"]["reasons"])


# -- controls: attacks the current code stops -------------------------------------------------------------------

def test_control_creating_a_protected_tag_above_a_break_glass_main_is_capped(tmp_path: Path) -> None:
    """Control (held): the same laundering through a *new* protected tag (or branch) at a clean commit Y on top of
    a break-glass B: the line's old value is zero, so creation_cap counts B's own level-2 attestation and Y starts
    at level 2 without ORG_SOURCE_MOBILE_REVIEWED. (The hole is the tag *move* above, which skips the cap.)"""
    policy = BYPASS_POLICY.replace('protected_refs: ["refs/heads/main", "refs/heads/release/*"]',
                                   'protected_refs: ["refs/heads/main", "refs/heads/release/*", "refs/tags/v*"]')
    server = make_server(tmp_path / "srv", policy=policy)
    private, public = _keypair(tmp_path)
    clean = _env(private, "rita", RITA[1])
    work = server.clone()
    work.commit("Initial import", {"README.md": "hello\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=clean))
    work.commit("From the phone, never reviewed" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    _ok(push(work, "-o", "gatekeeper.bypass=prod down, INC-42", "origin", "HEAD:refs/heads/main",
             env=_env(private, pusher="captain")))
    tip = work.commit("Clean change", {"c.txt": "c\n"})
    _ok(push(work, "origin", "HEAD:refs/tags/v1", env=clean))
    code, result = _verify(server, tip, public)
    assert code == 0 and result["level"] <= 2, result["verifiedLevels"]
    assert "ORG_SOURCE_MOBILE_REVIEWED" not in result["verifiedLevels"], result["verifiedLevels"]
