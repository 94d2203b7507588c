"""Red team red30: past the red25-red29 fixes (what a push brings to a protected branch, the audit's evidence sources).

Each reproduction fails on w/red30 at b3514fa for the reason its docstring names, and asserts the secure behaviour.
(red30's second finding — the audit reads Agent Trace file records only when the file exists at a tip, so deleting
it hides them — is kept as a documented limitation, docs/audit.md: walking the file's history on every audit costs
as much as the walk itself, for evidence its writer controls anyway.)
Real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`); helpers from tests/test_red24_hostile.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import AWS_KEY
from tests.test_red24_hostile import _phone_push, _server

# -- 1. `working-tree-encoding`: git itself rewrites the blob into the key on every checkout -------------------------
#
# gitattributes(5) `working-tree-encoding=<enc>`: git keeps the blob in UTF-8 and converts it to <enc> (through
# iconv) when it writes the working tree, back when it adds. With an EBCDIC code page (IBM037, git accepts it) the
# blob is the UTF-8 of the key's bytes read as cp037 — `/ÏË¬/ÄÄÁËË¬…`, no NUL, text to git and to the scanner — and
# every `git clone`/`checkout` writes `aws_access_key_id = AKIA…` to disk in plain ASCII, exactly what the
# developer typed. Like an LFS pointer (scan/lfs-content) the file's bytes on disk are not the blob's; nothing in
# gatekeeper reads `.gitattributes` for it (grep -rn working-tree-encoding gatekeeper/: nothing), so the phone's
# commit lands on main with no finding (exit 0) — `unscanned: {mobile: block}` never hears of it.

KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"  # what the phone's working tree holds; `git add` stores it as IBM037
EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037")  # the blob's text


def test_control_git_checks_out_the_ebcdic_blob_as_the_plain_key(tmp_path: Path) -> None:
    """Control (passes): in a clone of what the hook accepted, the checked-out file holds the AWS key in ASCII."""
    server, work = _server(tmp_path)
    _phone_push(server, work, {".gitattributes": "*.env working-tree-encoding=IBM037\n",
                               "deploy/prod.env": KEY_LINE})
    if server.tip() != work.git("rev-parse", "HEAD"):
        return  # refused: nothing to check out (the finding below is fixed)
    clone = tmp_path / "victim"
    subprocess.run(["git", "clone", "-q", server.path.as_uri(), str(clone)], check=True, capture_output=True)
    assert AWS_KEY.encode() in (clone / "deploy" / "prod.env").read_bytes()
    blob = subprocess.run(["git", "cat-file", "blob", "HEAD:deploy/prod.env"], cwd=clone, capture_output=True,
                          check=True).stdout
    assert blob == EBCDIC_KEY_LINE.encode("utf-8") and AWS_KEY.encode() not in blob


def test_a_key_checked_out_through_working_tree_encoding_is_refused(tmp_path: Path) -> None:
    """Attack: the phone commits `deploy/prod.env` with `.gitattributes` `*.env working-tree-encoding=IBM037`; the
    blob is the key line read as EBCDIC (UTF-8 text, no NUL). Gain: a reviewed mobile commit puts a live AWS key in
    every checkout of main; no finding names the file, the hook exits 0."""
    server, work = _server(tmp_path)
    code, output = _phone_push(server, work, {".gitattributes": "*.env working-tree-encoding=IBM037\n",
                                              "deploy/prod.env": KEY_LINE})
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == "deploy/prod.env" for f in findings), (code, findings)
    assert code != 0, output
