"""Red team red60: the zone check of merges through git's re-merge after aac5442 (engine.merge_resolutions /
zone_globs, Diffs.merge_resolution one `git log -1 --remerge-diff` per merge, the `diff-tree -m` pre-filter over
the first WIDE_MERGE_PARENTS parents, ZoneCheck.run / _resolutions).

Each test but the controls FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with
the installed hook.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.hook_helpers import Server, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red57_hostile import _ENV, V1, V2

# The same `ai: block` zone, spelled as most zones over code are: the files of a kind in a directory.
PY_ZONE_POLICY = AI_ZONE_SERVER_POLICY.replace('paths: ["pay/**"]', 'paths: ["pay/*.py"]')
assert PY_ZONE_POLICY != AI_ZONE_SERVER_POLICY

V3 = "def pay(amount):\n    assert amount >= 0\n    assert amount < 10_000\n    return amount\n"


def _fixed_main_and_a_side_that_removes_the_file(tmp_path: Path, side_files: dict[str, str]
                                                 ) -> tuple[Server, RepoBuilder, str]:
    """`pay/*.py` zone (ai: block). main: pay/c.py v1; `side` forked there, where a person removes pay/c.py and
    writes `side_files` (pushed); then main's human fix of pay/c.py to v2 (pushed). (server, work, fixed tip)."""
    server = make_server(tmp_path / "srv", policy=PY_ZONE_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": V1})
    work.branch("side")
    work.git("rm", "-q", "pay/c.py")
    work.commit("pay: split c.py up\n", side_files)
    work.checkout("main")
    assert spush(server, work, "origin", "main", "side").code == 0
    fixed = work.commit("pay: refuse negative amounts\n", {"pay/c.py": V2})
    assert spush(server, work, "origin", "main").code == 0
    return server, work, fixed


def _agent_merge_taking_the_sides_directory(work: RepoBuilder) -> str:
    """The agent's (Co-authored-by: Copilot) merge of `side` into main, resolved as the side has it: the directory
    pay/c.py/, no file pay/c.py (git's file/directory conflict)."""
    work.git("merge", "-q", "--no-ff", "side", env=_ENV, check=False)
    conflicted = [p for p in work.git("diff", "--name-only", "--diff-filter=U").splitlines() if p]
    assert conflicted, "expected git's file/directory conflict"
    for path in conflicted:
        work.git("rm", "-q", "--cached", "--", path)
        (work.path / path).unlink(missing_ok=True)
    work.git("checkout", "side", "--", "pay/c.py/impl.txt")
    work.git("commit", "-q", "-m", "Merge branch 'side'\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    assert work.git("rev-parse", f"{merge}^2^{{tree}}") == work.git("rev-parse", f"{merge}^{{tree}}")
    assert "pay/c.py\n" not in work.git("ls-tree", "-r", "--name-only", merge) + "\n"
    # git's own re-merge names the fixed file only under its `~` name.
    remerge = work.git("-c", "core.quotePath=false", "show", "--remerge-diff", "--format=", "--name-only", merge)
    assert remerge.splitlines() and all(p.startswith("pay/c.py~") for p in remerge.splitlines()), remerge
    return merge


# -- 1. a file/directory conflict: git's re-merge keeps the zone file under another name -------------------------

def test_an_agent_merge_taking_the_sides_directory_over_the_fixed_zone_file_is_a_zone_change(tmp_path: Path) -> None:
    """Attack: zone `pay/*.py` (ai: block). main fixed pay/c.py (v2, human). A side branch forked before the fix
    (already on the server) replaced the file pay/c.py by a directory `pay/c.py/` (a person's commit; `pay/*.py`
    does not reach `pay/c.py/impl.txt`). An agent (`Co-authored-by: Copilot`) merges `side` into main and resolves
    the conflict by taking the side's directory: main's fixed zone file pay/c.py is deleted by the agent's merge.

    Code path: the combined diff (`diff-tree -c`) does not list pay/c.py (there is no FILE pay/c.py in the side
    parent either). engine.merge_resolutions' `-m` pre-filter lists pay/c.py (deleted against parent 1), so the
    merge is re-merged: Diffs.merge_resolution (gatekeeper/git/diff.py `merge_resolution`). But merge-ort resolves
    a file/directory conflict by moving the FILE aside: its re-merge tree has the fixed file at
    `pay/c.py~<parent-1 id> (<subject>)` and the directory at pay/c.py/ — so the merge "differs from git's re-merge"
    only at `pay/c.py~6e05663 (pay: refuse negative amounts)`, which no file glob of a zone matches. ZoneCheck
    (gatekeeper/checks/__init__.py) counts nothing in `pay/*.py`; accepted. The same merge with the side DELETING
    pay/c.py (a modify/delete conflict, where ort leaves main's file in place) is refused (control below).

    Severity high: an agent's merge deletes a zone file on the protected branch (here: a security fix dropped) with
    no finding, for every zone written as file globs (`*.py`, `.github/workflows/*.yml`, `CODEOWNERS`, `?`,
    `[...]`) — only directory globs (`pay/**`) happen to match git's `~` names.

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: count, for a merge that was re-merged,
    the `-m` pre-filter's zone paths the re-merge had a conflict on (remerge-diff prints `remerge CONFLICT` headers;
    or use `git merge-tree --write-tree --name-only` whose conflicted-file list names the original paths), or map
    a resolution path `P~<anything>` back to P as well; simplest: a zone path at which the merge differs from its
    FIRST parent always counts for a merge a zone rule applies to."""
    server, work, fixed = _fixed_main_and_a_side_that_removes_the_file(
        tmp_path, {"pay/c.py/impl.txt": "the payment code moves here\n"})
    merge = _agent_merge_taking_the_sides_directory(work)
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, f"the agent's merge {merge[:12]} deleted the zone file pay/c.py on main"
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


def test_control_the_same_merge_over_a_plain_deletion_is_refused(tmp_path: Path) -> None:
    """Control: the side only deletes pay/c.py (a modify/delete conflict: ort leaves main's fixed file at pay/c.py
    in its re-merge); the agent's merge resolving to the deletion is refused with policy/zone-violation."""
    server, work, fixed = _fixed_main_and_a_side_that_removes_the_file(tmp_path, {"docs/split.md": "later\n"})
    work.git("merge", "-q", "--no-ff", "side", env=_ENV, check=False)
    work.git("rm", "-q", "--", "pay/c.py")
    work.git("commit", "-q", "-m", "Merge branch 'side'\n\n" + COPILOT, env=_ENV)
    assert "pay/c.py" not in work.git("ls-tree", "-r", "--name-only", "HEAD")
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 2. an octopus merge with more than WIDE_MERGE_PARENTS parents --------------------------------------------------

def _octopus_dropping_a_sides_hardening(tmp_path: Path, docs_branches: int) -> tuple[Server, RepoBuilder, str, str]:
    """`pay/**` zone (ai: block). main: pay/c.py v2 (pushed). `docs1`..`docsN` fork there, each adding a docs file;
    `harden` forks there and a person hardens pay/c.py to v3; all on the server. An agent (Co-authored-by: Copilot)
    octopus-merges main, the docs branches and, last, `harden`, bringing in the docs but keeping pay/c.py at v2:
    harden's change to the zone is dropped while its commit becomes part of main. (server, work, tip, merge)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n", "pay/c.py": V2})
    tip = work.head()
    names = [f"docs{i}" for i in range(1, docs_branches + 1)]
    for name in names:
        work.branch(name, tip)
        work.commit(f"docs: {name}\n", {f"docs/{name}.md": f"{name}\n"})
    work.branch("harden", tip)
    work.commit("pay: cap amounts\n", {"pay/c.py": V3})
    work.checkout("main")
    assert spush(server, work, "origin", "main", *names, "harden").code == 0
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", *names, "harden", env=_ENV)
    for name in names:
        work.git("checkout", name, "--", f"docs/{name}.md")
    work.git("commit", "-q", "-m", "Merge the docs and harden\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    parents = work.git("log", "-1", "--format=%P", merge).split()
    assert len(parents) == docs_branches + 2 and parents[-1] == work.git("rev-parse", "harden")
    assert work.git("show", f"{merge}:pay/c.py") == V2.rstrip("\n")
    return server, work, tip, merge


def test_an_agent_octopus_of_17_parents_dropping_the_last_sides_zone_change_is_a_zone_change(tmp_path: Path) -> None:
    """Attack: a person hardened pay/c.py (`pay/**`, ai: block) on branch `harden` (v2 -> v3, on the server, not yet
    on main). An agent's octopus merge into main names main, 15 docs branches and `harden` LAST (17 parents) and
    keeps pay/c.py at main's v2: the hardening commit is now "merged" (an ancestor of main; `git merge harden` says
    "Already up to date", `git branch --merged` lists it for deletion) while its change to the zone is thrown away
    by the agent. The same merge with 3 parents (main, one docs branch, harden) is refused (control below), as is a
    two-parent merge of harden resolved this way (red53/red57: the side's zone change not taken counts).

    Code path: engine.merge_resolutions pre-filters with Diffs.changed_files_each_parent (`diff-tree -m`), whose
    stdin line for a merge with more than WIDE_MERGE_PARENTS (16) parents names only the first 16
    (gatekeeper/git/diff.py `_diff_input`): the merge equals every one of them at pay/c.py, so `zoned` is empty
    and the merge is skipped (`if not zoned: continue`) — the octopus fallback ("every such path at which it
    differs from ANY of its parents") never sees parent 17. The combined diff (`-c`, also over the first 16) lists
    nothing in the zone either. Accepted with no finding. WIDE_MERGE_PARENTS' promise ("scanned for more, never for
    less") holds for added lines, not for this "differs from any parent" question, where dropping parents is less.

    Severity medium: an agent's merge silently discards a person's change to a zone while recording it as landed;
    needs one octopus of 17+ parents (cheap: branches or even the same commits need not be new).

    Secure behaviour: refused with policy/zone-violation on pay/c.py. Fix: for a merge with more than
    WIDE_MERGE_PARENTS parents that a zone rule applies to, count every zone path any later parent changes (e.g.
    `diff-tree -r --name-only <merge> <parent>` for the parents beyond 16, restricted to the zone globs' literal
    prefixes), or refuse such wide merges under a zone rule (fail closed) — they are not re-merged anyway."""
    server, work, tip, merge = _octopus_dropping_a_sides_hardening(tmp_path, 15)
    result = spush(server, work, "origin", "main")
    assert server.tip() == tip, f"the agent's 17-parent merge {merge[:12]} dropped harden's pay/c.py change"
    assert "policy/zone-violation" in result.remote_text and "pay/c.py" in result.remote_text, result.remote_text


def test_control_the_same_octopus_of_3_parents_is_refused(tmp_path: Path) -> None:
    """Control: main, one docs branch and `harden` (3 parents, within WIDE_MERGE_PARENTS): the `-m` pre-filter sees
    pay/c.py differ from harden, the octopus fallback counts it; refused with policy/zone-violation."""
    server, work, tip, _ = _octopus_dropping_a_sides_hardening(tmp_path, 1)
    result = spush(server, work, "origin", "main")
    assert server.tip() == tip
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


def _audited(server: Server, work: RepoBuilder) -> dict[str, Any]:
    """The real `gatekeeper audit --all` of the clone with the server's policy: its commits by id."""
    assert server.policy_file is not None
    gk = Path(sys.executable).parent / "gatekeeper"
    proc = subprocess.run([str(gk), "audit", "--repo", str(work.path), "--policy", str(server.policy_file),
                           "--format", "json", "--no-progress", "--all"], capture_output=True, text=True, check=False,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return {c["sha"]: c for c in json.loads(proc.stdout)["commits"]}


def test_the_audit_lists_no_zone_entry_for_the_agent_merge_that_deleted_the_zone_file(tmp_path: Path) -> None:
    """Attack (the audit path): the merge of the first test, audited afterwards with the real CLI (`gatekeeper audit
    --policy P --format json --all`) in the clone where it was made. HistoryAudit._zones
    (gatekeeper/audit/history.py `_zones`) runs the same ZoneCheck with engine.merge_resolutions: the re-merge
    names the deleted zone file only as `pay/c.py~<id> (<subject>)`, which `pay/*.py` does not match, so the
    merge's `commits[].zones` is empty: the audit reports an AI-involved merge that deleted main's fixed pay/c.py
    as touching no zone.

    Severity medium (the audit is the after-the-fact control that should catch what a hook missed, and it misses it
    the same way). Secure behaviour: the merge's `zones` names pay/c.py. Fix: as in the first test."""
    server, work, _ = _fixed_main_and_a_side_that_removes_the_file(
        tmp_path, {"pay/c.py/impl.txt": "the payment code moves here\n"})
    merge = _agent_merge_taking_the_sides_directory(work)
    commits = _audited(server, work)
    assert merge in commits, sorted(commits)
    zones = commits[merge]["zones"]
    assert any(z["path"] == "pay/c.py" for z in zones), (
        f"the audit lists no zone entry for the agent merge {merge[:12]} that deleted pay/c.py: {zones}")


def test_control_the_audit_lists_the_agent_merge_over_a_plain_deletion(tmp_path: Path) -> None:
    """Control (audit): the modify/delete form of the merge, audited the same way, lists pay/c.py in its zones."""
    server, work, _ = _fixed_main_and_a_side_that_removes_the_file(tmp_path, {"docs/split.md": "later\n"})
    work.git("merge", "-q", "--no-ff", "side", env=_ENV, check=False)
    work.git("rm", "-q", "--", "pay/c.py")
    work.git("commit", "-q", "-m", "Merge branch 'side'\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    commits = _audited(server, work)
    assert any(z["path"] == "pay/c.py" for z in commits[merge]["zones"]), commits[merge]


# -- 3. a path the merge and both its parents lack counts as a zone change -------------------------------------------

def test_an_agent_merge_that_keeps_a_sides_new_file_where_the_side_put_it_is_no_zone_change(tmp_path: Path) -> None:
    """What happens (false positive): a person moved `staging/` to `pay/` (the `pay/**` zone) on main; a side branch
    (forked before, on the server) added `staging/z.py`. An agent (Co-authored-by: Copilot) merges the side and keeps
    staging/z.py where its author put it (git's directory-rename guess would move it into the zone, which git itself
    reports as a CONFLICT (file location) to confirm; declining that guess keeps the agent's merge OUT of the zone).
    No file in pay/ differs between the merge and main.

    Code path: the `-m` pre-filter sees pay/* differ from the side parent, so the merge is re-merged; git's re-merge
    has pay/z.py (the directory-rename guess), the merge does not: Diffs.merge_resolution returns pay/z.py and
    ZoneCheck counts it as an AI change "to pay/z.py" — a path that neither the merge nor either parent has.
    Refused with policy/zone-violation.

    Severity low-medium: an honest, conservative merge by an agent is refused; the only way through is to put the
    side's file INTO the zone. Secure behaviour: accepted. Fix: count a resolution path only where the merge differs
    from at least one parent there (intersect Diffs.merge_resolution's paths with the `-m` pre-filter's paths of that
    merge) — a path equal in the merge and every parent is no change of the merge."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n", "staging/x.py": "x = 1\n", "staging/y.py": "y = 2\n"})
    work.branch("side")
    work.commit("staging: z\n", {"staging/z.py": "z = 3\n"})
    work.checkout("main")
    work.git("mv", "staging", "pay")
    work.commit("pay: promote staging\n")
    tip = work.head()
    assert spush(server, work, "origin", "main", "side").code == 0
    work.git("merge", "-q", "--no-ff", "--no-commit", "side", env=_ENV, check=False)
    work.git("rm", "-q", "--cached", "--ignore-unmatch", "--", "pay/z.py")
    (work.path / "pay" / "z.py").unlink(missing_ok=True)
    work.git("checkout", "side", "--", "staging/z.py")
    work.git("commit", "-q", "-m", "Merge branch 'side'\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    files = work.git("ls-tree", "-r", "--name-only", merge).splitlines()
    assert "staging/z.py" in files and "pay/z.py" not in files, files
    assert work.git("diff", "--name-only", tip, merge) == "staging/z.py"
    remerge = work.git("show", "--remerge-diff", "--no-renames", "--format=", "--name-only", merge)
    assert "pay/z.py" in remerge.splitlines(), remerge
    result = spush(server, work, "origin", "main")
    assert "policy/zone-violation" not in result.remote_text, result.remote_text
    assert result.code == 0 and server.tip() == merge, result.output
