"""Red team red68: attacks on today's fixes (red63, red64, red66, red67).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed).
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import synthetic_pr_event
from tests.test_action import REPO
from tests.test_red66_hostile import _github, assert_zone_blocked, pr, runner


def test_an_unprotected_base_moved_onto_the_blocked_commit_hides_it_from_the_range(
        tmp_path: Path, httpserver: HTTPServer, instant_backoff: list[float]) -> None:
    """Attack (any collaborator with push access; high on github.com, where the Action is the only gate): red66's
    premise — "a branch the policy does not protect is anyone's to move" — applies to the base's TIP as much as to
    its policy. The fix roots the policy in the default branch, but the range of a pull request into an
    unprotected branch still starts at that branch's tip (pull_request.base.sha), which the collaborator chose.

    1. `feature` at H: an unreviewed phone commit changing pay/fee.py (zone payments, mobile: block). PR H2 -> main
       (H2 = H + a clean desktop commit C) is BLOCKED (control).
    2. The collaborator pushes `develop` to H itself (no gate on an unprotected branch) and opens PR #8
       H2 -> develop. GitHub's base.sha is H. gatekeeper judges it with main's policy "as for a protected branch"
       (red40/red66), but over H..H2 = C alone: the zone change and the missing mobile review are outside the range.
    Observed: exit 0, decision allow, on head H2 — the latest `gatekeeper` result on H2, which GitHub's branch rule
    for main reads, is green, and the zone change merges into main unreviewed.

    Secure behaviour: a pull request into a branch the (default branch's) policy does not protect is judged over
    the commits not on the default branch (from the merge base with it), not from a tip anyone may move."""
    remote, work, base, head = _github(tmp_path)
    work.checkout("feature")
    clean = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "feature")
    work.checkout("main")

    assert_zone_blocked(runner(tmp_path, httpserver, remote, clean, 7, [head, clean]).run("pull_request",
                                                                                          pr(7, base, clean)))

    # The collaborator moves develop onto the blocked commit itself, then opens H2 -> develop.
    work.git("push", "-q", "origin", f"{head}:refs/heads/develop")
    gh2 = runner(tmp_path / "run2", httpserver, remote, clean, 8, [clean])  # GitHub lists only the commits not on the base
    result = gh2.run("pull_request", synthetic_pr_event(number=8, base_sha=head, head_sha=clean, base_ref="develop",
                                                        author="alice", repo=REPO, action="opened"))
    assert gh2.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"PR #8 {head[:12]}..{clean[:12]} into develop is ALLOWED (decision {gh2.outputs().get('decision')}): the "
        f"unreviewed phone zone change {head[:12]} sits on develop, which the collaborator moved there, outside the "
        f"range; this green result stands on {clean[:12]}, the head of PR #7 into main:\n" + result.output[-2000:])
