"""The hook's parts without a push: forge env, stdin, review rules, bypass, message, deadline, watchdog."""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
import time
from pathlib import Path

import pytest

from gatekeeper.config import default_policy, parse_policy
from gatekeeper.hookenv import forge_from_env, push_options_from_env, pusher_from_env
from gatekeeper.hookinput import InputError, parse_input
from gatekeeper.identity import Identity, parse_identity, same_person
from gatekeeper.interfaces import ScanJob, ScanResult
from gatekeeper.models import (
    BypassClaim,
    Commit,
    CommitReport,
    Decision,
    Finding,
    Origin,
    Person,
    RefKind,
    RefUpdate,
    ReviewStatus,
    Severity,
    SignatureInfo,
    SignatureStatus,
    Stats,
    Verdict,
)
from gatekeeper.modes.pre_receive import run_pre_receive
from gatekeeper.policy import decide, evaluate_bypass
from gatekeeper.report.hook import render_error, render_hook
from gatekeeper.review.forge import PushReviewSource
from gatekeeper.review.reviewed_by import assess_trailers
from gatekeeper.trailers import parse_trailers
from gatekeeper.watchdog import HookState, Watchdog
from tests.hook_helpers import MO, MOBILE, TEST_POLICY, run_hook_subprocess
from tests.repo_builder import RepoBuilder

ZERO = "0" * 40
A, B = "a" * 40, "b" * 40


# -- forge environment ------------------------------------------------------------------------------

@pytest.mark.parametrize(("via", "web", "merge"), [
    ("blob#save", True, False), ("blob edit", True, False), ("git repo contents api", True, False),
    ("pull request merge button", False, True), ("pull request merge api", False, True), ("merge", False, True),
    ("git refs update api", False, False), (None, False, False),
])
def test_ghes_env(via: str | None, web: bool, merge: bool) -> None:
    env = {"GITHUB_USER_LOGIN": "rita", "GITHUB_PULL_REQUEST_AUTHOR_LOGIN": "mo", "GITHUB_REPO_NAME": "acme/pay"}
    if via:
        env["GITHUB_VIA"] = via
    info = forge_from_env(env)
    assert (info.forge, info.user, info.repo, info.web_edit, info.pr_merge) == ("github", "rita", "acme/pay", web,
                                                                               merge)
    assert info.pr_author == "mo"


def test_gitlab_and_gitea_and_plain_env() -> None:
    gl = forge_from_env({"GL_ID": "user-1", "GL_PROTOCOL": "web", "GL_USERNAME": "jdoe", "GL_PROJECT_PATH": "g/p"})
    assert (gl.forge, gl.user, gl.via, gl.web_edit, gl.repo) == ("gitlab", "jdoe", "web", True, "g/p")
    assert not forge_from_env({"GL_ID": "user-1", "GL_PROTOCOL": "ssh"}).web_edit
    gitea = forge_from_env({"SSH_ORIGINAL_COMMAND": "gitea-internal", "GITEA_PUSHER_NAME": "jdoe",
                            "GITEA_REPO_USER_NAME": "acme", "GITEA_REPO_NAME": "pay"})
    assert (gitea.forge, gitea.web_edit, gitea.pr_merge, gitea.repo) == ("gitea", True, False, "acme/pay")
    merge = forge_from_env({"SSH_ORIGINAL_COMMAND": "gitea-internal", "GITEA_PUSHER_NAME": "jdoe",
                            "GITEA_PUSH_TRIGGER": "pr-merge-to-base"})
    assert (merge.web_edit, merge.pr_merge) == (False, True)
    assert forge_from_env({}).forge == "git"


def test_pusher_identity_precedence() -> None:
    assert pusher_from_env({"GITHUB_USER_LOGIN": "gh", "GATEKEEPER_PUSHER": "spoof"}).login == "gh"  # type: ignore[union-attr]
    assert pusher_from_env({"GL_ID": "user-1", "GL_USERNAME": "gl", "REMOTE_USER": "x"}).login == "gl"  # type: ignore[union-attr]
    gitea = pusher_from_env({"GITEA_PUSHER_NAME": "te", "GITEA_PUSHER_EMAIL": "te@example.com"})
    assert gitea is not None and (gitea.login, gitea.email) == ("te", "te@example.com")
    assert pusher_from_env({"GATEKEEPER_PUSHER": "admin-set"}).login == "admin-set"  # type: ignore[union-attr]
    assert pusher_from_env({"REMOTE_USER": "httpuser"}).source == "REMOTE_USER"  # type: ignore[union-attr]
    assert pusher_from_env({}) is None
    # A forge that names no user leaves the pusher unknown rather than trusting a fallback variable.
    assert pusher_from_env({"GL_ID": "key-1", "GATEKEEPER_PUSHER": "spoof"}) is None


