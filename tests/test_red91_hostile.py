"""Red team red91: cross-cutting attacks on this session's changes (3d25a41..HEAD) — a real credential that a new
exclusion drops silently before it reaches the pre-receive decision.

Each test pushes a real commit through the installed pre-receive hook (policy: secrets at `block_at: high`, a
desktop commit so nothing but the secret can block) and asserts the push is refused. Each fails on the current code
for the reason in its docstring; each line blocked at 3d25a41.

1. secrets.py `_VERSION_SPEC` (c3273be, for `"@inquirer/password": "^4.0.21"` in a package-lock.json) is applied by
   `_looks_like_credential` to EVERY generic value in EVERY file, and its pre-release part takes up to 40 arbitrary
   letters and digits: a password that starts with a dotted date — the European birthday form `24.12.1990-Marta`,
   among the commonest shapes of human passwords — is "a version range", and `_candidate` returns None: the hit is
   not even recorded as suppressed. red90 judged "no human password has that shape"; dotted dates do.

Attacks that held (no test): see the report of red91 (DoS of `_signature_noise` is quadratic but ends in a block;
agent-table additions only make more commits AI; review rule merging takes the strictest of every rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hook_helpers import DANA, SECRETS_POLICY, seeded, spush


@pytest.mark.parametrize("path,line", [
    ("config/settings.py", 'DB_PASSWORD = "' + "24.12" + ".1990-" + 'Marta"\n'),
    (".env", "POSTGRES_PASSWORD=" + "12.05" + ".1987-" + "Anna\n"),
    ("deploy/app.yml", "db:\n  password: '" + "03.11" + ".2001-" + "Kasia'\n"),
])
def test_a_password_that_starts_with_a_dotted_date_blocks(tmp_path: Path, path: str, line: str) -> None:
    """secrets.py `_looks_like_credential` returns False for any value `_VERSION_SPEC` fullmatches —
    `(?:[\\^~]|[<>]=?|=)?v?\\d{1,6}(?:\\.(?:\\d{1,9}|[x*])){1,3}(?:-[0-9A-Za-z.-]{1,40})?…` — wherever the value is,
    not only in a dependency manifest. A birthday-plus-name password (`DD.MM.YYYY-Name`) is read as a semver
    pre-release, so `SecretDetector._candidate` drops the generic-password hit (not recorded as suppressed) and
    a production password lands on main. The exclusion belongs to package manifests (package.json,
    package-lock.json, …) or to a value whose key names a package (`@scope/…password`), not to every file.
    Blocked at 3d25a41."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("Add configuration\n", {path: line}, author=DANA, committer=DANA)
    before = server.tip()
    result = spush(server, work, "origin", "main")
    assert result.code != 0, f"the password landed on main:\n{result.output}"
    assert "secrets/generic-password" in result.output, result.output
    assert server.tip() == before
