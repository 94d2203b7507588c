"""Red team red57: the push-time origin recorded before judging (pre_receive.py / origin/recorded.py /
watchdog.py) and the zone check on merges through git's re-merge (Diffs.merge_resolutions / ZoneCheck).

Each test but the controls FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with
the installed hook.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import DANA, MO, TEST_POLICY, Server, make_server, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT

_ENV = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
        "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}

V1 = "def pay(amount):\n    return amount\n"
V2 = "def pay(amount):\n    assert amount >= 0\n    return amount\n"


def _fixed_main_and_sides(tmp_path: Path, sides: int = 1):
    """main: pay/c.py v1, then main's fix (v2); `side`, `side2`, ... forked at v1, each with a docs commit, all
    already on the server. Returns (server, work, fixed tip of main)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": V1})
    names = ["side"] + [f"side{i}" for i in range(2, sides + 1)]
    for name in names:
        work.branch(name)
        work.checkout(name)
        work.commit(f"docs: {name}\n", {f"docs/{name}.md": "pay(amount)\n"})
        work.checkout("main")
    assert spush(server, work, "origin", "main", *names).code == 0
    fixed = work.commit("pay: refuse negative amounts\n", {"pay/c.py": V2})
    assert spush(server, work, "origin", "main").code == 0
    return server, work, fixed


# -- 1. octopus merges: git does not re-merge them -----------------------------------------------------------------