def test_push_options_bounded_and_sanitized() -> None:
    env = {"GIT_PUSH_OPTION_COUNT": "3", "GIT_PUSH_OPTION_0": "origin-device=mobile",
           "GIT_PUSH_OPTION_1": "x=\x1b[31mred", "GIT_PUSH_OPTION_2": "y" * 5000}
    options = push_options_from_env(env)
    assert options[0] == "origin-device=mobile"
    assert options[1] == "x=red"
    assert len(options[2]) == 1000
    many = {"GIT_PUSH_OPTION_COUNT": "1000", **{f"GIT_PUSH_OPTION_{i}": f"o{i}" for i in range(1000)}}
    assert len(push_options_from_env(many)) == 100
    assert push_options_from_env({}) == ()
    with pytest.raises(ValueError, match="not a number"):
        push_options_from_env({"GIT_PUSH_OPTION_COUNT": "two"})


# -- stdin ------------------------------------------------------------------------------------------

def test_parse_input_accepts_every_line_and_sha256() -> None:
    data = f"{ZERO} {A} refs/heads/main\n{A} {B} refs/tags/v1\n{'c' * 64} {'d' * 64} refs/heads/x\n".encode()
    parsed = parse_input(data)
    assert [(u.old, u.new, u.ref) for u in parsed] == [(ZERO, A, "refs/heads/main"), (A, B, "refs/tags/v1"),
                                                       ("c" * 64, "d" * 64, "refs/heads/x")]
    assert parse_input(b"") == []
    assert parse_input(f"{ZERO} {A} refs/heads/no-newline".encode())[0].ref == "refs/heads/no-newline"


@pytest.mark.parametrize("line", [
    "garbage", f"{ZERO} {A}", f"{ZERO} {A} refs/heads/a extra", f"{A.upper()} {B} refs/heads/main",
    f"{'a' * 39} {B} refs/heads/main", f"{A} {'b' * 64} refs/heads/main", f"{A} {B} main",
    f"{A} {B} refs/heads/a\x1b[31m", f"{A} {B} refs/heads/a\rb", f"{A} {B} refs/heads/../../x", f"{A}  {B} refs/x",
])
def test_parse_input_rejects_malformed(line: str) -> None:
    with pytest.raises(InputError) as info:
        parse_input(line.encode() + b"\n")
    assert "stdin line 1" in info.value.message
    assert "\x1b" not in info.value.message


# -- review rules -----------------------------------------------------------------------------------

def _commit(sha: str, *, parents: tuple[str, ...] = (), author: tuple[str, str] = MO, message: str = "m") -> Commit:
    person = Person(*author)
    return Commit(sha, parents, person, person, 0, 0, message, parse_trailers(message))


def _report(commit: Commit, mobile: bool, signature: SignatureInfo | None = None) -> CommitReport:
    return CommitReport(commit, Origin(), mobile, "mobile" if mobile else "default", signature or SignatureInfo(),
                        refs=("refs/heads/main",))


POLICY = parse_policy(TEST_POLICY, "test")


def test_identity_matching() -> None:
    rita = parse_identity("Rita Reviewer <rita@example.com>")
    assert (rita.name, rita.email) == ("Rita Reviewer", "rita@example.com")
    assert same_person(rita, Identity(login="rita"))
    assert same_person(rita, Identity(login="RITA@example.com"))
    assert same_person(parse_identity("<123+rita@users.noreply.github.com>"), Identity(login="rita"))
    assert same_person(parse_identity("R. <rita@users.noreply.github.com>"), Identity(login="Rita"))
    assert same_person(parse_identity("rita <r@example.com>"), Identity(login="RITA"))
    assert not same_person(rita, Identity(login="rit"))
    assert parse_identity("dependabot[bot] <x@y>").is_bot


def test_a_coauthor_outside_the_trailer_block_cannot_review() -> None:
    """The push path now reads Co-authored-by lines anywhere in the message, as the Action path did."""
    message = "fix" + "\n\nCo-authored-by: Rita Reviewer <rita@example.com>\n\nReviewed-by: Rita <rita@example.com>\n"
    mobile = _report(_commit("1" * 40, message=message), True)
    info = assess_trailers([mobile], [mobile], POLICY, 1, Identity(login="rita"))["1" * 40].info
    assert info.status is ReviewStatus.SELF


