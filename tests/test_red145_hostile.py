"""red145: hostile pushes against d439641 (a `cli-password` on a command line whose program is a CLI framework's help
template — cobra's `{{ .CommandPath }}` / `{{.Root.Name}}` or `Example: "%s`, argparse's `%(prog)s`, recorded help
output's `Examples:\\n` — is recorded as the command's own usage example, not blocking).

Found and fixed here:
1. HIGH — the template only had to stand somewhere in the 300 characters before the flag, with no `;`, `&`, `|`,
   backtick or line break between, in any file outside what deploys an environment. So a real command with the
   template as one of its ARGUMENTS was a usage example: `./bin/deploy --label "{{ .CommandPath }}" --password …` in a
   Makefile, `run: ./deploy --title %(prog)s --api-key …` in a GitHub workflow, `command: server --name {{.Root.Name}}
   --password=…` in a Compose file, a Procfile's `web: server --n %(prog)s --password …`, a config file's command
   line, `keytool … -alias %(prog)s -storepass …`. Measured through `gatekeeper check`: decision `warn`, the three
   passwords only under `suppressed`; without the template the same commit blocks. Fixed: the template must be the
   command's program (it starts the string, the line, or a line of recorded output, after at most a label such as
   `example: ` and a `$ ` prompt; no quote — escaped or not — stands between it and the flag), and only in the files
   that hold CLI usage examples: Go and Python source, documentation pages, recorded output (`.snapshots/`,
   `__snapshots__/`, `testdata/`, `*.golden`, `*.snap`) — not a Makefile, CI definition, Compose file, Dockerfile,
   Procfile, Jenkinsfile, playbook or configuration.
2. MEDIUM — in Go and Python source a command string that runs a real program with the template as an argument
   (`exec.Command("sh", "-c", "deploy --label {{ .CommandPath }} --password … now")`, `subprocess.run("backup --tag
   %(prog)s --password … now", shell=True)`, `--label=\\"{{ .CommandPath }}\\"` with escaped quotes), or a string
   `"Examples:\\n"` that ends before another string's command starts (`log.info("Examples:\\n"), os.system("backup
   --password … now")`), was a usage example. Fixed by the same program-position reading.
3. HIGH (neighbouring, older than d439641) — cli-password found no unquoted value that ends at its string's closing
   quote or a code span's closing backtick: its lookahead after the value was `[\\s;&|]` or the line's end, and the value
   itself stops before `"`, `'` and `` ` `` (possessively). So every command line written inside a string with its
   password last was missed, template or not, by every rule: a package.json script `"deploy": "tool publish --password
   …"`, a Dockerfile's exec form `RUN ["sh", "-c", "tool login --password …"]`, a quoted workflow `run: "./deploy
   --api-key …"`, a Jenkinsfile's `sh 'deploy --secret …'`, Python's `c.run(f"deploy --password …")`, Ruby's
   `system("tool --token …")`, a Makefile's `sh -c "tool --password …"`, a README's `` `tool login --password …` ``.
   (The generic rules read `--db-password=…"` with an `=`; a space-separated value had no other reader.) Fixed in
   rules/secrets.yml: cli-password's unquoted value also ends at a quote or a backtick. No other test of the secrets
   and red files changes, and the rule finds nothing new in this repository nor in the 4,339 text files of the
   project's own virtualenv; the measured corpora (meas14x) should be read again for help strings it may add.
   (cli-short-password and mysql-cli-password end the same way and are not changed: their values are 3 characters
   and up, `-p"` is closer to prose there; LOW.)

Not fixed (xfail below):
4. LOW (accepted residual, recorded) — where usage examples are written (Go/Python source, docs, recorded output), a
   string that starts with the template is indistinguishable from one: `os.system("%(prog)s --password … now" %
   {"prog": BIN})` in a Python deploy helper is recorded, not blocking. It stays visible under `suppressed` with its
   reason. Suggested (not done): honour `%(prog)s` only in an argparse context (`usage=`, `epilog=`, `description=`,
   `help=`, or a triple-quoted epilog), and cobra's templates only in an `Example:`/`Long:`/`Usage` field or its
   multi-line raw string.

False blocks (the other direction):
5. LOW — usage examples whose program is a literal name still block, as d439641 intends ("any other template is a real
   command's program"): urfave/cli's `UsageText: "myapp login --password …"`, click's `epilog="Example: mytool …"`,
   clap's `after_help = "Example: {bin} …"` (a `.rs` file), kingpin's `{{.App.Name}}`. And, new with fix 1, a cobra
   example with a quoted argument between its template and the password (`{{ .CommandPath }} --scope "openid offline"
   --client-secret …`) blocks (it was recorded): a quote there is what separates the attack's template-argument from
   a program, and no measured example (hydra's) has one.

Checked and holding (tests below): ory/hydra's shapes (its `Example:` fields, its generated `docs/` pages with the
template at a line's start, its `.snapshots/` JSON), argparse's epilog on one line or over several, cobra's multi-line
raw string and `$ ` prompts stay recorded; a Helm chart's `{{ .Values.bin }}`, a second command after `;`, a deploy
script (`*.sh`, `deploy/`), a provider token after the template (a GitHub token: the provider rule claims the span),
and the neighbouring command rules (mysql `-p`, curl `-u`) still block; the usage reading is only ever a recorded
finding, never a dropped one.

Every password and token is made at run time."""

