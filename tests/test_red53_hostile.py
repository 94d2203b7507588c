"""Red team red53: AI-written code past an `ai: block` zone or the AI-line scan, and code past the scanners, after
c10fc50 / 7c868d2 / 658138a (record paths in git's spelling, unrelated or cut records count whole, a symlink
named as code is a HIGH scan/symlink-skipped, every file handed to bandit must be in its metrics).

Each test but the control FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with
the installed hook, the real scanners.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from tests.hook_helpers import DANA, Server, make_server, seed, spush
from tests.repo_builder import RepoBuilder
from tests.test_ai_scan import AI_NOTES_REF, AWS_KEY, git_ai_note, source
from tests.test_ai_scan import POLICY as AI_SCAN_POLICY
from tests.test_red48_hostile import BANDIT_POLICY, SHELL
from tests.test_red49_hostile import _seeded
from tests.test_red52_hostile import _server_and_base, _trace

_ENV = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
        "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}


# -- 1. the AI-line scan side of red52 (4): a record naming no changed path still narrows the scan ----------------

def test_a_git_ai_note_naming_only_an_unchanged_path_narrows_the_ai_scan_to_nothing(tmp_path: Path) -> None:
    """Attack: an agent-made commit adds `src/more.py` with an AWS key on line 2. Its git-ai note (its only AI
    evidence) names `docs/notes.md` line 1 — a file the commit does not change (a stale note, one for the
    previous commit, or a hostile one). 7c868d2 made the zone check count such a commit whole (ZoneCheck,
    gatekeeper/checks/__init__.py:82-86: `if ai_paths is not None and not any(change.path in ai_paths ...)`),
    and docs/ai-attribution.md says "records that name none of the paths a commit changes ... make the whole
    commit count" and "The AI-line scan scope follows the same rule". It does not:
    ai_scope.commit_ai_lines (gatekeeper/scan/ai_scope.py:80-106) never looks at the commit's changed paths and
    returns AILines(False, {"docs/notes.md": ((1, 1),)}); AILines.basis gives None for every line of
    src/more.py, so the key is judged only by the commit's own rule set (block_at critical) and the push is
    accepted. The same note through the zone check would count the commit whole.

    Severity high: the AI set (`ai.scan`, block_at medium) exists to stop exactly this finding on an agent's
    commit; a record that demonstrably does not describe the commit takes every line of it out of the AI scan
    — the inconsistency red52 closed for the zones, left open for the scan.

    Secure behaviour: AIScope (which has the changes) treats a commit whose line records name none of its
    changed paths (after record_path) as whole (`ai_basis: commit`): the key blocks, "AI-written" is said.
    Fix: in AIScope.__init__, after commit_ai_lines, replace a non-whole AILines whose paths are disjoint from
    {c.path for c in changes[sha]} by AILines(True, {})."""
    server = make_server(tmp_path / "srv", policy=AI_SCAN_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    base = work.head()
    agent = work.commit("more config\n", {"src/more.py": source(f'KEY = "{AWS_KEY}"', "MODE = 'x'")})
    work.note(agent, git_ai_note("docs/notes.md", "1"), ref=AI_NOTES_REF)
    result = spush(server, work, "origin", "main", AI_NOTES_REF)
    assert server.tip() == base, "an agent-made commit's key passed the AI-line scan (its note names no changed path)"
    assert result.code != 0 and "AI-written" in result.remote_text, result.output


# -- 2. record paths vs git paths: Unicode normalisation ---------------------------------------------------------

def test_a_trace_record_naming_the_zone_file_in_nfd_does_not_take_it_out_of_the_zone(tmp_path: Path) -> None:
    """Attack: an agent writes `pay/café.py` (in the `ai: block` zone) and a line of README.md. Its Agent Trace
    record names both files; the zone file's name comes from the editor / file system in NFD (`cafe` + U+0301,
    what macOS HFS+ and Finder hand out), while git stores the name in NFC (`core.precomposeUnicode`, the
    macOS default). record_path (gatekeeper/origin/attribution.py:37-41) only fixes `./`, `//` and backslashes,
    so `origin.ai_paths` = {README.md, pay/cafe\\u0301.py}. README.md is a changed path, so the 7c868d2
    "names no changed path" rule does not apply, and ZoneCheck (gatekeeper/checks/__init__.py:88-94) skips
    `pay/café.py` (NFC) as `not in ai_paths` by exact string comparison. The push is accepted, though the
    commit's own record names the zone file as agent-written. The AI-line scan (ai_scope `_norm` = record_path)
    has the same blind spot. The same holds for a record spelling the zone file's case differently (`Pay/C.py`
    written on a case-insensitive client) beside one exact path.

    Severity high: like red52's `./pay/c.py`, the record asserts *more* AI and the gate reads less; AI-written
    code lands in an `ai: block` zone with no finding.

    Secure behaviour: a changed path counts as recorded when a record path equals it after NFC normalisation
    (and, failing closed, case-folding) of both; refused with policy/zone-violation on pay/café.py. Fix:
    record_path returns unicodedata.normalize("NFC", ...), and ZoneCheck / AIScope compare against
    normalize("NFC", change.path) (casefold on both sides only ever adds AI paths)."""
    server, work, base = _server_and_base(tmp_path)
    nfc = unicodedata.normalize("NFC", "pay/café.py")
    nfd = unicodedata.normalize("NFD", "pay/café.py")
    assert nfc != nfd
    sha = work.commit("pay: refactor\n", {nfc: "c = 1\nd = 2\n", "README.md": "hello\nworld\n",
                                          ".agent-trace/traces.jsonl": _trace(base, {nfd: [(1, 2)],
                                                                                     "README.md": [(2, 2)]})})
    assert nfc in work.git("-c", "core.quotepath=false", "ls-tree", "-r", "--name-only", "HEAD")
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the agent-written change to pay/café.py (recorded in NFD) reached main"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 3. a coverage finding about an agent's file is judged by the commit's own (laxer) block_at ------------------

# test_ai_scan's lax-own / strict-AI policy with bandit as the AI set's scanner.
AI_BANDIT_POLICY = (AI_SCAN_POLICY.replace("scan: {scanners: [secrets], block_at: medium}",
                                           "scan: {scanners: [bandit], block_at: medium}")
                    .replace("pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}",
                             "pre_receive: {budget_seconds: 4.5, scanners: [secrets, bandit], defer: []}")
                    + "bandit: {min_confidence: low, min_severity: low}\n")


def test_an_agents_python_symlink_to_its_payload_passes_the_ai_scan(tmp_path: Path) -> None:
    """Attack: red49's symlink, made by an agent under `ai.scan: {scanners: [bandit], block_at: medium}` — the
    documented set-up where the commit's own rule set is lax (`default: {scanners: [secrets], block_at:
    critical}`) and the AI set is strict. A `Co-authored-by: Claude` commit adds the B602 payload as
    `data/payload.txt` and a symlink `tools/run.py -> ../data/payload.txt`. c10fc50 made the link a HIGH
    `scan/symlink-skipped` ("a link named as code blocks", docs/findings.md). But AIScope.apply
    (gatekeeper/scan/ai_scope.py:139-141) passes it through as "not about a commit's lines" without an
    ai_basis, and policy._threshold (gatekeeper/policy.py:61-71) then uses the commit's own block_at
    (critical): HIGH < critical, the finding is a warning and the push is accepted. The code bandit was run
    for (by the AI set only) was never read as code, and nothing blocks. The same holds for bandit's HIGH
    `scan/file-skipped` (a file it handed and bandit never read) and for semgrep's directory-walk skips in an
    AI commit: every red49 "blocks" is only as strict as the commit's own rule set, not the AI set that ran
    the scanner.

    Severity high: agent-written code runs (`python tools/run.py`) unscanned past the AI-line scan, with a
    warning only.

    Secure behaviour: a coverage finding of a scanner the AI set added, about a path an AI commit changed, is
    judged by ai.scan.block_at too (or gets `ai_basis` like a finding on the agent's lines): refused.
    Fix: in AIScope.apply, give scan/* findings of an AI commit (finding.commit in self.ai and the path AI-
    written by basis(path, None)) an ai_basis, and in _threshold let the AI threshold apply to scan/* findings
    whose scanner is in scan.scanners (the message names it: `bandit: symlink ...`)."""
    server, work = _seeded(tmp_path, AI_BANDIT_POLICY)
    base = work.head()
    work.write("data/payload.txt", SHELL)
    (work.path / "tools").mkdir()
    os.symlink("../data/payload.txt", work.path / "tools" / "run.py")
    work.git("add", "-A")
    work.git("commit", "-q", "-m", "runner\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", env=_ENV)
    assert "120000" in work.git("ls-tree", "-r", "HEAD", "tools/")
    result = spush(server, work, "origin", "main")
    assert "scan/symlink-skipped" in result.output, result.output
    assert result.code != 0 and server.tip() == base, (
        "the agent's Python symlink to an unscanned payload passed the AI-line scan:\n" + result.output)


def test_control_the_agents_python_file_itself_is_blocked_by_the_ai_scan(tmp_path: Path) -> None:
    """Control: the same agent commit with the payload committed as `tools/run.py` itself is refused by the
    AI set (B602 high >= ai.scan.block_at medium) although the commit's own rule set (critical) would pass it."""
    server, work = _seeded(tmp_path, AI_BANDIT_POLICY)
    base = work.head()
    work.commit("runner\n\nCo-authored-by: Claude <noreply@anthropic.com>\n", {"tools/run.py": SHELL},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and server.tip() == base, result.output
    assert "B602" in result.output and "AI-written" in result.output, result.output


# -- 4. denial: an ordinary extensionless symlink is a HIGH "symlink named as code" -----------------------------

def test_an_extensionless_symlink_to_a_licence_is_not_a_blocking_code_symlink(tmp_path: Path) -> None:
    """Attack (denial): a project adds the usual `COPYING -> LICENSE` symlink (or `CHANGELOG -> CHANGELOG.md`,
    `.clang-format -> tools/clang-format`) in a commit bandit runs on (the default mobile rule set, any
    rule set naming bandit, or ai.scan). HeadScanner selects extensionless paths for the `#!` sniff
    (gatekeeper/scan/head.py:104: `self.shebang_alias and not safe_extension(e.path)`), Workspace.materialise
    (gatekeeper/scan/workspace.py:221-223) records every selected symlink before any sniffing, and
    Skip.finding (workspace.py:110-117) raises it to HIGH for every scanner in CODE_SCANNERS — "symlink named as
    code" — though the name says nothing of code: a link has no `#!` line of its own. HIGH >= block_at high:
    the push is refused with a finding telling the author to "commit the file itself".

    Severity medium: a false block on ordinary content (every repository with a licence or changelog link),
    which teaches teams to turn bandit off or bypass.

    Secure behaviour: only a symlink whose *name* a code scanner wants (`wants(path)`: an extension it reads)
    is the HIGH "named as code"; an extensionless link is followed in the object store (its target blob
    sniffed for `#!`) or kept the INFO note it was before c10fc50. Accepted."""
    server, work = _seeded(tmp_path, BANDIT_POLICY)
    work.write("LICENSE", "MIT License\n\nPermission is hereby granted, free of charge...\n")
    os.symlink("LICENSE", work.path / "COPYING")
    work.git("add", "-A")
    work.git("commit", "-q", "-m", "licence\n", env=_ENV)
    assert "120000" in work.git("ls-tree", "HEAD", "COPYING")
    sha = work.head()
    result = spush(server, work, "origin", "main")
    assert result.code == 0 and server.tip() == sha, (
        "a plain COPYING -> LICENSE symlink was refused as a 'symlink named as code':\n" + result.output)


def _fixed_on_main_with_a_side(tmp_path: Path, side_file: str) -> tuple[Server, RepoBuilder, str]:
    """A server with the `ai: block` zone pay/**: pay/c.py v1, a `side` branch forked there adding `side_file`
    (pushed), then main's fix of pay/c.py (pushed). (server, work clone on main, the fix)."""
    from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY

    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": "def pay(amount):\n    return amount\n"})
    work.branch("side")
    work.checkout("side")
    work.commit("side: usage\n", {side_file: "pay(amount)\n"})
    work.checkout("main")
    assert spush(server, work, "origin", "main", "side").code == 0
    fixed = work.commit("pay: refuse negative amounts\n",
                        {"pay/c.py": "def pay(amount):\n    assert amount >= 0\n    return amount\n"})
    assert spush(server, work, "origin", "main").code == 0
    return server, work, fixed


# -- 5. an agent-made merge that takes the zone file from the other side -----------------------------------------

def test_an_agent_merge_that_takes_the_old_zone_file_from_the_side_branch_is_a_zone_change(tmp_path: Path) -> None:
    """Attack: `pay/c.py` got a fix on main (v2, human). A side branch forked before the fix (v1; a docs commit on it, already in the
    repository) is merged into main by an agent (`Co-authored-by: Copilot` on the merge) that resolves
    `pay/c.py` to the side's v1 — reverting main's fix in the `ai: block` zone. The only new commit is the
    merge. engine._changed_files uses Diffs.changed_files (gatekeeper/git/diff.py:45, `diff-tree -c`): the
    combined diff lists only paths that differ from EVERY parent, and pay/c.py equals parent 2's, so the merge
    "changed nothing" in the zone and ZoneCheck (gatekeeper/checks/__init__.py:82) has nothing to check. The
    push is accepted; main's pay/c.py changed from v2 to v1 by an agent's commit. The gate knows this gap:
    checks/policy_change.py uses changed_files_each_parent (`-m`) for exactly this ("a merge that takes an old
    version of a file from one side shows up"), the zones do not.

    Severity medium-high: an agent's commit changes zone code on the protected branch (here a security fix
    reverted) with no finding; the content is human-written history, so not "AI-written lines", but the zone
    forbids AI *changes*.

    Secure behaviour: for merges, the zone check reads the paths the merge changes against its first parent
    (or any parent, as policy_change does): refused with policy/zone-violation on pay/c.py. Fix: ZoneCheck
    takes changed_files_each_parent (restricted to the zones' literal prefixes) for AI/mobile merges."""
    from tests.test_red50_hostile import COPILOT

    server, work, fixed = _fixed_on_main_with_a_side(tmp_path, "docs/usage.md")
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "side")
    work.git("checkout", "side", "--", "pay/c.py")
    work.git("commit", "-q", "-m", "Merge side\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    assert work.git("show", "HEAD:pay/c.py") == work.git("show", "side:pay/c.py")
    result = spush(server, work, "origin", "main")
    assert server.tip() == fixed, f"the agent's merge reverted pay/c.py on main ({merge[:12]} accepted)"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


def test_control_an_agent_merge_that_git_would_have_made_itself_is_no_zone_change(tmp_path: Path) -> None:
    """Control: the same agent merge resolved as git resolves it (main's fixed pay/c.py kept, the side's docs
    brought in) changes nothing in the zone beyond the automatic merge: accepted (a merge is judged on what its
    author chose, not on everything it brings)."""
    from tests.test_red50_hostile import COPILOT

    server, work, _ = _fixed_on_main_with_a_side(tmp_path, "pay/usage.md")
    work.git("merge", "-q", "--no-ff", "-m", "Merge side\n\n" + COPILOT, "side", env=_ENV)
    result = spush(server, work, "origin", "main")
    assert result.code == 0 and server.tip() == work.head(), result.remote_text
