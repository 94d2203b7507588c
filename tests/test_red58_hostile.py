"""Red team red58: today's changes — the base-version scan of the head scanners (scan/head.py _earlier), the
secrets scan of over-cap blobs, the push-time origin recorded early (origin/recorded.py PushTimeOrigin, the
watchdog's origin_pending and timeout record) and the zone check of merges through git's re-merge
(Diffs.merge_resolutions, engine.merge_resolutions' fallback, ZoneCheck).

Each test but the controls FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with
the installed hook (or the hook's own entry point under its watchdog, as red54 runs it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hook_helpers import AWS_KEY, TEST_POLICY, seeded, spush
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red54_hostile import _hung_hook
from tests.test_red57_hostile import _ENV, V1, _fixed_main_and_sides

# -- 1. an octopus merge whose first parent is the side that holds the old zone file ------------------------------

def _octopus_onto_side(tmp_path: Path):  # type: ignore[no-untyped-def]
    """red57's main/side/side2; on `side` an agent octopus merge of main and side2 keeping side's pay/c.py (v1);
    then on main a plain human merge of `side` (not pushed). (server, work, main's fixed tip, the octopus)."""
    server, work, fixed = _fixed_main_and_sides(tmp_path, sides=2)
    work.checkout("side")
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "main", "side2")
    work.git("checkout", "main", "--", "README.md")
    work.git("checkout", "side2", "--", "docs/side2.md")
    work.git("commit", "-q", "-m", "Merge main and side2 into side\n\n" + COPILOT, env=_ENV)
    agent = work.head()
    assert len(work.git("log", "-1", "--format=%P").split()) == 3
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    work.checkout("main")
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side", env=_ENV)
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    return server, work, fixed, agent


def test_an_agent_octopus_merge_onto_its_own_branch_reverts_the_zone_file_through_a_plain_merge(tmp_path: Path) -> None:
    """Attack: the agent's branch `side` (forked before main's fix of pay/c.py, in the `ai: block` zone) is
    "updated from main" the way agents and `gh pr update-branch`-style flows do, but as an octopus: on `side` the
    agent (`Co-authored-by: Copilot`) merges main AND `side2`, resolving pay/c.py to its own side's v1 — reverting
    main's fix. A human (no AI evidence) then lands the branch on main with a plain `git merge --no-ff side`: git's
    automatic merge takes the agent's tree (main's tip is an ancestor), so that merge resolves nothing. Git cannot
    re-merge an octopus, so Diffs.merge_resolutions raises and engine.merge_resolutions (gatekeeper/engine.py
    `merge_resolutions`) falls back to "every path changed against the first parent" — and the first parent is
    `side`, whose pay/c.py IS v1: nothing. The combined diff does not list pay/c.py either (equal to parent 1).
    ZoneCheck sees no zone path on the agent's merge; accepted: main's fix is reverted by an agent's commit.

    Severity high: red57's octopus fix holds only when the octopus's first parent is the protected branch; merging
    main into one's branch is the common direction, and the one-more-parent trick is the same.

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: for a merge git cannot re-merge, count
    every path that differs from ANY parent (`diff-tree -m`, the union over parents), not the first parent only."""
    server, work, fixed, agent = _octopus_onto_side(tmp_path)
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, (f"the agent's octopus {agent[:12]} reverted pay/c.py on main:\n"
                                   + result.remote_text)
    assert "policy/zone-violation" in result.remote_text, result.remote_text


def test_the_audit_reports_the_same_octopus_as_a_zone_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: the history of the test above, landed where no hook ran (before adoption, a mirror, an admin
    push): `gatekeeper audit` judges merges through the same fallback (audit/history.py `_zones` ->
    engine.merge_resolutions -> first-parent diff) and reports no zone change on the agent's octopus merge, which
    reverted pay/c.py on main. Severity medium (the audit is the after-the-fact net for what the hook missed).
    Secure behaviour: the agent's octopus lists a zone entry for pay/c.py."""
    from tests.audit_helpers import audit

    _, work, _, agent = _octopus_onto_side(tmp_path)
    policy = tmp_path / "policy.yml"
    policy.write_text(AI_ZONE_SERVER_POLICY)
    data = audit(capsys, work.path, "--policy", str(policy))
    octopus = next(c for c in data["commits"] if c["sha"] == agent)
    assert octopus["ai"], json.dumps(octopus)  # the audit sees the agent
    assert any(z["path"] == "pay/c.py" for z in octopus.get("zones") or ()), json.dumps(octopus)