from __future__ import annotations

import random
import string
import zlib
from pathlib import Path

import pytest

from gatekeeper.scan import secrets as secrets_module
from gatekeeper.scan.secrets import SecretDetector
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, check_json, reported

_RNG = random.Random(145)
_B62 = string.ascii_letters + string.digits
_CLI = "secrets/cli-password"
_USAGE = "a command's usage example (its program is a CLI framework's help template)"


def _password(n: int = 18) -> str:
    """Letters and digits, ending in a digit and a capital: what a generator makes."""
    return "".join(_RNG.choice(_B62) for _ in range(n - 2)) + _RNG.choice(string.digits) + _RNG.choice("QRSTUV")


def _github_token() -> str:
    body = "".join(_RNG.choice(_B62) for _ in range(30))
    return "gh" + "p_" + body + secrets_module._base62(zlib.crc32(body.encode()), 6)


# -- 1. a help template as an argument of a real command, in the files that run commands ------------------------------

_TEMPLATE_AS_ARGUMENT = [
    ("Makefile", '\t./bin/deploy --label "{{ .CommandPath }}" --password {pw} --target prod'),
    ("Makefile", "\tkeytool -list -keystore ks.jks -v -alias %(prog)s -storepass {pw}"),
    ("Makefile", "\tmysql -u root --comment %(prog)s --password={pw} app"),
    (".github/workflows/deploy.yml", "        run: ./deploy --title '%(prog)s' --api-key {pw}"),
    (".github/workflows/deploy.yml", "      - run: ./deploy --title %(prog)s --api-key {pw} --yes"),
    ("docker-compose.yml", "    command: server --name {{.Root.Name}} --password={pw}"),
    ("docker-compose.yml", "    command: server --name {{.Root.Name}} --client-secret={pw}"),
    ("docker-compose.yml", "    command: server --name {{.Root.Name}} -storepass {pw}"),
    ("Procfile", "web: server --n %(prog)s --password {pw}"),
    ("config/app.yaml", "cmdline: tool --x {{.CommandPath}} --token {pw}"),
    ("Dockerfile", 'RUN ./bin/setup --label "{{ .CommandPath }}" --password {pw} --yes'),
    # In the files that do hold usage examples, a template that is no program is an argument too.
    ("docs/deploy.md", '    ./bin/deploy --label "{{ .CommandPath }}" --password {pw} --target prod'),
    # (A `snapshots/` directory outside a test's recorded output is no recorded output.)
    ("k8s/snapshots/job.yaml", "        command: {{ .CommandPath }} --password {pw} now"),
]


@pytest.mark.parametrize("path, line", _TEMPLATE_AS_ARGUMENT)
def test_a_help_template_passed_to_a_real_command_blocks(secrets_detector: SecretDetector, path: str,
                                                         line: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _password()), path) == [_CLI]


