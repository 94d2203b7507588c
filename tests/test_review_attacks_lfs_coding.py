"""Second pushes against this session's content checks (LFS pointers, coding declarations): content that a
push first parks on a branch the policy does not protect, then brings to main by a fast-forward or a merge
commit. The commits are judged again against main, so what was reported (a warning on the side branch) blocks
there. Real pushes into a bare repository with the installed hook, built-in policy."""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, MO, MOBILE, spush
from tests.test_red24_hostile import LFS_POINTER, REVIEWED, RITA_PUSHES, _server, _utf7


def _park_then_land(tmp_path: Path, files: dict[str, str | bytes], *, merge: bool) -> tuple[int, str, str]:
    server, work = _server(tmp_path)
    work.branch("parked")
    work.checkout("parked")
    work.commit("from the phone" + MOBILE + REVIEWED, files, author=MO, committer=MO)
    parked = spush(server, work, "origin", "parked", env=RITA_PUSHES)
    assert parked.code == 0, parked.output  # not protected: reported, not refused
    work.checkout("main")
    if merge:
        work.commit("unrelated\n", {"NOTES.md": "x\n"}, author=DANA, committer=DANA)
        work.merge("parked", "merge parked work\n\n" + REVIEWED)
    else:
        work.merge("parked")
    landed = spush(server, work, "origin", "main", env=RITA_PUSHES)
    return landed.code, landed.output, parked.output


def test_an_lfs_pointer_parked_on_a_branch_is_refused_when_main_fast_forwards_to_it(tmp_path: Path) -> None:
    code, output, parked = _park_then_land(tmp_path, {
        ".gitattributes": "*.env filter=lfs diff=lfs merge=lfs -text\n", "deploy/prod.env": LFS_POINTER},
        merge=False)
    assert "scan/lfs-content" in parked  # told on the side branch already
    assert code != 0 and "scan/lfs-content" in output, output


def test_a_key_in_a_utf7_file_is_refused_on_any_branch(tmp_path: Path) -> None:
    """A credential blocks wherever it is pushed: the declared reading is scanned on the side branch too."""
    server, work = _server(tmp_path)
    work.branch("parked")
    work.checkout("parked")
    module = f"# -*- coding: utf-7 -*-\nAWS = '{_utf7('A')}{AWS_KEY[1:]}'\n".encode("ascii")
    work.commit("settings\n", {"app/settings.py": module}, author=DANA, committer=DANA)
    parked = spush(server, work, "origin", "parked")
    assert parked.code != 0 and "secrets/aws-access-key" in parked.output, parked.output


def test_a_utf7_eval_parked_on_a_branch_is_refused_when_merged_into_main(tmp_path: Path) -> None:
    """No key, only code the scanners cannot read as Python does (`+AGUAdgBhAGw-` is `eval`): a warning on the
    side branch, refused (`unscanned: {mobile: block}`) once a merge commit brings it to main."""
    module = f"# -*- coding: utf-7 -*-\ndef run(cmd):\n    return {_utf7('eval')}(cmd)\n".encode("ascii")
    code, output, parked = _park_then_land(tmp_path, {"app/run.py": module}, merge=True)
    assert "scan/source-encoding" in parked
    assert code != 0 and "scan/source-encoding" in output, output