def test_the_signer_of_the_reviewed_commit_cannot_review_it() -> None:
    """A good signature proves who made the commit, whatever its author field says (tests/test_identity.py
    runs the same attack through a real push)."""
    message = "fix\n\nReviewed-by: Mallory <mallory@example.com>\n"
    signed = _report(_commit("1" * 40, message=message), True,
                     SignatureInfo(SignatureStatus.GOOD, "ssh", signer="mallory@example.com"))
    for pusher in (Identity(login="mallory"), Identity(login="mo"), None):
        info = assess_trailers([signed], [signed], POLICY, 1, pusher)["1" * 40].info
        assert info.status is ReviewStatus.SELF, (pusher, info)
    # The same claim on an unsigned commit pushed by Mallory: the author field is all there is to go by.
    unsigned = _report(_commit("1" * 40, message=message), True)
    info = assess_trailers([unsigned], [unsigned], POLICY, 1, Identity(login="mallory"))["1" * 40].info
    assert info.status is ReviewStatus.APPROVED


def test_trailer_review_paths() -> None:
    mobile = _report(_commit("1" * 40), True)
    merge_msg = "Merge\n\nReviewed-by: Rita Reviewer <rita@example.com>\n"
    merge = _report(_commit("2" * 40, parents=("0" * 40, "1" * 40), author=("Rita Reviewer", "rita@example.com"),
                            message=merge_msg), False)
    reports = [mobile, merge]
    by_pusher = assess_trailers(reports, [mobile], POLICY, 1, Identity(login="rita"))["1" * 40].info
    assert (by_pusher.status, by_pusher.approvers, by_pusher.source) == (
        ReviewStatus.APPROVED, ("Rita Reviewer <rita@example.com>",), "trailer")
    unverified = assess_trailers(reports, [mobile], POLICY, 1, Identity(login="mo"))["1" * 40].info
    assert unverified.status is ReviewStatus.UNKNOWN
    # The reviewer's good signature on the merge verifies the claim without the pusher.
    signed = _report(merge.commit, False, SignatureInfo(SignatureStatus.GOOD, "ssh", signer="rita@example.com"))
    by_signature = assess_trailers([mobile, signed], [mobile], POLICY, 1, None)["1" * 40].info
    assert by_signature.status is ReviewStatus.APPROVED
    assert by_signature.detail == "Reviewed-by verified by signature"
    bad_sig = _report(merge.commit, False, SignatureInfo(SignatureStatus.BAD, "ssh", signer="rita@example.com"))
    assert assess_trailers([mobile, bad_sig], [mobile], POLICY, 1, None)["1" * 40].info.status is ReviewStatus.UNKNOWN
    # Two approvals cannot be verified by one pusher.
    partial = assess_trailers(reports, [mobile], POLICY, 2, Identity(login="rita"))["1" * 40].info
    assert partial.status is ReviewStatus.MISSING and "1 of 2" in partial.detail
    # No claims at all.
    assert assess_trailers([mobile], [mobile], POLICY, 1, None)["1" * 40].info.status is ReviewStatus.MISSING


def test_co_author_cannot_review_and_bots_do_not_count() -> None:
    msg = "fix\n\nCo-authored-by: Rita Reviewer <rita@example.com>\nReviewed-by: Rita Reviewer <rita@example.com>\n"
    mobile = _report(_commit("1" * 40, message=msg), True)
    info = assess_trailers([mobile], [mobile], POLICY, 1, Identity(login="rita"))["1" * 40].info
    assert info.status is ReviewStatus.SELF
    bot = _report(_commit("3" * 40, message="fix\n\nReviewed-by: renovate[bot] <bot@example.com>\n"), True)
    info = assess_trailers([bot], [bot], POLICY, 1, Identity(login="renovate[bot]"))["3" * 40].info
    assert info.status is ReviewStatus.UNKNOWN


def test_pusher_vouching_for_a_review_must_not_be_an_author() -> None:
    # The claim names a login that matches the pusher but not the author; the pusher is the author.
    mobile = _report(_commit("1" * 40, message="fix\n\nReviewed-by: mbile\n"), True)
    pusher = Identity(login="mbile", email="mo@example.com")
    assert assess_trailers([mobile], [mobile], POLICY, 1, pusher)["1" * 40].info.status is ReviewStatus.SELF
    assert assess_trailers([mobile], [mobile], POLICY, 1, Identity(login="mbile"))["1" * 40].info.status is (
        ReviewStatus.APPROVED)


