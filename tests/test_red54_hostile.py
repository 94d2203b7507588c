"""red54: who the pusher is, and the break-glass bypass, at the pre-receive door.

Real `git push`es (file://, so the hook inherits the environment the test gives the push — how the server's
variables are simulated, tests/hook_helpers.py) into a bare repository with the installed hook and
`receive.advertisePushOptions=true` (set by `install`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, MO, MOBILE, TEST_POLICY, PushResult, Server, seeded, spush
from tests.repo_builder import RepoBuilder

CAPTAIN = ("Cap Tain", "captain@example.com")
TWO_APPROVALS = TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 2}")


def _mobile_fix_merged(work: RepoBuilder, trailers: str) -> tuple[str, str]:
    """A mobile commit by Mo on `fix`, merged into main with `trailers` in the merge message."""
    base = work.head()
    work.branch("fix")
    mobile = work.commit("mobile fix" + MOBILE, {"r.py": "r = 1\n"}, author=MO, committer=MO)
    work.checkout("main")
    work.git("reset", "-q", "--hard", base)
    merge = work.merge("fix", f"Merge fix\n\n{trailers}")
    return mobile, merge


# -- 1. one pusher, spelled twice, is two reviewers ----------------------------------------------------------------

def test_one_pusher_spelled_two_ways_is_not_two_approvals(tmp_path: Path) -> None:
    """Attack: the rule set for mobile commits needs **2** approvals. Rita (who wrote none of the commits) merges
    Mo's mobile fix into main with two `Reviewed-by:` trailers that are both her — `Rita Reviewer
    <rita@example.com>` and `rita <rita@example.com>` (or `RITA`, or `Rita <rita@elsewhere.org>`) — and pushes as
    herself (GATEKEEPER_PUSHER=rita). Each trailer is "verified by pusher" (same_person against the pusher), and
    review/reviewed_by.py deduplicates approvers by the *string* `str(claim.reviewer)`, not by person, so one
    human is counted as two approvers and the push is accepted.

    Severity: high — a push that policy says must be refused (2 independent approvals required, 1 given) reaches
    the protected branch; the pusher needs nothing but a second spelling of her own name.

    Secure behaviour: approvers are counted as people (`same_person`), so both trailers are one approval and the
    push is refused with review/missing (1 of 2)."""
    server, work = seeded(tmp_path, TWO_APPROVALS)
    before = server.tip()
    _mobile_fix_merged(work, "Reviewed-by: Rita Reviewer <rita@example.com>\nReviewed-by: RITA <rita@example.com>\n")
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code != 0, result.output
    assert "review/missing" in result.output, result.output
    assert server.tip() == before


def test_control_two_different_verified_reviewers_are_two_approvals(tmp_path: Path) -> None:
    """Control (passes): the same 2-approval push carrying one trailer by the pusher (Rita) and one she cannot
    vouch for (Sam, unsigned) is refused — only one approval is verifiable at push time."""
    server, work = seeded(tmp_path, TWO_APPROVALS)
    before = server.tip()
    _mobile_fix_merged(work, "Reviewed-by: Rita Reviewer <rita@example.com>\nReviewed-by: Sam <sam@example.com>\n")
    result = spush(server, work, "origin", "main", env={"GATEKEEPER_PUSHER": "rita"})
    assert result.code != 0, result.output
    assert server.tip() == before


# -- 2. an allow-list matched by Unicode case folding --------------------------------------------------------------

def test_a_login_that_only_casefolds_to_an_allowed_user_cannot_bypass(tmp_path: Path) -> None:
    """Attack: `bypass.allowed: [release-captain]`. The web server in front of `git http-backend` authenticates
    a *different* account, `relea\u017fe-captain` (U+017F LATIN SMALL LETTER LONG S; an LDAP/htpasswd user name may be
    any UTF-8), and sets REMOTE_USER to it. That user pushes a live AWS key to main with
    `-o gatekeeper.bypass=INC-1`. policy.evaluate_bypass compares `who.casefold()` with the casefolded allow-list,
    and `'\u017f'.casefold() == 's'` (likewise the Kelvin sign U+212A -> k, U+00DF -> `ss`, ligature U+FB01 -> `fi`), so the impostor is
    "release-captain" and the gate is broken open: the key lands on main.

    Severity: high (conditional on an authentication back end that admits non-ASCII user names: plain git over
    HTTP with REMOTE_USER, or an administrator's GATEKEEPER_PUSHER from such a directory) — a pusher the policy
    does not allow bypasses the gate. docs/hooks.md promises "exact, case-insensitive" matching; Unicode
    case folding is neither.

    Secure behaviour: the allow-list matches exactly (ASCII case-insensitively at most, or after NFKC + a
    confusable check that refuses rather than grants), so the push is refused with gate/bypass-denied."""
    policy = TEST_POLICY.replace("allowed: [captain]", "allowed: [release-captain]").replace(
        "default: {scanners: [], block_at: critical}", "default: {scanners: [secrets], block_at: high}").replace(
        "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
        "pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}")
    server, work = seeded(tmp_path, policy)
    before = server.tip()
    work.commit("deploy\n", {"deploy.env": f"aws_access_key_id = {AWS_KEY}\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "-o", "gatekeeper.bypass=INC-1 prod down", "origin", "main",
                   env={"REMOTE_USER": "relea\u017fe-captain"})
    assert result.code != 0, result.output
    assert "gate/bypass-denied" in result.output, result.output
    assert server.tip() == before


def test_control_the_allowed_login_itself_bypasses(tmp_path: Path) -> None:
    """Control (passes): the real `release-captain`, any ASCII case, breaks the glass and it is recorded."""
    policy = TEST_POLICY.replace("allowed: [captain]", "allowed: [release-captain]")
    server, work = seeded(tmp_path, policy)
    work.commit("touch payments\n", {"src/payments/x.py": "x = 1\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "-o", "gatekeeper.bypass=INC-1", "-o", "origin-device=mobile", "origin", "main",
                   env={"REMOTE_USER": "Release-Captain"})
    assert result.code == 0, result.output
    assert any(f["rule_id"] == "gate/bypassed" for f in server.last_verdict()["findings"])


# -- 3/4. a bypass the watchdog grants --------------------------------------------------------------------------------

def _bypass_granted_by_the_watchdog(tmp_path: Path) -> tuple[Server, RepoBuilder, str, PushResult]:
    """The captain pushes a commit to `hotfix` with `-o origin-device=mobile -o gatekeeper.bypass=INC-7` while the
    check cannot finish in time: the hook as installed (watchdog on, budget 4 s) blocks on the lock of the commit's
    push-origin record, held here as a concurrent push of the same commit (or a slow disk) would hold it."""
    server, work = seeded(tmp_path)
    hook = server.path / "hooks" / "pre-receive"
    hook.write_text(hook.read_text().replace(" pre-receive --no-watchdog --legacy ", " pre-receive --legacy "))
    work.branch("hotfix")
    work.checkout("hotfix")
    sha = work.commit("hotfix from the phone\n", {"app.py": "fix = 1\n"}, author=CAPTAIN, committer=CAPTAIN)
    record = server.path / "gatekeeper" / "push-origin" / sha[:2] / sha[2:]
    record.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(record, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = spush(server, work, "-o", "origin-device=mobile", "-o", "gatekeeper.bypass=INC-7", "origin", "hotfix",
                       env={"GATEKEEPER_PUSHER": "captain"})
    finally:
        os.close(fd)
    return server, work, sha, result


def test_a_bypass_granted_by_the_watchdog_still_records_the_push_time_origin(tmp_path: Path) -> None:
    """Attack: the captain breaks glass from a phone during an incident: `git push -o origin-device=mobile
    -o gatekeeper.bypass="INC-7" origin hotfix` (a topic branch). The check runs out of time (a slow disk, a large
    push; here made deterministic by holding the lock a concurrent push of the same commit would hold on its
    push-origin record), and the watchdog accepts because `bypass_granted` (watchdog.py:95). That path exits 0
    from the timer thread without ever writing the push-time origin record (modes/pre_receive.py writes it only
    after `evaluate` returns, pre_receive.py:177). Later Dana fast-forwards main to `hotfix` with a plain push: the
    commit has no record, so it is "undeclared" -> desktop, and a mobile-origin commit reaches the protected branch
    with no review (without the timeout the same second push is refused with review/missing).

    Severity: high — docs/hooks.md: "an accepted push never forgets its origin"; a push that must be refused
    (review/missing on main) is accepted. The same hole opens under `on_timeout: warn` without any bypass.

    Secure behaviour: the watchdog never answers 0 for a push whose origin is not recorded (record the push-time
    origin before the engine runs, or refuse on the timeout path), so either the first push is refused or the
    later push to main is refused with review/missing."""
    server, work, _, first = _bypass_granted_by_the_watchdog(tmp_path)
    if first.code != 0:
        return  # refused: nothing was accepted, nothing forgotten
    assert "ACCEPTED BY BYPASS" in first.output, first.output
    before = server.tip()
    second = spush(server, work, "origin", "hotfix:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert second.code != 0, ("the mobile commit reached main unreviewed: its push-time origin was never recorded\n"
                              + second.output)
    assert "review/missing" in second.output, second.output
    assert server.tip() == before


_HUNG_HOOK = """
import sys, time
from pathlib import Path
from gatekeeper.interfaces import ScanResult
from gatekeeper.modes.pre_receive import run_pre_receive

class Hang:
    name = "secrets"
    def scan(self, job):
        time.sleep(30)
        return ScanResult()

env = {ENV!r}
sys.exit(run_pre_receive({STDIN!r}, env=env, repo=Path({REPO!r}), policy_file=Path({POLICY!r}),
                         audit_log=Path({AUDIT!r}), scanners=lambda p: {{"secrets": Hang()}}))
"""


def _hung_hook(server: Server, work: RepoBuilder, ref: str, options: tuple[str, ...], policy: str) -> tuple[str, int, str]:
    """The installed hook's own entry point, as git runs it for a push of `work`'s HEAD to `ref` with `options`,
    whose check hangs after the commits are known (a scanner that never returns): the watchdog decides. The
    pushed objects are fetched into the server first (git's quarantine holds them during a real push); the ref
    is moved when the hook accepts, as git would. (sha, exit code, what the pusher read.)"""
    from tests.hook_helpers import run_hook_subprocess

    sha = work.head()
    server.git("fetch", "-q", str(work.path), sha)
    old = server.tip(ref) or "0" * 40
    policy_file = server.root / "hung-policy.yml"
    policy_file.write_text(policy.replace("scanners: [], defer: []", "scanners: [secrets], defer: []")
                           .replace("default: {scanners: []", "default: {scanners: [secrets]")
                           .replace("mobile: {scanners: []", "mobile: {scanners: [secrets]"))
    env = {"GATEKEEPER_PUSHER": "captain", "GIT_PUSH_OPTION_COUNT": str(len(options)),
           **{f"GIT_PUSH_OPTION_{i}": option for i, option in enumerate(options)}}
    code = _HUNG_HOOK.format(ENV=env, STDIN=f"{old} {sha} {ref}\n".encode(), REPO=str(server.path),
                             POLICY=str(policy_file), AUDIT=str(server.audit_log))
    proc = run_hook_subprocess(code, cwd=server.root)
    assert "Traceback" not in proc.stdout + proc.stderr, proc
    if proc.returncode == 0:
        server.git("update-ref", ref, sha)
    return sha, proc.returncode, proc.stdout


def _captain_breaks_glass_on_timeout(tmp_path: Path) -> tuple[Server, RepoBuilder, str]:
    """The captain's phone commit pushed to `hotfix` with `-o origin-device=mobile -o gatekeeper.bypass=INC-7`,
    its check hanging after the commits are known: accepted by the watchdog's bypass. (server, work, commit)"""
    server, work = seeded(tmp_path)
    work.branch("hotfix")
    work.checkout("hotfix")
    work.commit("hotfix from the phone\n", {"app.py": "fix = 1\n"}, author=CAPTAIN, committer=CAPTAIN)
    sha, code, said = _hung_hook(server, work, "refs/heads/hotfix",
                                 ("origin-device=mobile", "gatekeeper.bypass=INC-7"), TEST_POLICY)
    assert code == 0 and "ACCEPTED BY BYPASS: the check did not finish" in said, said
    return server, work, sha


def test_a_bypass_the_watchdog_grants_after_the_commits_are_known_keeps_their_push_time_origin(tmp_path: Path) -> None:
    """The fix of the test above, where the record can be written: the captain's break-glass push from the phone
    to `hotfix` runs out of time while scanning; the watchdog accepts it (a granted bypass), and the mobile
    origin the push option declared was recorded before the scan — so Dana's later plain fast-forward of main
    to `hotfix` meets the mobile review rule and is refused with review/missing."""
    server, work, sha = _captain_breaks_glass_on_timeout(tmp_path)
    assert (server.path / "gatekeeper" / "push-origin" / sha[:2] / sha[2:]).is_file()
    before = server.tip()
    second = spush(server, work, "origin", "hotfix:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert second.code != 0 and "review/missing" in second.output, second.output
    assert server.tip() == before


def test_on_timeout_warn_keeps_the_push_time_origin_too(tmp_path: Path) -> None:
    """The same under `on_timeout: warn` and no bypass: accepted unchecked, its origin recorded first."""
    policy = TEST_POLICY + "on_timeout: warn\n"
    server, work = seeded(tmp_path, policy)
    work.branch("topic")
    work.checkout("topic")
    work.commit("from the phone\n", {"app.py": "x = 1\n"}, author=MO, committer=MO)
    sha, code, said = _hung_hook(server, work, "refs/heads/topic", ("origin-device=mobile",), policy)
    assert code == 0 and "did not finish" in said and "UNCHECKED" in said, said
    second = spush(server, work, "origin", "topic:main", env={"GATEKEEPER_PUSHER": "dana"})
    assert second.code != 0 and "review/missing" in second.output, second.output


def test_a_bypass_granted_by_the_watchdog_is_recorded_as_a_bypass_of_named_commits(tmp_path: Path) -> None:
    """Attack: the same break-glass push accepted by the watchdog (watchdog.py:95-112). Its only audit record is
    `event: timeout, exit_code: 0, verdict: null` (watchdog.py:106 -> audit/pushlog.py:46): no `gate/bypassed`
    finding, no bypass marker, no reason field, and neither the ref nor the commit that was let in — only the raw
    push options say a bypass was asked for. The hash-chained decision log gets the same empty entry (refs=(),
    commits=()), and with an attestation key no admission is signed, so nothing downstream says "bypassed".
    An auditor filtering for `gate/bypassed` (or `decision == "bypass"`) never sees this break-glass, and cannot
    tell which commit it admitted.

    Severity: medium — a granted bypass accepted a push without being recorded as one (DESIGN: "Bypass ... recorded
    as a finding, and visible in every output"; docs/hooks.md lists "bypass" as a decision the log records).

    Secure behaviour: the timeout record of a push accepted by bypass names the bypass (who, reason) outside the
    raw push options, and the refs/commits it admitted (HookState knows the stdin lines before the check runs).
    (Reproduced with a check that hangs after the commits are known: with the push-origin record's lock held, as
    the test above does, the push is now refused.)"""
    server, work, sha = _captain_breaks_glass_on_timeout(tmp_path)
    entry = server.audit()[-1]
    assert entry["event"] == "timeout", entry
    assert entry["bypass"] == {"by": "captain", "reason": "INC-7"}, entry
    assert entry["commits"] == [sha], entry
    assert [(r["ref"], r["new"], r["kind"]) for r in entry["refs"]] == [("refs/heads/hotfix", sha, "create")], entry
