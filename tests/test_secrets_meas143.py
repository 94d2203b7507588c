"""Seven histories the gate was never tuned on, measured blind (meas143: gotify, semaphore, vikunja, AdGuard Home,
pi-hole, shiori, syncthing): the classes of their false blocking findings, each beside what must still block.
Values are made at run time."""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, scan_commit

_RNG = random.Random(143)


def _random(n: int = 16) -> str:
    """Letters, digits and a mark (what a generated password holds)."""
    body = [_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 4)]
    return "".join(body) + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + "#" + _RNG.choice("xyz")


# A minified line: what a bundler writes on one line, far longer than hand-written code.
_FILLER = ";".join(f"var a{i}=b{i}.c{i}(d{i})" for i in range(120))


@pytest.mark.parametrize("path, line", [
    # Catalogues in a directory whose name carries underscores (AdGuard Home's `__locales/`, a Chrome extension's
    # `_locales/`), and named by a word and a language's code (syncthing's `gui/lang-da.json`).
    ("client/src/__locales/pt-pt.json", '  "install_auth_password": "Palavra-passe",'),
    ("client/src/__locales/es.json", '  "install_auth_password": "Contrase\\u00f1a",'),
    ("extension/_locales/de/messages.json", '  "password": {"message": "Passwort"},'),
    ("gui/lang-da.json", '  "GUI Authentication Password": "GUI-kodeord",'),
    ("gui/lang-sv.json", '  "GUI Authentication Password": "GUI-lösenord",'),
    ("src/main/resources/messages_de.properties", "login.password=Passwort"),
    # Translations compiled into a built bundle (shiori's `webapp/dist/assets/index-*.js`).
    ("webapp/dist/assets/index-C8c580-n.js", 'const es={login:{password:"Contraseña"},de:{password:"Passwort"}};'),
    # Minified code in a script named like no bundle (a built Swagger UI under `public/swagger/`): a chain of
    # exports after `authorizePassword=`, and the code between a label's string and the next element's.
    ("public/swagger/swagger-ui.js", _FILLER + ";t.authorizePassword=t.preAuthorizeImplicit=t.CONFIGURE_AUTH="
                                               "t.AUTHORIZE_OAUTH2=t.LOGOUT=void 0;" + _FILLER),
    ("public/swagger/swagger-ui-bundle.js", 'l.default.createElement("label",null,"Password:"),m?'
                                            'l.default.createElement("code",null," ",m," "):null'),
    # A shell loop appending what was typed: variables run together.
    ("advanced/Scripts/api.sh", '            password="$password$key"'),
    ("scripts/login.sh", 'PASS="${PREFIX}${SECRET}"'),
])
def test_a_translation_minified_code_or_variables_are_not_a_password(secrets_detector: SecretDetector, path: str,
                                                                      line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    # A generated password in the same files still blocks: a translation is made of words.
    ("client/src/__locales/pt-pt.json", '  "install_auth_password": "{pw}",'),
    ("gui/lang-da.json", '  "GUI Authentication Password": "{pw}",'),
    ("webapp/dist/assets/index-C8c580-n.js", 'const c={{password:"{pw}"}};'),
    # A hyphenated word outside a catalogue is a password's shape.
    ("gui/config.json", '  "password": "GUI-kodeord",'),
    # Unquoted out of a string literal in a bundle (red136): a short run of names with digits is a password.
    ("public/swagger/swagger-ui.js", _FILLER + ';var s="Server=db;Password=Ab3!Cd9x?Q1;";' + _FILLER),
    ("dist/app.js", 'var s="Server=db;Password=Ab3!Cd9x?Q1;";'),
    # A value that only starts with a parenthesis (red100), or holds a variable beside a literal.
    ("src/app.js", 'const c = {{password: ")+k9Lm2pQw.Zx"}};'),
    ("scripts/login.sh", 'PASS="{pw}$SUFFIX"'),
])
def test_a_literal_in_the_same_places_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.format(pw=_random()) if "{pw}" in line else line.replace("{{", "{").replace("}}", "}")
    assert blocking(secrets_detector, text, path) != [], text


