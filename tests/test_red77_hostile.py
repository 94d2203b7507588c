"""Red team red77: what the security team reads — `gatekeeper audit` (text/json/html, forge links) and
`gatekeeper log show|export|verify`.

Each test FAILS on the code at the time of writing for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed). Real SQLite decision logs (gatekeeper.audit.decisionlog), the CLI in-process
(tests/leak_helpers.gk). Attacker model for the log: (a) write access to the log file but not to the gate's code
(as red41): records appended through the store's own API are hash-valid, and `log verify` calls them intact.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit.decisionlog import Entry, open_log
from tests.leak_helpers import gk


def _entry(decision: Any, commit: str) -> Entry:
    return Entry(repository="github:acme/app", mode="pre-receive", event="decision", decision=decision,
                 exit_code=0, commits=(commit,), refs=(("refs/heads/main", "0" * 40, commit, "update"),),
                 pusher="mallory", verdict_json=json.dumps({"decision": str(decision)}))


@pytest.mark.parametrize("decision", [None, ["allow"], {"x": 1}], ids=["null", "list", "object"])
def test_log_show_survives_a_hash_valid_record_whose_decision_is_not_a_string(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], decision: Any) -> None:
    """Attack (a): one record, appended through the store's own API between two ordinary ones, carries
    `"decision": null` (or a list, or an object). The chain is consistent: `gatekeeper log verify` says
    "all intact" and exits 0.

    `gatekeeper log show` (cli_log.log_show) formats each record as `f"... {data.get('decision', '?'):5} ..."`:
    a format spec on None/list/dict raises TypeError, and the command dies with "internal error: TypeError:
    unsupported format string passed to NoneType.__format__" — showing none of the log's records, the intact ones
    before and after included. Every other field of the line is str()-ed or defaulted; only this one is not, and
    red41 already made `log show` survive an unreadable record ("the rest of the log is still shown").

    Severity: low — one record written by whoever can write the log blinds the investigator's reading tool
    (its summary line, the `block` after it) while `verify` vouches for the log.
    Secure: exit 0, no internal error, the records around it (#1 allow, #3 block) are shown."""
    log = tmp_path / "decisions.db"
    store = open_log(str(log))
    store.append(_entry("allow", "a" * 40))
    store.append(_entry(decision, "b" * 40))
    store.append(_entry("block", "c" * 40))
    store.close()
    code, out = gk(capsys, "log", "verify", "--log", str(log))
    assert code == 0 and "all intact" in out, out  # the chain itself is valid
    code, out = gk(capsys, "log", "show", "--log", str(log))
    assert code == 0 and "internal error" not in out, out
    assert "#1" in out and "#3" in out and "block" in out, out
