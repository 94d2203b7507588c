"""A server repository with thousands of refs: creating a protected branch stays within the hook's budget.

The ambiguous-ref check looks, on the creation of a protected branch, for any ref that would stand in for it by its
short name (a tag `release/2.0` before a branch `release/2.0`). It asked git whether each of the repository's refs
exists before it looked at the name: one git process per ref, ~10 ms each on the CI machine, so creating
`release/2.0` beside 3,000 tags took over 20 s, and the hook's watchdog refused it for time. Now only the names that would stand in
are asked about.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import make_server, spush


def test_a_protected_branch_is_created_beside_three_thousand_tags_in_time(tmp_path: Path) -> None:
    """With the hook's watchdog on, as installed: the push is decided within the budget, not cut at its end."""
    server = make_server(tmp_path / "srv", watchdog=True)
    work = server.clone()
    work.commit("init\n", {"a.txt": "a\n"})
    assert spush(server, work, "origin", "main").code == 0
    tip = server.tip()
    assert tip is not None
    lines = "".join(f"create refs/tags/v0.{n}.0 {tip}\n" for n in range(3000))
    subprocess.run(["git", "-C", str(server.path), "update-ref", "--stdin"], input=lines.encode(), check=True)

    result = spush(server, work, "origin", "main:refs/heads/release/2.0")
    assert result.code == 0, result.output
    assert server.tip("refs/heads/release/2.0") == tip


def test_control_a_tag_that_stands_in_for_the_new_branch_is_still_found(tmp_path: Path) -> None:
    """Among the three thousand, the one tag named like the branch is still asked about, and the creation refused."""
    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("init\n", {"a.txt": "a\n"})
    assert spush(server, work, "origin", "main").code == 0
    tip = server.tip()
    lines = "".join(f"create refs/tags/v0.{n}.0 {tip}\n" for n in range(3000)) + f"create refs/tags/release/2.0 {tip}\n"
    subprocess.run(["git", "-C", str(server.path), "update-ref", "--stdin"], input=lines.encode(), check=True)

    result = spush(server, work, "origin", "main:refs/heads/release/2.0")
    assert result.code != 0, result.output
    assert "refs/tags/release/2.0 already stands in for it" in result.output, result.output
    assert server.tip("refs/heads/release/2.0") is None
