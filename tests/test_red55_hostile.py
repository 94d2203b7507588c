"""Red team red55: what a slow, large, wide or odd push makes the pre-receive hook not do, while the push is
still accepted.

Each test but the control FAILS on the code at the time of writing, for the reason its docstring names, and
asserts the secure behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with
the installed hook, the real scanners.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, SECRETS_POLICY, seeded, spush
from tests.test_red52_hostile import _server_and_base, _trace

TRACE = ".agent-trace/traces.jsonl"


def _padding(revision: str, size: int) -> str:
    """Old Agent Trace records (about `size` bytes of them) naming a docs file: a long-lived project's file."""
    record = _trace(revision, {"docs/old.md": [(1, 1)]})
    return record * (size // len(record) + 1)


# -- 1. an Agent Trace file over 1 MiB: every record it holds is dropped, silently ---------------------------------

def test_a_trace_file_grown_past_one_mib_drops_the_record_of_an_agents_zone_change(tmp_path: Path) -> None:
    """Attack: `.agent-trace/traces.jsonl` is append-only (the reference implementation appends a record per
    agent edit), so a long-lived project's file passes 1 MiB on its own — or a pusher pads it past that in an
    earlier, harmless commit already on main. An agent then writes `pay/c.py` (an `ai: block` zone) and its
    tooling appends the record naming it. engine._trace_files -> attribution.trace_file_records
    (gatekeeper/origin/attribution.py:205-216) reads the file's old and new blobs with
    `read_objects(..., max_size=MAX_NOTE)` (1 MiB); the new blob is over it, read as None, and
    `added_records(old, None)` returns "" — the record the commit added is never parsed, the commit is
    classified human (origin.ai none) and nothing says so (no finding, no note). The push is accepted.

    Severity high: AI-written code lands in an `ai: block` zone with the commit's own record naming it, under the
    documented policy, and the same loss takes every later agent commit of the project out of the zone rules and
    the `ai.scan` line scan once the file has grown — without anyone being told.

    Secure behaviour: the records a commit adds are read from its diff (or the blob is read past MAX_NOTE, the
    added lines bounded instead); where they cannot be read, the commit counts AI-involved whole (as red53 made
    cut records count) or a finding names the unread trace file — here: refused with policy/zone-violation."""
    server, work, base = _server_and_base(tmp_path)
    padded = work.commit("docs: agent history\n", {TRACE: _padding(base, 1024 * 1024 + 4096)})
    assert spush(server, work, "origin", "HEAD:refs/heads/main").code == 0
    old = work.git("show", f"{padded}:{TRACE}") + "\n"
    sha = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\nd = 2\n",
                                          TRACE: old + _trace(padded, {"pay/c.py": [(1, 2)]})})
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "the agent-written change to pay/c.py reached main: its trace record was not read"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 2. a trace file the tip no longer holds: the records the push's commits added are never read -----------------

def test_a_trace_file_deleted_by_the_last_commit_hides_the_record_of_the_first(tmp_path: Path) -> None:
    """Attack: commit 1 (an agent's) writes `pay/c.py` in the `ai: block` zone and appends the Agent Trace record
    naming it — red52's control, which is refused. Commit 2, pushed with it, deletes `.agent-trace/traces.jsonl`
    ("clean up tooling files"). engine._trace_files (gatekeeper/engine.py:547-556) looks for records only when
    the file exists at a tip being judged (`git.object_exists(f"{tip}:{TRACE_FILE}")`): it does not at commit
    2, so trace_file_records is never called, commit 1 is classified human although the record it added is in
    the pushed history, and the push is accepted.

    Severity medium: the records stay in history (an audit of the range that still had the file would see them),
    but the gate's own rule — "the records each commit adds count" — is skipped on a shortcut meant only to spare
    histories without the file; one extra commit takes an agent's zone change past `ai: block`.

    Secure behaviour: the shortcut asks whether any judged commit touches the file (one `git log --no-walk --
    .agent-trace/traces.jsonl`, which trace_file_records runs anyway), not whether the tip holds it; refused
    with policy/zone-violation on pay/c.py."""
    server, work, base = _server_and_base(tmp_path)
    first = work.commit("pay: refactor\n", {"pay/c.py": "c = 1\nd = 2\n",
                                            TRACE: _trace(base, {"pay/c.py": [(1, 2)]})})
    work.git("rm", "-q", TRACE)
    work.git("commit", "-q", "-m", "chore: drop tooling files")
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != work.head() and server.tip() != first, \
        "the agent-written change to pay/c.py reached main: its trace record was not read"
    assert result.code != 0 and "policy/zone-violation" in result.remote_text, result.remote_text


# -- 3. a file one byte over the size cap: a key on its first line is not looked at, the push to main accepted ----

CAP = 2 * 1024 * 1024  # gatekeeper.scan.added_lines.DEFAULT_MAX_FILE_BYTES


def _big(size: int) -> str:
    filler = "# " + "x" * 76 + "\n"
    body = KEY_LINE + filler * ((size - len(KEY_LINE)) // len(filler) + 1)
    return body[:size - 1] + "\n"


def test_control_a_key_on_the_first_line_of_a_file_at_the_cap_is_refused(tmp_path: Path) -> None:
    """Control: a desktop commit adding a file of exactly the cap (2 MiB) whose first line is an AWS key is
    refused on main by the secrets rule (`block_at: high`)."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("vendor data\n", {"data/blob.py": _big(CAP)}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert result.code != 0 and "secrets/aws-access-key" in result.remote_text, result.remote_text
    assert AWS_KEY not in result.output


def test_a_key_on_the_first_line_of_a_file_one_byte_over_the_cap_reaches_main(tmp_path: Path) -> None:
    """Attack: the control's file with one byte more (2 MiB + 1). git shows it as binary (core.bigFileThreshold
    = the cap), SecretsScanner._binary_content (gatekeeper/scan/secrets_scanner.py:691-705) sees
    `size > self.max_file_bytes` and records only `scan/file-too-large` — not even the printable runs a real
    binary gets checked for are read, although the key is in its first 50 bytes. Under the default `unscanned:
    {mobile: block, default: warn}` (config.py:33) a desktop commit's unscanned file is a warning
    (policy.py:159-162), so the push to the protected main is ACCEPTED with the key in it. A pusher needs only
    to pad the file that carries a credential past 2 MiB (a fixture, a lock file, a dump).

    Severity medium: the pusher is told (a non-blocking `scan/file-too-large` note), and docs/hooks.md lets
    unscanned content of desktop commits warn by default; but the default rule set's own promise — "a live
    credential blocks whatever device it came from" — is broken by one byte of padding, on the branch the gate
    protects, when the first 2 MiB (what the control proves is cheap to scan) would have shown it.

    Secure behaviour: a blob over the cap is still scanned up to the cap (read the first max_file_bytes, as
    `read_head` does for `_read_as`, the rest reported as not scanned); the key blocks as in the control."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    sha = work.commit("vendor data\n", {"data/blob.py": _big(CAP + 1)}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "HEAD:refs/heads/main")
    assert server.tip() != sha, "a key on line 1 of a file one byte over the cap reached main: " + result.remote_text
    assert result.code != 0 and "secrets/aws-access-key" in result.remote_text, result.remote_text
    assert AWS_KEY not in result.output
