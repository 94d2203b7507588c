"""cli-password's value, since red145 lets it end at the quote or backtick that closes its string: what a command line
holds where a password goes without being one (measured on coollabsio/coolify after red145: 5 new blocking findings,
all of these two shapes), and the passwords beside them that still block. Values are assembled at run time."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.scan.common import built_in_detector
from tests.hook_helpers import DANA, SECRETS_POLICY, seeded, spush
from tests.secrets_helpers import blocking

DETECTOR = built_in_detector()
PW = "Xk9" + ".Lm2!" + "Pq7"


@pytest.mark.parametrize(("path", "text"), [
    # A regular expression that finds the option to redact it (coolify's SKILL.md for Nightwatch, three copies).
    ("SKILL.md", "    $command->command = preg_replace('/--password=\\S+/', '--password=***', $command->command);"),
    ("app/redact.py", "line = re.sub(r'--token [^ ]+', '--token ***', line)"),
    ("app/redact.js", "cmd.replace(/--api-key=.+/, '--api-key=***')"),
    ("app/redact.go", 'regexp.MustCompile(`--secret \\w+`)'),
    # A spec of settings, not a secret (Docker's `--secret id=…,env=…`), in a comment's code span and in a command.
    ("app/Jobs/Deploy.php", "     * on `docker buildx build --secret id=,env=` and so"),
    ("app/Jobs/Deploy.php", "     * on docker buildx build --secret id=,env= and so"),
    ("deploy/build.sh", 'docker buildx build --secret "id=npmrc,src=$HOME/.npmrc" --secret id=token,env=NPM_TOKEN .'),
])
def test_what_stands_where_a_password_goes_but_is_none_does_not_block(path: str, text: str) -> None:
    assert blocking(DETECTOR, text, path) == []


@pytest.mark.parametrize(("path", "text"), [
    ("deploy/build.sh", f"./tool login --secret {PW},v2"),
    ("Jenkinsfile", f"sh 'deploy --password {PW}'"),
    ("package.json", f'  "scripts": {{"publish": "tool publish --password {PW}"}},'),
    ("deploy/run.sh", f"./deploy --password 'a\\b{PW}'"),
    ("app/run.py", f'subprocess.run("backup --password {PW}+", shell=True)'),
    # A password holding a pattern's piece is still a password: more than the pattern's tokens is left of it.
    ("Jenkinsfile", "sh 'deploy --password Xk9" + "\\d+Lm2!Pq7'"),
    ("deploy/run.sh", "./deploy --token Zr4.*" + "Wq8Kv2x"),
])
def test_a_password_beside_those_shapes_still_blocks(path: str, text: str) -> None:
    assert blocking(DETECTOR, text, path) == ["secrets/cli-password"]


def test_a_push_of_a_password_holding_a_pattern_piece_is_refused(tmp_path: Path) -> None:
    """The real hook: a pusher's password spelt with `\\d+` in it (which a redaction pattern holds) still blocks."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("ci: deploy\n", {"Jenkinsfile": "node {\n  sh 'deploy --password Xk9" + "\\d+Lm2!Pq7'\n}\n"},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/cli-password" in result.output, result.output
    assert "Lm2!Pq7" not in result.output
