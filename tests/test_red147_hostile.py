"""Red team red147: hostile pushes against the SAST loosenings of the twenty-second session (3b9d1b1, bb0bf8d, ed6386c,
6b1d862, e3fccbc, e0d4c17, 41c1307, 4560d9b, and the scanner's own reading of a rule's `paths:`, 2b380e5/6cf5c39).
Each loosening cut false blocks on real histories; each is a place a pusher can dress real vulnerable code as the
shape that was let go. The tests commit that code to a real repository and run the real `gatekeeper check` (semgrep,
bandit), and push one through the installed pre-receive hook; each asserts the secure outcome.

Found and fixed (each test failed before its fix on branch red147):

1. HIGH — python-path-traversal-user-input's allow-list sanitiser (`if name in ALLOWED:`) covered the `else:`/`elif`
   too (semgrep's `if` pattern matches an `if` with an else): `if name in FORBIDDEN: abort(403) else:
   open(join(UPLOADS, name))` — a block-list — and a cache's miss branch passed. MEDIUM — any collection counted:
   `args = request.args; if name in args`, `set(os.listdir(d)) | {name}`, a listing appended the name. Fixed: only the
   `if` body, and only a module constant, a literal collection or os.listdir()/glob (inline or assigned, not extended).
2. HIGH — python-template-injection left any `open(...).read()`: a route writes the request's page to a file, another
   renders `open(path).read()` of it (a path variable, an f-string of the user id, a request-named file, an upload
   saved to /tmp): SSTI. Fixed: only a literal relative template file name, or a join/Path() ending in one.
3. HIGH — js-innerhtml-non-literal's page-copy exemption (`$SRC.innerHTML`) knew data only by its variable's name:
   `const widget = await res.json(); el.innerHTML = widget.innerHTML` passed. Fixed: a variable assigned JSON.parse,
   an awaited call, .json() or an event's data is data whatever its name. MEDIUM — the imported-asset exemption held
   the name after a function's own parameter shadowed it. Fixed.
4. HIGH — the credential rules left any value made of credential words: Flask's `SECRET_KEY = "secret"`,
   `make_app(secret_key="secret")`, a JWT secret 'default_secret_key'. Fixed: a password word (a seed's stand-in) or
   a camelCase field name only. MEDIUM — the i18next prose exemption took a CamelCase passphrase; fixed.
5. MEDIUM — B324's random-bytes exemption judged the whole line and knew no import alias: `md5(os.urandom(8))
   .hexdigest() + h(key + body).hexdigest()` (from hashlib import md5 as h) dropped the keyed MD5's finding too (a
   password's is still caught by semgrep's python-weak-password-hash). Fixed: the call bandit flagged, by its column.
6. MEDIUM (older than bb0bf8d) — python-sql-string-formatting's query-builder branch needed a keyword:
   `filter("name = '" + q + "'")`, `filter(f"owner_id = {uid}")`, and keywords after a written `\\n`, passed. Fixed.
7. LOW — a rule's `paths:` glob ended in `$`, which also matches before a final newline: `**/conftest.py` left out a
   file named `conftest.py` plus a newline, which semgrep's glob does not. Fixed (`\\Z`). Otherwise the scanner's
   reading equals semgrep 1.182's on every shape tried (a directory named `test`, `x.test.example.com/`,
   `test_x.py/` directories, case, `..` segments): an exclusion of test directories is policy, and a directory name
   that matches it is left out by semgrep too.

Left (strict xfail): a template the app wrote from the request under a literal file name in another route and reads
back by that name (MEDIUM: needs flow between routes); an action-type-shaped constant that is its own value
(`JWT_SECRET = 'JWT_SECRET'`, LOW); a local function named `moment` standing in for the date library (LOW)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA, SEMGREP_HOOK_POLICY, seeded, spush
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

# -- the hostile shapes ------------------------------------------------------------------------------------------

TRAVERSAL = '''import os
from flask import Flask, abort, request

app = Flask(__name__)
UPLOADS = "/srv/uploads"
FORBIDDEN = {".env", "settings.py"}
CACHE = {}


@app.route("/files/<name>")
def block_list(name):
    if name in FORBIDDEN:
        abort(403)
    else:
        return open(os.path.join(UPLOADS, name)).read()


@app.route("/cached/<name>")
def cached(name):
    if name in CACHE:
        return CACHE[name]
    elif name:
        return open(os.path.join(UPLOADS, name)).read()
    return "no"


@app.route("/listed/<name>")
def listed(name):
    args = request.args
    if name in args:
        return open(os.path.join(UPLOADS, name)).read()
    return "no"
'''
TRAVERSAL_LINES = [15, 23, 31]

TEMPLATE = '''import os
import pathlib
from flask import Flask, render_template_string, request, session

app = Flask(__name__)
PAGES = "pages"


@app.route("/pages/save", methods=["POST"])
def save_page():
    path = os.path.join(PAGES, session["uid"] + ".html")
    open(path, "w").write(request.form["page"])
    return "saved"


@app.route("/pages/view")
def view_page():
    path = os.path.join(PAGES, session["uid"] + ".html")
    return render_template_string(open(path).read())


@app.route("/pages/upload", methods=["POST"])
def upload_page():
    request.files["page"].save("/tmp/page.html")
    return render_template_string(pathlib.Path("/tmp/page.html").read_text())
'''
TEMPLATE_LINES = [19, 25]

INNER_HTML = '''export async function showWidget(el) {
  const r = await fetch('/api/widget');
  const widget = await r.json();
  el.innerHTML = widget.innerHTML;
}

export function onMessage(el, event) {
  const m = JSON.parse(event.data);
  el.innerHTML = m.outerHTML;
}
'''
INNER_HTML_LINES = [4, 9]

CREDENTIALS = '''from flask import Flask

app = Flask(__name__)
SECRET_KEY = "secret"
app.config.from_object(__name__)


def make_jwt_app(make_app):
    return make_app(secret_key="secret")
'''
CREDENTIAL_LINES = {4: "semgrep/python-hardcoded-credential-assignment",
                    9: "semgrep/python-hardcoded-credential-argument"}

WEAK_HASH = '''import hashlib
import os
from hashlib import md5 as digest


def signed(key, body):
    return hashlib.md5(os.urandom(8)).hexdigest() + digest(key + body).hexdigest()
'''

SQL = '''def search(Users, q, uid):
    a = Users.query.filter("name = '" + q + "'").all()
    b = Users.query.filter(f"owner_id = {uid}").all()
    return a, b
'''

# -- the shapes the loosenings were for, which must stay clean -----------------------------------------------------

CLEAN_PY = '''import hashlib
import os
from flask import Flask, render_template_string

app = Flask(__name__)


@app.route("/admin/plugins/<plugin>")
def plugin_config(plugin):
    plugins_path = os.path.join(app.root_path, "plugins")
    configured = [d for d in os.listdir(plugins_path) if os.path.isfile(os.path.join(plugins_path, d, "config.html"))]
    if plugin in configured:
        config_html = open(os.path.join(app.root_path, "plugins", plugin, "config.html")).read()
        return render_template_string(config_html)
    return "no such plugin"


def upload_dir():
    return hashlib.md5(os.urandom(64)).hexdigest()


def seed(Users, name):
    return Users(name=name, email=name + "@example.org", password="password")


def search(Users, q):
    return Users.query.filter(Users.name.like("%{}%".format(q))).all()
'''

CLEAN_JS = '''import sprite from './svg/sprite.svg';

export function restore(dialog, saved) {
  dialog.innerHTML = saved.innerHTML;
  document.body.insertAdjacentHTML('beforeend', sprite);
}

export const attributeNames = {
  accesskey: 'accessKey',
};
'''

FILES = {
    "app/files.py": TRAVERSAL, "app/pages.py": TEMPLATE, "web/widget.js": INNER_HTML, "app/settings_app.py": CREDENTIALS,
    "app/hashing.py": WEAK_HASH, "app/search.py": SQL, "app/clean.py": CLEAN_PY, "web/clean.js": CLEAN_JS,
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    code, found = check_commit(tmp_path_factory.mktemp("red147"), FILES, ALL_SCANNERS_POLICY)
    assert code != 0 and found["decision"] == "block", found
    return found


def _blocking(verdict: dict[str, Any], path: str) -> set[tuple[str, int]]:
    return {(f["rule_id"], f["line"]) for f in verdict["findings"] if f["path"] == path and f["blocking"]}


def test_allow_list_guards_only_the_if_body_and_a_list_the_request_cannot_fill(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "app/files.py")
    for line in TRAVERSAL_LINES:
        assert ("semgrep/python-path-traversal-user-input", line) in found, (line, found)


def test_a_file_the_app_may_have_written_is_no_shipped_template(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "app/pages.py")
    for line in TEMPLATE_LINES:
        assert ("semgrep/python-template-injection", line) in found, (line, found)


def test_data_named_inner_html_is_the_senders_markup(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "web/widget.js")
    for line in INNER_HTML_LINES:
        assert ("semgrep/js-innerhtml-non-literal", line) in found, (line, found)


def test_a_signing_secrets_own_word_is_a_hard_coded_secret(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "app/settings_app.py")
    for line, rule in CREDENTIAL_LINES.items():
        assert (rule, line) in found, (line, found)


def test_a_keyed_md5_beside_one_of_random_bytes_still_blocks(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "app/hashing.py")
    assert ("bandit/B324", 7) in found, found


def test_query_builder_sql_without_a_keyword_before_the_value(verdict: dict[str, Any]) -> None:
    found = _blocking(verdict, "app/search.py")
    assert {("semgrep/python-sql-string-formatting", 2), ("semgrep/python-sql-string-formatting", 3)} <= found, found


def test_the_shapes_the_loosenings_were_for_stay_clean(verdict: dict[str, Any]) -> None:
    assert _blocking(verdict, "app/clean.py") == set()
    assert _blocking(verdict, "web/clean.js") == set()


def test_block_list_else_branch_refused_by_the_pre_receive_hook(tmp_path: Path) -> None:
    """The path traversal in a block-list's else branch, pushed to main through the installed hook with semgrep
    in the hook's budget: refused."""
    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    work.commit("Serve uploaded files\n", {"app/files.py": TRAVERSAL}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "python-path-traversal-user-input" in result.output, result.output
    assert server.tip() != work.head()


def test_paths_glob_ends_at_the_end_of_the_name() -> None:
    """`$` matches before a final newline; semgrep's glob does not: a file named `conftest.py` + newline is not
    conftest.py. Directory names the exclusion names are left out, as semgrep leaves them out."""
    from gatekeeper.scan.semgrep import SemgrepRule

    rule = SemgrepRule("semgrep/x", None, "m", ("python",), Path("x.yml"),  # type: ignore[arg-type]
                       exclude=("**/test/**", "**/conftest.py", "**/*.test.*"))
    assert rule.applies_to("app/conftest.py\n")
    assert rule.applies_to("app/Test/x.py") and rule.applies_to("app/mytest/x.py")
    assert not rule.applies_to("app/conftest.py") and not rule.applies_to("app/test/x.py")
    assert not rule.applies_to("sites/shop.test.example.com/config.js")  # semgrep 1.182 leaves it out too


# -- left ----------------------------------------------------------------------------------------------------------

LEFT = {
    "app/pages2.py": '''import os
from flask import Flask, render_template_string, request, session

app = Flask(__name__)
PAGES = "pages"


@app.route("/pages/save", methods=["POST"])
def save_page():
    os.makedirs(os.path.join(PAGES, session["uid"]), exist_ok=True)
    open(os.path.join(PAGES, session["uid"], "page.html"), "w").write(request.form["page"])
    return "saved"


@app.route("/pages/view")
def view_page():
    return render_template_string(open(os.path.join(PAGES, session["uid"], "page.html")).read())
''',
    "web/consts.js": "export const JWT_SECRET = 'JWT_SECRET';\n",
    "web/when.js": ("const moment = (s) => ({ format: () => s });\n"
                    "export function show(el) { el.innerHTML = moment(location.hash).format('LLL'); }\n"),
}


@pytest.fixture(scope="module")
def left_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return check_commit(tmp_path_factory.mktemp("red147-left"), LEFT, ALL_SCANNERS_POLICY)[1]


@pytest.mark.xfail(strict=True, reason="MEDIUM, left: a template written from the request by one route under a "
                   "literal file name and rendered by another reads as a shipped template (needs flow between routes)")
def test_template_written_then_read_back_by_its_literal_name(left_verdict: dict[str, Any]) -> None:
    assert ("semgrep/python-template-injection", 17) in _blocking(left_verdict, "app/pages2.py")


@pytest.mark.xfail(strict=True, reason="LOW, left: a constant that is its own name reads as a Redux action type "
                   "(4560d9b); a secret that is its own name is a placeholder never replaced")
def test_secret_that_is_its_own_name(left_verdict: dict[str, Any]) -> None:
    assert ("semgrep/js-hardcoded-secret", 1) in _blocking(left_verdict, "web/consts.js")


@pytest.mark.xfail(strict=True, reason="LOW, left: a local function named moment passes as the date library "
                   "(3b9d1b1); semgrep sees no binding")
def test_local_function_named_moment(left_verdict: dict[str, Any]) -> None:
    assert ("semgrep/js-innerhtml-non-literal", 2) in _blocking(left_verdict, "web/when.js")
