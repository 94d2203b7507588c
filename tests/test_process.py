"""gatekeeper.process, the one place child processes start: results, timeouts that kill the whole
process group, and the registry that `release_all` empties."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gatekeeper import process


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_run_captures_output_and_exit_code() -> None:
    before = process.pending()
    result = process.run(["sh", "-c", "cat; echo err >&2; exit 3"], input=b"in", timeout=30)
    assert (result.returncode, result.stdout, result.stderr) == (3, b"in", b"err\n")
    assert result.argv == ("sh", "-c", "cat; echo err >&2; exit 3")
    assert process.pending() == before


def test_without_input_the_child_reads_nothing() -> None:
    # stdin is /dev/null, never ours: a child that reads it ends instead of waiting on the terminal.
    assert process.run(["cat"], timeout=30).stdout == b""


def test_a_program_that_cannot_start_is_an_oserror() -> None:
    before = process.pending()
    with pytest.raises(FileNotFoundError):
        process.run(["gatekeeper-no-such-program"], timeout=5)
    assert process.pending() == before


def test_a_timeout_kills_the_whole_group_and_keeps_what_was_printed(tmp_path: Path) -> None:
    before = process.pending()
    pids = tmp_path / "pids"
    script = f'echo started; sleep 300 & echo $! > "{pids}"; wait'
    started = time.monotonic()
    with pytest.raises(process.Timeout) as caught:
        process.run(["sh", "-c", script], timeout=1)
    assert time.monotonic() - started < 30
    assert caught.value.stdout == b"started\n"
    assert _gone(int(pids.read_text()))  # the grandchild went with it
    assert process.pending() == before


def test_a_child_is_registered_while_it_runs_and_release_all_kills_it() -> None:
    before = process.pending()
    with process.Child(["sleep", "300"]) as child:
        assert process.pending()[0] == (*before[0], child.pid)
        assert os.getpgid(child.pid) == child.pid  # its own group
        process.release_all()
        assert child.wait(timeout=10) < 0
        before = ((), ())  # release_all forgot everything, whatever an earlier test had left
    assert process.pending() == before


def test_close_kills_a_child_still_running() -> None:
    before = process.pending()
    child = process.Child(["sleep", "300"])
    child.close()
    assert child.returncode is not None and child.returncode < 0
    assert process.pending() == before


def test_a_foreground_child_stays_in_our_group() -> None:
    before = process.pending()
    with process.Child(["sleep", "300"], foreground=True) as child:
        assert os.getpgid(child.pid) == os.getpgid(0)
        assert process.pending() == before
    assert child.returncode is not None


def test_run_inherited_returns_the_exit_code_and_times_out() -> None:
    before = process.pending()
    assert process.run_inherited(["sh", "-c", "cat >/dev/null; exit 5"], input=b"x\n", timeout=30) == 5
    with pytest.raises(process.Timeout):
        process.run_inherited(["sleep", "300"], input=b"", timeout=0.5)
    assert process.pending() == before


def test_a_child_that_closed_its_output_but_runs_on_still_times_out() -> None:
    # Its output ends at once; the wait for its exit is what must stop at the timeout (and only once).
    before = process.pending()
    started = time.monotonic()
    with pytest.raises(process.Timeout):
        process.run(["sh", "-c", "exec >&- 2>&-; sleep 300"], timeout=1)
    assert 0.9 < time.monotonic() - started < 10
    assert process.pending() == before


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="pidfd_open is Linux-only")
def test_the_timed_wait_returns_when_the_child_exits() -> None:
    # What saves the sleep steps of subprocess's polling wait: back when the program exits, not at the timeout.
    with process.Child(["sleep", "0.3"], stdout="devnull", stderr="devnull") as child:
        started = time.monotonic()
        process._await_exit(child.pid, 30)
        waited = time.monotonic() - started
        assert 0.2 < waited < 10
        assert child.wait(timeout=5) == 0