def test_control_the_same_update_as_a_two_parent_merge_is_refused(tmp_path: Path) -> None:
    """Control: the same agent merge of main into `side` with two parents is refused (git re-merges it)."""
    server, work, fixed = _fixed_main_and_sides(tmp_path)
    work.checkout("side")
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "main")
    work.git("checkout", "main", "--", "README.md")
    work.git("commit", "-q", "-m", "Merge main into side\n\n" + COPILOT, env=_ENV)
    work.checkout("main")
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side", env=_ENV)
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed
    assert "policy/zone-violation" in result.remote_text, result.remote_text


# -- 2. the timeout record keeps a ref's name as pushed -----------------------------------------------------------

def test_the_timeout_record_does_not_keep_a_key_pushed_as_a_ref_name(tmp_path: Path) -> None:
    """Attack / accident: `git push origin HEAD:$AWS_ACCESS_KEY_ID` (a variable pasted where a branch name goes,
    or a pusher who wants a key in the server's logs). Every verdict redacts a key in a ref's name wherever it names
    the ref (engine._redact_names: "so no renderer, the decision log or a pusher's terminal prints it"). But a push
    the watchdog answers (check out of time) is now recorded with `refs` (HookState.lines -> watchdog
    HookState.record -> audit/pushlog.record_outcome `refs=[{"ref": ref, ...}]`, and the decision-log entry's
    refs) straight from the raw stdin lines: the key lands in the audit log and the hash-chained decision log.

    Severity medium (leak): the logs keep a credential the gate redacts everywhere else; the decision log is
    append-only and shipped to a collector.

    Secure behaviour: the timeout record names the ref with the key redacted (redact_secrets on each ref name, as
    logged_options does for push options)."""
    server, work = seeded(tmp_path)
    work.branch("topic")
    work.commit("topic\n", {"app.py": "x = 1\n"})
    ref = f"refs/heads/{AWS_KEY}"
    _, code, said = _hung_hook(server, work, ref, (), TEST_POLICY)
    assert code != 0 and "did not finish" in said, said
    raw = server.audit_log.read_text()
    entry = server.audit()[-1]
    assert entry["event"] == "timeout", entry
    assert AWS_KEY not in raw, f"the audit log keeps the key pushed as a ref name: {entry['refs']}"


def test_control_a_decided_push_to_a_key_named_ref_keeps_no_key_in_the_audit_log(tmp_path: Path) -> None:
    """Control: the same push decided by the gate (no timeout) leaves the key out of the audit log."""
    server, work = seeded(tmp_path)
    work.branch("topic")
    work.commit("topic\n", {"app.py": "x = 1\n"})
    spush(server, work, "origin", f"HEAD:refs/heads/{AWS_KEY}")
    assert server.audit() and AWS_KEY not in server.audit_log.read_text()


def test_control_the_audit_reports_the_two_parent_update_as_a_zone_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Control: the audit of the two-parent form (git re-merges it) lists pay/c.py on the agent's merge."""
    from tests.audit_helpers import audit

    _, work, _ = _fixed_main_and_sides(tmp_path)
    work.checkout("side")
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "main")
    work.git("checkout", "main", "--", "README.md")
    work.git("commit", "-q", "-m", "Merge main into side\n\n" + COPILOT, env=_ENV)
    agent = work.head()
    work.checkout("main")
    work.git("merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side", env=_ENV)
    policy = tmp_path / "policy.yml"
    policy.write_text(AI_ZONE_SERVER_POLICY)
    data = audit(capsys, work.path, "--policy", str(policy))
    merge = next(c for c in data["commits"] if c["sha"] == agent)
    assert any(z["path"] == "pay/c.py" for z in merge.get("zones") or ()), json.dumps(merge)

