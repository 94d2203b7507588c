"""Red team red67: where git's answer "this is not a blob" is taken for "nothing to judge" in a real push into a
bare repository with the installed hook (receive.fsckObjects at git's default: off).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed).
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, SECRETS_POLICY, TEST_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder

AS_DANA = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
           "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}


def _tree(work: RepoBuilder, entries: list[tuple[bytes, bytes, str]]) -> str:
    """A tree object written as given (`--literally`: git's own checks of mode against object type are skipped,
    as a hostile client's pack skips them)."""
    raw = b"".join(mode + b" " + name + b"\0" + bytes.fromhex(sha) for mode, name, sha in entries)
    return work.git("hash-object", "-t", "tree", "-w", "--literally", "--stdin", input=raw)


def test_a_tree_object_filed_as_a_regular_file_carries_a_key_onto_main(tmp_path: Path) -> None:
    """Attack: a desktop commit on main whose tree names `config.py` as a regular file (mode 100644) while the object
    it points at is a TREE — one whose single entry is named `aws_access_key_id = AKIA…`. receive-pack without
    fsckObjects (git's default, and make_server's) takes it: the connectivity walk only asks that an object of that
    id exists. diff-tree shows `config.py` as an added binary file, so the secrets scanner reads it from the object
    store: SecretsScanner._binary_content -> hits_of (gatekeeper/scan/secrets_scanner.py) gets kind "tree" from
    BlobReader.read_head, returns no decoding, and the file becomes `Skip(..., "missing")` -> scan/unreadable
    (gatekeeper/scan/workspace.py Skip.finding), severity LOW, "could not be read (missing)" — although git read the
    object fine, it just is no blob. Under the default `unscanned: {default: warn}` that is a note: the push to the
    protected main is ACCEPTED and every later `git clone` receives the tree object (pack-objects sends it by id),
    where `git cat-file -p main:config.py` prints the key. The engine's own rule for objects the server cannot read
    in pre-receive (_ScanView.exclude_missing: object/missing is enforced when `pushed`) never runs: nothing is
    missing, so a pusher-made "unreadable" object is judged more leniently than a damaged repository's.

    Severity medium: a live credential enters the history served to every clone through the protected branch, under
    the default policy, with one non-blocking LOW line; it takes a hand-made pack but no privilege (mobile commits
    are blocked by `unscanned: mobile: block`, so desktop pushers only). Secure behaviour: an entry whose object is
    not of the type its mode says (a tree/commit/tag filed as a file) is refused in pre-receive (as object/missing
    is), or its bytes are scanned as the content they are — here: the push is refused and the key stays off main."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    readme = work.git("rev-parse", "HEAD:README.md")
    inner = _tree(work, [(b"100644", KEY_LINE.strip().encode(), readme)])
    root = _tree(work, [(b"100644", b"README.md", readme), (b"100644", b"config.py", inner)])
    sha = work.git("commit-tree", root, "-p", work.head(), "-m", "add config", env=AS_DANA)
    result = spush(server, work, "origin", f"{sha}:refs/heads/main")
    # Setup guard: the object really is a tree on the server, named by a regular-file entry.
    if server.tip() == sha:
        assert server.git("cat-file", "-t", f"{sha}:config.py") == "tree"
        assert AWS_KEY in server.git("cat-file", "-p", f"{sha}:config.py")
    assert server.tip() != sha, (
        "a tree object filed as config.py put an AWS key on main; the gate said only: "
        + "; ".join(f"{f['rule_id']} ({f['severity']}, blocking={f['blocking']}): {f['message']}"
                    for f in server.last_verdict().get("findings", [])))
    assert result.code != 0
    assert AWS_KEY not in result.output


def test_lead_the_same_tree_filed_as_a_file_is_refused_by_a_local_check_too(tmp_path: Path) -> None:
    """(lead, after the fix) The door red67 did not probe: `gatekeeper check` in the pusher's own clone, on the same
    hand-made commit, blocks on the wrong-type object as the hook does."""
    import json
    import subprocess
    import sys

    server, work = seeded(tmp_path, SECRETS_POLICY)
    readme = work.git("rev-parse", "HEAD:README.md")
    inner = _tree(work, [(b"100644", KEY_LINE.strip().encode(), readme)])
    root = _tree(work, [(b"100644", b"README.md", readme), (b"100644", b"config.py", inner)])
    base = work.head()
    sha = work.git("commit-tree", root, "-p", base, "-m", "add config", env=AS_DANA)
    policy = tmp_path / "policy.yml"
    policy.write_text(SECRETS_POLICY)
    proc = subprocess.run([str(Path(sys.executable).with_name("gatekeeper")), "check", "--repo", str(work.path),
                           "--policy", str(policy), "--base", base, "--head", sha, "--format", "json"],
                          capture_output=True, text=True, check=False, timeout=120)
    verdict = json.loads(proc.stdout)
    assert proc.returncode == 1 and verdict["decision"] == "block", proc.stdout + proc.stderr
    assert any(f["rule_id"] == "scan/unreadable" and f["severity"] == "high" and f["blocking"]
               for f in verdict["findings"]), verdict["findings"]
    assert AWS_KEY not in proc.stdout + proc.stderr


def test_lead_a_tree_filed_as_python_source_is_refused_by_the_code_scanners(tmp_path: Path) -> None:
    """(lead, after the fix) The code scanners' door: with semgrep and bandit in the hook, a `.py` entry whose object is
    a tree (workspace.materialise's "not-a-blob") blocks the push as well, whatever the secrets scanner says."""
    policy = TEST_POLICY.replace("default: {scanners: [], block_at: critical}",
                                 "default: {scanners: [bandit], block_at: high}").replace(
        "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
        "pre_receive: {budget_seconds: 4.5, scanners: [bandit], defer: []}")
    server, work = seeded(tmp_path, policy)
    readme = work.git("rev-parse", "HEAD:README.md")
    inner = _tree(work, [(b"100644", b"payload.py", readme)])
    root = _tree(work, [(b"100644", b"README.md", readme), (b"100644", b"run.py", inner)])
    sha = work.git("commit-tree", root, "-p", work.head(), "-m", "add run.py", env=AS_DANA)
    result = spush(server, work, "origin", f"{sha}:refs/heads/main")
    assert server.tip() != sha and result.code != 0, result.output
    assert "scan/unreadable" in result.output, result.output