def test_a_help_template_in_a_deploy_commit_blocks_through_gatekeeper_check(tmp_path: Path, repo: RepoBuilder) -> None:
    """Finding 1 through the front door: `gatekeeper check` on a real commit of a Makefile, a workflow and a Compose
    file (before the fix: decision `warn`, the three passwords only under `suppressed`)."""
    base = repo.commit("init\n", {"README.md": "hello\n"})
    pw = _password()
    repo.commit("deploy\n", {
        "Makefile": f'deploy:\n\t./bin/deploy --label "{{{{ .CommandPath }}}}" --password {pw} --target prod\n',
        ".github/workflows/deploy.yml": ("on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                                         f"      - run: ./deploy --title %(prog)s --api-key {pw} --yes\n"),
        "docker-compose.yml": ("services:\n  app:\n    image: acme/app:1\n"
                               f"    command: server --name {{{{.Root.Name}}}} --password={pw}\n"),
    })
    data = check_json(tmp_path, repo, base)
    assert data["decision"] == "block"
    assert sorted((f["path"], f["rule_id"]) for f in data["findings"] if f["blocking"]) == [
        (".github/workflows/deploy.yml", _CLI), ("Makefile", _CLI), ("docker-compose.yml", _CLI)]


# -- 2. in source, a template that is no command's program ------------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    ("cmd/deploy.go", '\tcmd := exec.Command("sh", "-c", "deploy --label {{ .CommandPath }} --password {pw} now")'),
    ("cmd/deploy.go", '\tcmd := exec.Command("sh", "-c", "deploy --label=\\"{{ .CommandPath }}\\" --password {pw} now")'),
    ("cmd/deploy.go", '\tout := run("Examples:\\n", "deploy --password {pw} now")'),
    ("tools/backup.py", 'subprocess.run("backup --tag %(prog)s --password {pw} now", shell=True)'),
    ("tools/backup.py", 'log.info("Examples:\\n"), os.system("backup --password {pw} now")'),
])
def test_a_template_that_is_no_program_in_source_blocks(secrets_detector: SecretDetector, path: str,
                                                         line: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _password()), path) == [_CLI]


# -- 3. a command line at the end of a string (neighbouring, older) ---------------------------------------------------

@pytest.mark.parametrize("path, line", [
    ("package.json", '    "deploy": "tool publish --password {pw}",'),
    ("Dockerfile", 'RUN ["sh", "-c", "tool login --password {pw}"]'),
    (".github/workflows/d.yml", '      - run: "./deploy --api-key {pw}"'),
    ("Jenkinsfile", "  sh 'deploy --secret {pw}'"),
    ("fabfile.py", '    c.run(f"deploy --password {pw}")'),
    ("deploy.rb", 'system("tool --token {pw}")'),
    ("Makefile", '\t@sh -c "tool --password {pw}"'),
    ("README.md", "Run `tool login --password {pw}` first."),
])
def test_a_command_line_at_its_strings_end_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _password()), path) == [_CLI]


def test_the_same_command_lines_block_with_an_argument_after_the_value(secrets_detector: SecretDetector) -> None:
    """(Finding 3's cause: one more word before the closing quote and the same lines block.)"""
    pw = _password()
    assert blocking(secrets_detector, f'  sh "deploy --secret {pw} --x"', "Jenkinsfile") == [_CLI]
    assert blocking(secrets_detector, f'subprocess.run("backup --password {pw} now", shell=True)',
                    "app/main.py") == [_CLI]


# -- 4. a string that starts with the template, where usage examples are written (accepted residual) -----------------

@pytest.mark.xfail(strict=True, reason="red145 finding 4 (LOW, accepted): in Python source a %-formatted command "
                                       "string that starts with %(prog)s reads as argparse's usage example")
def test_a_formatted_command_string_starting_with_prog_blocks(secrets_detector: SecretDetector) -> None:
    line = f'os.system("%(prog)s --password {_password()} now" % {{"prog": BIN}})'
    assert blocking(secrets_detector, line, "tools/backup.py") == [_CLI]


def test_the_residual_is_recorded_not_dropped(secrets_detector: SecretDetector) -> None:
    """What finding 4 lets through is still under `suppressed`, with the reason, for an auditor to see."""
    line = f'os.system("%(prog)s --password {_password()} now" % {{"prog": BIN}})'
    assert reported(secrets_detector, line, "tools/backup.py") == [(_CLI, _USAGE)]


