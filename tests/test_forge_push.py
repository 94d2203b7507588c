"""A hostile pusher dressing commits up as GitHub's own, through a real `git push` into the hooked server.

Writing committer `GitHub <noreply@github.com>` and a "(#N)" subject makes a commit look like a
pull-request merge. That must buy nothing: a PR merge carries no device class, so the policy's
`undeclared` rule applies exactly as to an untagged commit; its review evidence is heuristic and never
an approval; and with `web` among the mobile classes a real web edit still gets the mobile rules.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import make_server, spush

POLICY = """\
version: 1
origins: {{mobile_classes: [mobile, tablet, web], undeclared: {undeclared}}}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {{scanners: [], block_at: high, review: {{approvals: 1}}}}
  default: {{scanners: [], block_at: critical}}
pre_receive: {{budget_seconds: 4.0, scanners: [], defer: []}}
"""
WEB_FLOW = ("GitHub", "noreply@github.com")


def _server(tmp_path: Path, undeclared: str):  # type: ignore[no-untyped-def]
    server = make_server(tmp_path / "srv", policy=POLICY.format(undeclared=undeclared))
    work = server.clone()
    work.commit("Initial commit\n\nOrigin-Device: desktop\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    return server, work


def test_forged_pr_merge_is_judged_like_any_untagged_commit(tmp_path: Path) -> None:
    server, work = _server(tmp_path, "mobile")  # fail closed: untagged = mobile
    sha = work.commit("Add feature (#12)\n\nReviewed-by: Rita <rita@example.com>\n", {"app.py": "x = 1\n"},
                      committer=WEB_FLOW)

    result = spush(server, work, "origin", "main")

    assert result.code != 0, result.output  # still mobile, still needs a verifiable review
    verdict = server.last_verdict()
    (commit,) = [c for c in verdict["commits"] if c["sha"] == sha]
    assert commit["mobile"] is True and commit["origin"]["device"] == "unknown"
    evidence = {e["source"]: e for e in commit["review"]["evidence"]}
    assert evidence["forge/pr-merge"]["trust"] == "heuristic" and evidence["forge/pr-merge"]["pr"] == 12
    assert commit["review"]["status"] != "approved"


def test_web_edit_gets_the_mobile_rules_and_a_pr_merge_does_not(tmp_path: Path) -> None:
    server, work = _server(tmp_path, "desktop")
    edit = work.commit("Update README.md\n", {"README.md": "edited in the browser\n"}, committer=WEB_FLOW)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "review/" in result.output  # web = mobile rules here: review required
    (commit,) = [c for c in server.last_verdict()["commits"] if c["sha"] == edit]
    assert (commit["origin"]["device"], commit["mobile"]) == ("web", True)

    work.git("reset", "-q", "--hard", "origin/main")
    merge = work.commit("Fix parser (#40)\n", {"parser.py": "y = 2\n"}, committer=WEB_FLOW)
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output  # a PR merge is not a web edit: default rules
    (commit,) = [c for c in server.last_verdict()["commits"] if c["sha"] == merge]
    assert (commit["origin"]["device"], commit["mobile"], commit["ruleset"]) == ("unknown", False, "default")
