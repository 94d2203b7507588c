"""Notes under refs/notes/origin pushed together with the commits they tag still count in pre-receive."""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import make_server, seed, spush


def test_notes_pushed_with_the_commit_make_it_mobile(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    seed(server, work)
    before = server.tip()  # type: ignore[attr-defined]
    sha = work.commit("note-tagged\n", {"n.txt": "n\n"})
    work.note(sha, "Origin-Device: mobile\n")
    result = spush(server, work, "origin", "main", "refs/notes/origin")
    assert result.code != 0, result.output
    assert f"review/missing {sha[:12]}" in result.output
    assert server.tip() == before  # type: ignore[attr-defined]