def test_a_long_line_is_read_as_minified_only_in_a_script(secrets_detector: SecretDetector) -> None:
    """The same chain on a long line of a config file is not minified JavaScript: read as it always was (it blocks)."""
    chain = "password=t.preAuthorizeImplicit=t.CONFIGURE_AUTH=t.AUTHORIZE_OAUTH2=t.LOGOUT"
    assert blocking(secrets_detector, _FILLER + ";" + chain + ";", "public/swagger/swagger-ui.js") == []
    assert blocking(secrets_detector, "# " + _FILLER + "\n" + chain, "conf/app.ini") == ["secrets/generic-password"]
    assert blocking(secrets_detector, _FILLER + " " + chain, "conf/app.ini") == ["secrets/generic-password"]


def _basic(user: str, password: str) -> str:
    import base64
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_basic_header_in_vendored_code_is_the_dependencys(based: RepoBuilder) -> None:
    """A Basic value only decodes to `user:password` — no checksum proves it machine-made — so where it sits counts, as
    for any value read by its context (syncthing's vendored angular.js: its docs comment's example header)."""
    line = "   *   $http.defaults.headers.common.Authorization = 'Basic " + _basic("beep", _random()) + "'\n"
    assert blocking_findings(scan_commit(based, {"gui/default/vendor/angular/angular.js": line})) == []
    assert [r for _, r in blocking_findings(scan_commit(based, {"gui/default/app/http.js": line}))] == [
        "secrets/basic-auth-header"]
    # What deploys an environment is no vendored code, whatever its directory (red132).
    assert [r for _, r in blocking_findings(scan_commit(based, {"deploy/vendor/http.env": "AUTH=Basic "
                                                                + _basic("ci", _random()) + "\n"}))] != []


def test_a_basic_header_in_test_code_blocks_wherever_its_request_goes(based: RepoBuilder) -> None:
    """Unlike a bearer token's (red142): red144 showed a test's real host on another line of the call read as none."""
    header = '\treq.Header.Set("Authorization", "Basic ' + _basic("my-client", _random()) + '")\n'
    assert [r for _, r in blocking_findings(scan_commit(based, {"oauth2/client_test.go": header}))] == [
        "secrets/basic-auth-header"]
    remote = ('\tcmd := "curl -H \'Authorization: Basic ' + _basic("svc", _random())
              + '\' https://auth.acme-corp.com/oauth2/token"\n')
    assert [r for _, r in blocking_findings(scan_commit(based, {"oauth2/client_test.go": remote}))] == [
        "secrets/basic-auth-header"]
    assert [r for _, r in blocking_findings(scan_commit(based, {"oauth2/client.go": header}))] == [
        "secrets/basic-auth-header"]


@pytest.mark.parametrize("path, line", [
    # A cobra command's usage example, its program a template (ory/hydra's `token revoke`, meas141) ...
    ("cmd/cmd_revoke_token.go",
     '\t\tExample: `{{ .CommandPath }} --client-id a0184d6c --client-secret {pw} the-token`,'),
    ("cmd/cmd_introspect_token.go",
     '\t\tExample: fmt.Sprintf(`%s introspect token --client-id a0184d6c --client-secret {pw} tok`, parent.Use),'),
    # ... the help output its tests recorded (a snapshot in JSON) ...
    ("cmd/.snapshots/TestRevokeToken-case=valid.json",
     '"Usage:\\n  token the-token [flags]\\n\\nExamples:\\n revoke token --client-id a0184d6c --client-secret {pw} tok\\n"'),
    # ... and argparse's `%(prog)s` in an epilog.
    ("tool/cli.py", '    epilog="example: %(prog)s --password {pw} sync",'),
])
def test_a_clis_own_usage_example_is_recorded_not_blocking(secrets_detector: SecretDetector, path: str,
                                                             line: str) -> None:
    from tests.secrets_helpers import reported
    text = line.replace("{pw}", _random())
    assert reported(secrets_detector, text, path) == [
        ("secrets/cli-password", "a command's usage example (its program is a CLI framework's help template)")]


@pytest.mark.parametrize("path, line", [
    # Any other template is a real command's program (a Helm chart's job) ...
    ("charts/app/templates/job.yaml", "          - {{ .Values.bin }} --password {pw} migrate"),
    # ... a command after the example's ends it ...
    ("cmd/login.go", '\t\tExample: `{{ .CommandPath }} login; vault login --password {pw} -method=userpass`,'),
    # ... and what deploys an environment is no usage example.
    ("deploy/run.sh", '# Example: "%s --password {pw} sync"'),
])
def test_other_commands_with_a_password_still_block(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{pw}", _random()), path) == ["secrets/cli-password"]
