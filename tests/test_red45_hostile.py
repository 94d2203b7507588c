"""red45: hostile parties against today's attestation fixes (first attestation stands, vacuous-aware controls,
`.ref`-bound bundles, `--resource`, a new ref continuing from its nearest attested ancestor).

Every test builds a real bare server with the installed hooks (pre-receive + post-receive), pushes for real and
verifies with a real ed25519 key through the CLI. A failing test asserts the secure behaviour; its docstring
names the attack, its severity and the weak code.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import MO, MOBILE, RITA, push
from tests.test_attest import NOTES, _verify
from tests.test_red43_hostile import _attested_main, _bypassed_mobile_tip, _env, _ok


def test_merge_with_a_newer_level_3_side_branch_launders_a_break_glass_main(tmp_path: Path) -> None:
    """Attack: main is A (L3) <- B, an unreviewed mobile commit let in by break-glass and honestly attested at
    level 2 with no property. Every later push to main is capped at 2 (continuity), until an operator's
    `--start`. A plain pusher (no bypass right, no key) then:
      1. creates the protected `release/side` at X, a clean commit on top of A (before B): a new ref continues
         from its nearest attested ancestor, A (level 3), so X is level 3;
      2. creates the protected `release/m` at M = merge(B, X). The verdict judges only M (B is already on main,
         X on release/side); `attested_ancestor` (gatekeeper/attest/admission.py:212-229) walks git's rev-list
         order — newest commit time first — and the first noted ancestor it meets is X (newer than B), not B:
         M continues from X at level 3 with every property, although it contains the break-glass commit;
      3. fast-forwards main from B to M: M already carries a verified attestation, so pre-receive writes `.skip`
         and keeps it (admission.py:104-108, "a revision keeps its first attestation").
    `attest verify` on main's tip: PASSED, level 3, ORG_SOURCE_MOBILE_REVIEWED — with B's unreviewed mobile
    change in it. Pushing the same M straight onto main would have been capped at B's level 2. The pusher
    chooses the commit dates, so even a side branch made *before* B wins once its commit is backdated forward.

    Severity: high. Exactly the laundering red43 closed for a linear branch (test_a_new_protected_branch_off_a_
    lowered_main...), reopened by one merge: a break-glass admission disappears from main's level for anyone
    who may create a protected branch.

    Secure: a new ref's continuity is capped by *every* parent line, not the first noted ancestor in date order
    (e.g. for each parent of the new commits' boundary, its nearest verified attestation; level = min, properties
    = intersection), so M — and main fast-forwarded to it — stays at level 2 without ORG_SOURCE_MOBILE_REVIEWED.
    """
    server, work, private, public, bypassed = _bypassed_mobile_tip(tmp_path)
    clean = _env(private, "rita", RITA[1])
    first = server.git("rev-parse", f"{bypassed}^")
    code, base = _verify(server, first, public)
    assert code == 0 and base["level"] == 3
    work.branch("side", first)
    side = work.commit("Clean side change", {"s.txt": "s\n"})  # its clock is after B's
    _ok(push(work, "origin", "HEAD:refs/heads/release/side", env=clean))
    code, result = _verify(server, side, public)
    assert code == 0 and result["level"] == 3, result
    work.git("checkout", "-q", bypassed)
    merged = work.merge("side", "Merge the side change")
    _ok(push(work, "origin", "HEAD:refs/heads/release/m", env=clean))
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=clean))
    assert server.tip() == merged
    code, result = _verify(server, merged, public)
    assert code == 0, result
    assert result["level"] <= 2, (result["verifiedLevels"], [c["revision"][:12] for c in result["chain"]])
    assert "ORG_SOURCE_MOBILE_REVIEWED" not in result["verifiedLevels"], result["verifiedLevels"]


def test_a_new_branch_skips_an_unattested_protected_tip_to_an_older_level_3(tmp_path: Path) -> None:
    """Attack: main is A (L3). B — an unreviewed mobile commit — reaches main without any attestation: a push
    while the server ran without GATEKEEPER_ATTEST_KEY (a key rotation or misconfiguration window), an
    administrator's server-side `update-ref`, a mirror push, or a post-receive whose `notes add` failed.
    Main's own continuity treats that honestly: the next push to main has "no verified attestation" at its
    previous tip and is level 1 until an operator's `--start`. A plain pusher instead cuts the protected
    `release/x` from B with a clean commit C: `attested_ancestor` (gatekeeper/attest/admission.py:212-229) skips
    every ancestor *without a note* (`if sha not in noted: continue`) and continues from A, level 3 — so C is
    level 3 with every property, its chain C -> A passing over B. Fast-forwarding main to C keeps that (the
    first attestation stands): main is level 3, mobile reviewed, with B never judged by the gate.

    Severity: high. A protected tip that bypassed the gate entirely is laundered to the full level, and main's
    broken continuity is restored without the operator's `--start` that the docs require. (The same walk also
    passes over ancestors whose notes do not verify, e.g. after a key rotation, and — once 50 such notes are
    met — falls back to a fresh start at the full level.)

    Secure: an unattested commit that is already in a protected history between the new ref and its attested
    ancestor breaks continuity as it does on main (level 1, `--start` to re-establish); C and main stay <= 1,
    or at least below 3 without ORG_SOURCE_MOBILE_REVIEWED.
    """
    server, work, private, public, first = _attested_main(tmp_path, ("rita", RITA[1]))
    clean = _env(private, "rita", RITA[1])
    work.commit("From the phone, never reviewed" + MOBILE, {"m.py": "x = 1\n"}, author=MO, committer=MO)
    # B reaches main past the attestation: parked on an unprotected branch, main moved on the server.
    _ok(push(work, "origin", "HEAD:refs/heads/park", env=clean))
    bypassed = server.git("rev-parse", "refs/heads/park")
    server.git("update-ref", "refs/heads/main", bypassed, first)
    assert server.git("notes", f"--ref={NOTES}", "list", bypassed, check=False) == ""
    # Main's own continuity: the next tip on main would be level 1.
    work.commit("Clean change", {"c.txt": "c\n"})
    _ok(push(work, "origin", "HEAD:refs/heads/release/x", env=clean))
    tip = server.tip("refs/heads/release/x")
    assert tip is not None
    _ok(push(work, "origin", "HEAD:refs/heads/main", env=clean))
    assert server.tip() == tip
    code, result = _verify(server, tip, public)
    assert code == 0, result
    assert result["level"] <= 1, (result["verifiedLevels"], [c["revision"][:12] for c in result["chain"]])
    assert "ORG_SOURCE_MOBILE_REVIEWED" not in result["verifiedLevels"], result["verifiedLevels"]



# -- controls: attacks the current code stops -------------------------------------------------------------------

def test_control_merging_a_break_glass_main_into_an_existing_level_3_branch_re_judges_the_bypassed_commit(
        tmp_path: Path) -> None:
    """Control (held): main is A (L3) <- B (break-glass, unreviewed mobile, L2); the existing protected `release/1`
    sits at A (L3). Merging main into release/1 (`A -> merge(A, B)`) would make N level 3 by release/1's
    continuity and, with "the first attestation stands", main fast-forwarded to N would keep it. It is stopped
    because an *update* of an existing ref judges every commit new to that ref (B included), so the push is
    refused for review/missing. (The same laundering through a *new* ref is the first finding above: a
    creation judges only commits on no protected ref.)"""
    server, work, private, public, bypassed = _bypassed_mobile_tip(tmp_path)
    clean = _env(private, "rita", RITA[1])
    first = server.git("rev-parse", f"{bypassed}^")
    _ok(push(work, "origin", f"{first}:refs/heads/release/1", env=clean))
    work.git("checkout", "-q", "-b", "rel", first)
    work.merge(bypassed, "Merge main into release/1")
    result = push(work, "origin", "HEAD:refs/heads/release/1", env=clean)
    assert result.code != 0 and "review/missing" in result.remote_text, result.output
    assert server.tip("refs/heads/release/1") == first