def test_an_agent_octopus_merge_that_takes_the_old_zone_file_from_a_side_is_a_zone_change(tmp_path: Path) -> None:
    """Attack: red53's reverting agent merge, made an octopus: the agent (`Co-authored-by: Copilot`) merges `side`
    AND `side2` (both forked before main's fix of pay/c.py, both already on the server) into main and resolves
    pay/c.py to the sides' v1, reverting main's fix in the `ai: block` zone. The combined diff (`diff-tree -c`)
    does not list pay/c.py (it equals parents 2 and 3). Diffs.merge_resolutions (gatekeeper/git/diff.py:64-92)
    runs `git log --no-walk --remerge-diff`, but git (2.39 here, and still today) does not re-merge octopus
    merges: it prints `diff: warning: Skipping remerge-diff for octopus merges.` ON STDOUT and exits 0. The parser
    takes that warning line as the merge's one "resolved path", so no GitError is raised, the engine's
    first-parent fallback (engine.merge_resolutions) never runs, and ZoneCheck has nothing in the zone. Accepted.

    Severity high: the red53 fix is undone by adding one more parent; an agent's commit changes zone code on
    the protected branch with no finding.

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: Diffs.merge_resolutions raises
    GitError (or returns the first-parent diff itself) for a merge with more than two parents — or any record
    whose body is not a NUL-separated path list — so the fallback counts every path changed against the first
    parent; better, compute octopus resolutions with `diff-tree -m` against each parent (changed_files_each_parent)."""
    server, work, fixed = _fixed_main_and_sides(tmp_path, sides=2)
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side", "side2")
    work.git("checkout", "side", "--", "pay/c.py", "docs/side.md")
    work.git("checkout", "side2", "--", "docs/side2.md")
    work.git("commit", "-q", "-m", "Merge side and side2\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    assert len(work.git("log", "-1", "--format=%P").split()) == 3
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, f"the agent's octopus merge reverted pay/c.py on main ({merge[:12]} accepted)"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


def test_control_the_same_revert_as_a_two_parent_merge_is_refused(tmp_path: Path) -> None:
    """Control: the two-parent form of the merge above is refused (red53's fix through --remerge-diff works)."""
    server, work, fixed = _fixed_main_and_sides(tmp_path)
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side")
    work.git("checkout", "side", "--", "pay/c.py", "docs/side.md")
    work.git("commit", "-q", "-m", "Merge side\n\n" + COPILOT, env=_ENV)
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 2. a \x01 in a path name cuts the re-merge output ------------------------------------------------------------

def test_a_path_holding_a_0x01_byte_hides_the_merges_later_resolutions(tmp_path: Path) -> None:
    """Attack: the same reverting agent merge (two parents) also adds a file named `a\\x01b` (any path that sorts
    before the zone file; \\x01 is a legal byte in a git path and a Linux file name). Diffs.merge_resolutions
    (gatekeeper/git/diff.py:76-91) formats each record as `%x01%H %P` and splits git's whole output on b"\\x01":
    the path `a\\x01b` is cut in two, and everything after the \\x01 — `b`, then `pay/c.py` — becomes a chunk
    whose "head" (`b`) is no commit id, so it is dropped silently. The merge's resolutions read as (`a`,); the
    combined diff lists only `a\\x01b` (outside the zone). ZoneCheck sees nothing in pay/**. Accepted.

    Severity high: a one-byte file name hides every later resolution of any merge from the zone check.

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: do not use a byte that can occur in a
    path as record separator: run `--format=%H %P` with `-z` and parse the NUL-separated stream (a record starts
    with a token that is `<sha> <parents>` of a commit asked for), or one `git diff-tree` per merge against a
    `git merge-tree --write-tree` result; and fail closed when a record cannot be parsed."""
    server, work, fixed = _fixed_main_and_sides(tmp_path)
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side")
    work.git("checkout", "side", "--", "pay/c.py", "docs/side.md")
    (work.path / "a\x01b").write_text("x\n")
    work.git("add", "-A")
    work.git("commit", "-q", "-m", "Merge side\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, f"the agent's merge reverted pay/c.py on main ({merge[:12]} accepted)"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 3. the watchdog's window before the push-time origin is marked pending ---------------------------------------

def test_a_timeout_while_the_ref_updates_are_classified_accepts_a_mobile_push_without_its_origin(
        tmp_path: Path) -> None:
    """Attack: under `on_timeout: warn`, a pusher whose phone client sends `-o origin-device=mobile` pushes one
    new commit to many existing branches at once (here 400 fast-forwards of `b*` branches; `git push --all` from
    a clone with many branches does it). run_pre_receive (gatekeeper/modes/pre_receive.py:148-153) sets
    `state.on_timeout` from the policy and re-arms the watchdog, then runs `classify` — three git processes per
    updated ref (object_type x2, is_ancestor: hookinput.classify -> git/repo.classify_update) — and only AFTER
    that sets `state.origin_pending = bool(push_origin.evidence)` (pre_receive.py:169-171). The watchdog fires
    inside classify with origin_pending still False (its default), takes the `on_timeout == "warn"` branch
    (watchdog.py:94-110) and exits 0, "accepted UNCHECKED": the commit is on the server with no push-origin
    record. A later plain fast-forward of main to it (Dana, no push option) sees no mobile evidence and is
    accepted without the mobile review rule. The same window holds for a granted break-glass (bypass_granted is
    also set only at line 170, so there the watchdog blocks — but `warn` does not).

    Severity medium: the red54 invariant ("never 0 while the push-time origin is still unrecorded") is broken by
    pushing many refs; a mobile commit later reaches main without review (needs `on_timeout: warn`).

    Secure behaviour: the timed-out push is refused (or its origin recorded), and the later fast-forward of main
    is refused with review/missing. Fix: set `state.origin_pending = True` as soon as the push options / forge are
    known (in _run right after push_options_from_env, before trusted_policy and classify: any push-time evidence
    candidate — e.g. any option or a forge web edit — keeps it pending), and clear it only in record_origin."""
    policy = TEST_POLICY.replace("budget_seconds: 4.0", "budget_seconds: 1.0") + "on_timeout: warn\n"
    server = make_server(tmp_path / "srv", policy=policy, watchdog=True)
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    names = [f"b{i:03d}" for i in range(400)]
    # The branches exist on the server (created earlier, pushed long ago): written directly, no hook involved.
    server.git("fetch", "-q", str(work.path), base)
    server.git("update-ref", "refs/heads/main", base)
    stdin = "".join(f"create refs/heads/{n} {base}\n" for n in names)
    subprocess.run(["git", "update-ref", "--stdin"], cwd=server.path, input=stdin.encode(), check=True)
    work.git("fetch", "-q", "origin")
    phone = work.commit("from the phone\n", {"app.py": "x = 1\n"}, author=MO, committer=MO)
    first = spush(server, work, "-o", "origin-device=mobile", "origin", *(f"HEAD:refs/heads/{n}" for n in names))
    record = server.path / "gatekeeper" / "push-origin" / phone[:2] / phone[2:]
    accepted = first.code == 0 and server.tip("refs/heads/b000") == phone
    assert not accepted or record.is_file(), (
        "accepted with its mobile push option unrecorded: " + first.remote_text[-400:])
    if not accepted:
        return
    second = spush(server, work, "origin", "HEAD:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert second.code != 0 and "review/missing" in second.output, second.output


# -- 4. a refused push writes push-origin records on commits that were already there ------------------------------

def test_a_refused_push_to_main_plants_a_mobile_record_on_someone_elses_existing_commits(tmp_path: Path) -> None:
    """Attack: Dana's feature commit F (her laptop, no origin claim) is on the server under `feat`, accepted. Mo
    pushes `feat:main` with `-o origin-device=mobile`. The gate refuses it (a mobile commit on main needs review:
    review/missing) — but pre_receive now records the push-time origin as soon as the engine knows the commits
    (Services.on_commits, engine.evaluate -> pre_receive.record_origin -> PushOriginStore.record), and for a
    protected ref those commits include the ones that merely *arrive* there (engine.collect_commits: `new ^old`;
    for a created protected ref or tag, what no other protected ref reaches) — commits that already exist, made
    and pushed by others. So a refused push writes a permanent `push-record: mobile (by mo)` on Dana's F. When
    Dana then fast-forwards main to `feat` herself, with no option, F reads as mobile and her push is refused
    with review/missing. Nothing a pusher can do removes the record (recorded.py: "Nothing a pusher sends can
    create, change or delete it"); only an administrator deleting the file. The recorded.py docstring's
    justification — "it describes exactly those commit ids, as they were offered ... what pushing them to any
    branch the gate accepts records anyway" — does not hold: pushing them to an unprotected branch records nothing
    (they are not new), and the push that carried the claim was refused. (With `origin-device-id=` naming another
    device than the one F is signed by, the same plants an origin/spoofed HIGH on F for good.)

    Severity medium: any pusher can taint the origin of any commit in the repository (forcing the mobile rules, or
    a spoofing finding, on others' work) through a push the gate refuses; before the change a refused push left
    nothing behind.

    Secure behaviour: a refused push leaves no record on commits that were already in the repository (Dana's push
    is accepted). Fix: record early only for the commits the push brings (`fresh`, not reachable before the push:
    objects still in quarantine, discarded if the push is refused), and record the push-time evidence of the
    merely-arriving commits only once the gate accepts; or mark early records provisional and confirm them after
    the verdict, ignoring unconfirmed ones on read."""
    server, work = seeded(tmp_path)
    work.branch("feat")
    work.checkout("feat")
    feature = work.commit("feature\n", {"app.py": "x = 1\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "feat", env={"GATEKEEPER_PUSHER": "dana"}).code == 0
    before = server.tip()
    attack = spush(server, work, "-o", "origin-device=mobile", "origin", "feat:main", env={"GATEKEEPER_PUSHER": "mo"})
    assert attack.code != 0 and server.tip() == before, attack.output  # refused
    honest = spush(server, work, "origin", "feat:main", env={"GATEKEEPER_PUSHER": "dana"})
    record = server.path / "gatekeeper" / "push-origin" / feature[:2] / feature[2:]
    planted = record.read_text() if record.exists() else ""
    assert honest.code == 0 and server.tip() == feature, f"record left by the refused push: {planted}\n{honest.output}"
    assert not planted, f"a refused push left a record on Dana's {feature[:12]}: {planted}"


def test_control_the_same_honest_push_without_the_refused_one_is_accepted(tmp_path: Path) -> None:
    """Control: without Mo's refused push, Dana's fast-forward of main to her feature is accepted."""
    server, work = seeded(tmp_path)
    work.branch("feat")
    work.checkout("feat")
    feature = work.commit("feature\n", {"app.py": "x = 1\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "feat", env={"GATEKEEPER_PUSHER": "dana"}).code == 0
    honest = spush(server, work, "origin", "feat:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert honest.code == 0 and server.tip() == feature, honest.output



# -- 5. line-level AI records on a merge excuse the side version it took -------------------------------------------

def _reverting_merge_with_a_readme_edit(tmp_path: Path) -> tuple[Server, RepoBuilder, str]:
    """The red53 reverting merge (pay/c.py resolved to the side's v1 over main's fix), which also edits README.md
    line 1; no AI marker in its message. (server, work, main's fix)"""
    server, work, fixed = _fixed_main_and_sides(tmp_path)
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side")
    work.git("checkout", "side", "--", "pay/c.py", "docs/side.md")
    (work.path / "README.md").write_text("hello, agents\n")
    work.git("add", "-A")
    work.git("commit", "-q", "-m", "Merge side\n", env=_ENV)
    return server, work, fixed


def test_an_agent_merge_whose_git_ai_note_names_one_other_line_still_reverts_the_zone_file(tmp_path: Path) -> None:
    """Attack: the red53 reverting agent merge (pay/c.py resolved to the side's v1 over main's fix), made with
    git-ai: the merge commit also edits README.md line 1, and its git-ai note (refs/notes/ai, pushed with it)
    says the agent wrote README.md line 1 — its only AI evidence. The re-merge diff reports pay/c.py
    (merge_resolutions works), but ZoneCheck (gatekeeper/checks/__init__.py:90-104) applies line-level
    attribution to it: README.md is a changed path named by the note, so `ai_paths` = {README.md} stays, and
    pay/c.py — whose content the agent's merge chose whole (a side's version: no line is "written") — is skipped
    as `not in ai_paths`. Accepted: one true line record elsewhere in the merge takes the zone revert out of the
    `ai: block` rule. (With `Co-authored-by: Copilot` on the merge the commit counts whole and is refused.)

    Severity medium-high: the red53 fix is undone for agents that record line attribution (git-ai), which are the
    ones whose work the gate can see best.

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: in ZoneCheck, a path that comes from the
    merge's resolutions (`resolved`, not the combined diff) is not narrowed by ai_paths — a resolution is a choice
    the merge's author made about the whole file, which line records cannot describe."""
    from tests.test_ai_scan import AI_NOTES_REF, git_ai_note

    server, work, fixed = _reverting_merge_with_a_readme_edit(tmp_path)
    merge = work.head()
    work.note(merge, git_ai_note("README.md", "1"), ref=AI_NOTES_REF)
    assert work.git("show", "HEAD:pay/c.py") == V1.rstrip("\n")
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    judged = {c["sha"]: c for c in server.last_verdict()["commits"]}
    assert judged[merge]["origin"]["ai"] != "none", judged[merge]  # the note is read: an AI-involved merge
    assert server.tip() == fixed, f"the agent's merge reverted pay/c.py on main ({merge[:12]} accepted)"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


def test_control_the_same_git_ai_merge_naming_the_zone_file_is_refused(tmp_path: Path) -> None:
    """Control: the same merge whose git-ai note names pay/c.py line 1 is refused (policy/zone-violation)."""
    from tests.test_ai_scan import AI_NOTES_REF, git_ai_note

    server, work, fixed = _reverting_merge_with_a_readme_edit(tmp_path)
    work.note(work.head(), git_ai_note("pay/c.py", "1"), ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    assert server.tip() == fixed
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text