def test_strict_assessment_ignores_rule_set_relaxations() -> None:
    lax = parse_policy(TEST_POLICY.replace("review: {approvals: 1}", "review: {approvals: 1, exclude_authors: false, "
                                           "after_last_mobile_commit: false}"), "lax")
    own = _report(_commit("1" * 40, message="fix\n\nReviewed-by: Mo Bile <mo@example.com>\n"), True)
    assert assess_trailers([own], [own], lax, 1, Identity(login="mo"))["1" * 40].info.status is ReviewStatus.APPROVED
    strict = assess_trailers([own], [own], lax, 1, Identity(login="mo"), strict=True)["1" * 40].info
    assert strict.status is ReviewStatus.SELF


def test_after_last_mobile_commit_false_accepts_any_review_in_the_push() -> None:
    lax = parse_policy(TEST_POLICY.replace("review: {approvals: 1}",
                                           "review: {approvals: 1, after_last_mobile_commit: false}"), "lax")
    reviewed = _report(_commit("1" * 40, author=("Dana", "dana@example.com"),
                               message="ok\n\nReviewed-by: Rita <rita@example.com>\n"), False)
    later = _report(_commit("2" * 40, parents=("1" * 40,)), True)
    strict = assess_trailers([reviewed, later], [later], POLICY, 1, Identity(login="rita"))["2" * 40].info
    assert strict.status is ReviewStatus.STALE
    relaxed = assess_trailers([reviewed, later], [later], lax, 1, Identity(login="rita"))["2" * 40].info
    assert relaxed.status is ReviewStatus.APPROVED


def test_forge_merge_counts_once_and_combines_with_trailers() -> None:
    from gatekeeper.origin.base import ForgeInfo

    forge = ForgeInfo("github", user="lead", via="pull request merge button", pr_merge=True, pr_author="mo")
    mobile = _report(_commit("1" * 40, message="fix\n\nReviewed-by: Lead <lead@example.com>\n"), True)
    source = PushReviewSource(forge, Identity(login="lead"))
    result = source.review([mobile], [mobile], [], POLICY, 2)
    info = result.reviews["1" * 40]
    assert info.status is ReviewStatus.MISSING and "1 of 2" in info.detail  # the same person twice is one approval
    assert [f.rule_id for f in result.findings] == ["review/missing"]
    assert all(f.enforced for f in result.findings)


# -- bypass -----------------------------------------------------------------------------------------

def test_bypass_matches_login_or_email_exactly() -> None:
    policy = parse_policy(TEST_POLICY.replace("allowed: [captain]", "allowed: [captain, ops@example.com]"), "t")
    assert evaluate_bypass(BypassClaim(("gatekeeper.bypass=why",), "Captain"), policy).granted
    assert evaluate_bypass(BypassClaim(("gatekeeper.bypass=why",), "x", "ops@example.com"), policy).granted
    assert not evaluate_bypass(BypassClaim(("gatekeeper.bypass=why",), "captain2"), policy).granted
    assert not evaluate_bypass(BypassClaim(("other=1",), "captain"), policy).requested


def _verdict(findings: tuple[Finding, ...], decision: Decision, commits: int = 1) -> Verdict:
    return Verdict(decision, (RefUpdate("refs/heads/main", A, B, RefKind.UPDATE),), (), findings, (),
                   Stats(commits=commits), mode="pre-receive", policy_source="policy.yml")


def test_granted_bypass_keeps_findings_visible() -> None:
    policy = parse_policy(TEST_POLICY, "t")
    blocking = Finding("secrets/aws-access-key", Severity.CRITICAL, "key")
    today = dt.date(2026, 12, 1)
    assert decide([blocking], (), policy, today=today).decision is Decision.BLOCK
    out = decide([blocking], (), policy, today=today, bypass=BypassClaim(("gatekeeper.bypass=why",), "captain"))
    assert out.decision is Decision.WARN
    assert [f.rule_id for f in out.findings] == ["secrets/aws-access-key", "gate/bypassed"]
    assert [f.blocking for f in out.findings] == [False, False]
    assert out.findings[1].message == "gate bypassed by captain: why; overrode: secrets/aws-access-key"