# -- 5. false blocks (other frameworks, a quoted argument) ------------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    # Literal program names and other frameworks' templates: real commands to this rule (d439641's design).
    ("cmd/app/main.go", '\t\tUsageText: "myapp login --password {pw} --yes",'),
    ("cli/cli.py", '@click.command(epilog="Example: mytool login --password {pw} --yes")'),
    ("src/cli.rs", '#[command(after_help = "Example: {bin} login --password {pw} --yes")]'),
    ("cmd/kp.go", '\tapp.Help = "Example: {{.App.Name}} login --password {pw} --yes"'),
    # A quoted argument between the template and the password (the price of finding 1's fix).
    ("cmd/login.go", '\t\tExample: `{{ .CommandPath }} --scope "openid offline" --client-secret {pw} tok`,'),
])
def test_other_usage_examples_still_block(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _password()), path) == [_CLI]


# -- what holds --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    # ory/hydra's cobra examples, its generated docs and the help output its tests record (meas141) ...
    ("cmd/cmd_revoke_token.go",
     "\t\tExample: `{{ .CommandPath }} --client-id a0184d6c --client-secret {pw} the-token`,"),
    ("cmd/cmd_introspect_token.go",
     "\t\tExample: fmt.Sprintf(`%s introspect token --client-id a0184d6c --client-secret {pw} tok`, parent.Use),"),
    ("docs/docs/cli/ory-introspect-token.md", "{{ .CommandPath }} --client-id a0184d6c --client-secret {pw} tok"),
    ("cmd/.snapshots/TestRevokeToken-case=valid.json",
     '"Usage:\\n  token the-token [flags]\\n\\nExamples:\\n revoke token --client-id a0184d6c --client-secret {pw} tok\\n"'),
    # ... cobra's multi-line raw string and a prompt ...
    ("cmd/login.go", "  {{.CommandPath}} login --username admin --password {pw}"),
    ("cmd/login.go", "  $ {{ .CommandPath }} login --token {pw} --yes"),
    # ... and argparse's epilog, on one line or over several.
    ("tool/cli.py", '    epilog="example: %(prog)s --password {pw} sync",'),
    ("tool/cli.py", '    epilog="Example:\\n  %(prog)s --password {pw} sync",'),
    ("tool/cli.py", '    epilog="Examples: " "%(prog)s --password {pw} sync",'),
    ("tool/cli.py", '        "  %(prog)s --password {pw} sync\\n"'),
])
def test_a_clis_own_usage_example_is_still_recorded(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert reported(secrets_detector, line.replace("{pw}", _password()), path) == [(_CLI, _USAGE)]


@pytest.mark.parametrize("path, line, rule", [
    ("charts/app/templates/job.yaml", "          - {{ .Values.bin }} --password {pw} migrate", _CLI),
    ("cmd/login.go", "\t\tExample: `{{ .CommandPath }} login; vault login --password {pw} -method=userpass`,", _CLI),
    ("scripts/deploy.sh", "tool --x {{ .CommandPath }} --password {pw}", _CLI),
    ("scripts/deploy.sh", "{{ .CommandPath }} --password {pw} now", _CLI),
    ("deploy/cmd/main.go", "\t\tExample: `{{ .CommandPath }} --password {pw} now`,", _CLI),
    ("Makefile", "\tmysql -u root --comment %(prog)s -p{pw} app", "secrets/mysql-cli-password"),
    ("Makefile", "\tcurl -H 'X: {{.Root.Name}}' -u admin:{pw} https://api.acme-corp.com", "secrets/curl-basic-auth"),
])
def test_what_is_no_usage_example_blocks(secrets_detector: SecretDetector, path: str, line: str, rule: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _password()), path) == [rule]


def test_a_provider_token_after_the_template_blocks(secrets_detector: SecretDetector) -> None:
    """The provider rule claims the span before the generic one is read, usage example or not."""
    line = f"\t\tExample: `{{{{ .CommandPath }}}} login --token {_github_token()} --yes`,"
    assert blocking(secrets_detector, line, "cmd/login.go") == ["secrets/github-pat"]