# -- the message ------------------------------------------------------------------------------------

def test_hook_message_sanitizes_and_prefixes_only_rejections_on_gitlab() -> None:
    finding = Finding("policy/zone-violation", Severity.HIGH, "change to \x1b[2Jevil\r\n.py", commit="c" * 40,
                      path="src/\x1b]0;title\x07x.py", line=3, fix="do \x1b[31mnot\x1b[0m", blocking=True)
    text = render_hook(_verdict((finding,), Decision.BLOCK), gitlab=True)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    lines = text.splitlines()
    assert lines == [
        "GL-HOOK-ERR: gatekeeper: push REJECTED: 1 blocking finding(s) in 1 new commit(s)",
        "GL-HOOK-ERR:   policy/zone-violation cccccccccccc src/x.py:3: change to evil  .py -- fix: do not",
        "GL-HOOK-ERR:   policy: policy.yml",
    ]
    warn = Finding("policy/changed", Severity.MEDIUM, "changed")
    accepted = render_hook(_verdict((warn,), Decision.WARN), gitlab=True).splitlines()
    assert accepted == ["gatekeeper: push accepted with warnings (1 new commit(s) checked)",
                        "  warning: policy/changed: changed"]
    assert render_error("bad \x1b[1mthing", "fix \x07it", gitlab=True) == (
        "GL-HOOK-ERR: gatekeeper: push REJECTED: could not evaluate: bad thing\nGL-HOOK-ERR:   fix: fix  it\n")


def test_hook_message_is_bounded() -> None:
    many = tuple(Finding(f"secrets/k{i}", Severity.HIGH, "x" * 5000, blocking=True) for i in range(50))
    lines = render_hook(_verdict(many, Decision.BLOCK)).splitlines()
    assert len(lines) == 1 + 20 + 1 + 1
    assert lines[-2] == "  ... and 30 more blocking finding(s)"
    assert max(len(line) for line in lines) <= 520


# -- deadline and watchdog --------------------------------------------------------------------------

def _pending_push(tmp_path: Path) -> tuple[RepoBuilder, bytes]:
    """A repository where main is at A and commit B (a mobile change) is not on any ref yet."""
    repo = RepoBuilder.init(tmp_path / "repo")
    base = repo.commit("base\n", {"a.txt": "a\n"})
    new = repo.commit("phone" + MOBILE, {"b.py": "b = 1\n"}, author=MO, committer=MO)
    repo.git("update-ref", "refs/heads/main", base)
    return repo, f"{base} {new} refs/heads/feature\n".encode()


class SlowScanner:
    def __init__(self, name: str, until_deadline: bool) -> None:
        self.name = name
        self.until_deadline = until_deadline
        self.ran = False

    def scan(self, job: ScanJob) -> ScanResult:
        self.ran = True
        if self.until_deadline and job.deadline is not None:
            while time.monotonic() <= job.deadline + 0.05:
                time.sleep(0.02)
        return ScanResult()


SCANNING_POLICY = textwrap.dedent("""\
    version: 1
    protected_refs: ["refs/heads/main"]
    rules:
      mobile: {scanners: [bandit, secrets], block_at: high}
      default: {scanners: [], block_at: critical}
    pre_receive: {budget_seconds: 2.0, scanners: [bandit, secrets], defer: []}
    on_timeout: ON_TIMEOUT
""")


@pytest.mark.parametrize(("on_timeout", "code"), [("block", 1), ("warn", 0)])
def test_soft_deadline_cuts_scanners_and_on_timeout_decides(tmp_path: Path, on_timeout: str, code: int) -> None:
    repo, stdin = _pending_push(tmp_path)
    policy_file = tmp_path / "policy.yml"
    policy_file.write_text(SCANNING_POLICY.replace("ON_TIMEOUT", on_timeout))
    slow, never = SlowScanner("bandit", True), SlowScanner("secrets", False)
    out = io.StringIO()
    result = run_pre_receive(stdin, env={}, repo=repo.path, policy_file=policy_file, out=out, watchdog=False,
                             scanners=lambda p: {"bandit": slow, "secrets": never})
    assert result == code
    assert slow.ran and not never.ran
    line = ("tool/timeout: secrets did not run: the time budget was used up -- fix: push fewer commits at once, or "
            "let CI run the full gate")
    if on_timeout == "block":
        assert out.getvalue().splitlines()[1] == f"  {line}"
    else:
        assert f"  warning: {line}" in out.getvalue().splitlines()


def test_watchdog_fire_writes_reason_and_audit(tmp_path: Path) -> None:
    codes: list[int] = []
    out = io.StringIO()
    state = HookState(out=out, gitlab=True, audit_log=tmp_path / "audit.jsonl", on_timeout="block", budget=4.0)
    Watchdog(state, exit=codes.append)._fire()
    assert codes == [1]
    assert out.getvalue() == ("GL-HOOK-ERR: gatekeeper: push REJECTED: the check did not finish within 4s "
                              "(on_timeout: block) -- push fewer commits at once, or ask an administrator to raise "
                              "pre_receive.budget_seconds\n")
    record = json.loads((tmp_path / "audit.jsonl").read_text())
    assert (record["event"], record["exit_code"]) == ("timeout", 1)
    # Once the hook has answered, a late timer does nothing.
    Watchdog(state, exit=codes.append)._fire()
    assert codes == [1]


@pytest.mark.parametrize(("on_timeout", "code", "first"), [
    ("block", 1, "gatekeeper: push REJECTED: the check did not finish within 1s (on_timeout: block)"),
    ("warn", 0, "gatekeeper: WARNING: the check did not finish within 1s; push accepted UNCHECKED (on_timeout: warn)"),
])
def test_watchdog_ends_a_hung_hook(tmp_path: Path, on_timeout: str, code: int, first: str) -> None:
    repo, stdin = _pending_push(tmp_path)
    policy_file = tmp_path / "policy.yml"
    policy_file.write_text(SCANNING_POLICY.replace("ON_TIMEOUT", on_timeout).replace("budget_seconds: 2.0",
                                                                                      "budget_seconds: 1.0"))
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from gatekeeper.interfaces import ScanResult
        from gatekeeper.modes.pre_receive import run_pre_receive

        class Hang:
            name = "bandit"
            def scan(self, job):
                time.sleep(30)
                return ScanResult()

        sys.exit(run_pre_receive({stdin!r}, env={{}}, repo=Path({str(repo.path)!r}),
                                 policy_file=Path({str(policy_file)!r}), scanners=lambda p: {{"bandit": Hang()}}))
    """)
    started = time.monotonic()
    proc = run_hook_subprocess(script, cwd=tmp_path)
    assert time.monotonic() - started < 20
    assert proc.returncode == code, proc
    assert proc.stdout.startswith(first)
    assert "Traceback" not in proc.stdout + proc.stderr


def test_default_budget_is_below_ghes_limit() -> None:
    assert default_policy().pre_receive.budget_seconds < 5.0


def test_a_forge_merger_who_signed_the_commits_merged_her_own_work() -> None:
    from gatekeeper.origin.base import ForgeInfo
    from gatekeeper.review.forge import forge_review

    report = _report(_commit("1" * 40), True, SignatureInfo(SignatureStatus.GOOD, "ssh", signer="lead@example.com"))
    github = ForgeInfo("github", user="lead", via="pull request merge button", pr_merge=True, pr_author="mo")
    gitea = ForgeInfo("gitea", user="lead", via="pr-merge", pr_merge=True)
    for forge in (github, gitea):
        info = forge_review(forge, report, None)
        assert info is not None and info.status is ReviewStatus.SELF, (forge.forge, info)
        unsigned = forge_review(forge, _report(report.commit, True), None)
        assert unsigned is not None and unsigned.status is ReviewStatus.APPROVED, (forge.forge, unsigned)
    bot = ForgeInfo("github", user="merge-bot", via="merge", pr_merge=True, pr_author="mo")
    assert forge_review(bot, _report(report.commit, True), None) is None  # a bot merging is no review


def test_parse_input_refuses_ref_names_that_are_not_utf8_and_keeps_unicode_ones_whole() -> None:
    """Two names that are not UTF-8 could read alike as text (red37): refused, the name shown with \\xNN. Names
    in UTF-8, line separators included, are one name."""
    with pytest.raises(InputError) as info:
        parse_input(f"{ZERO} {A} refs/heads/release/".encode() + b"\xfe\n")
    assert "stdin line 1: ref name not UTF-8: 'refs/heads/release/\\xfe'" in info.value.message
    parsed = parse_input(f"{ZERO} {A} refs/heads/main\u2028x\n{ZERO} {B} refs/heads/caf\u00e9\n".encode())
    assert [u.ref for u in parsed] == ["refs/heads/main\u2028x", "refs/heads/caf\u00e9"]
