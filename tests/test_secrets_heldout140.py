"""False blocking secrets findings of a blind measurement on five held-out histories (meas140: monica, wallabag,
kanboard, thelounge, freescout; 29,518 commits, 187 blocking, none true). Each class is built as a class — realistic
variants, not the one listed string — with controls: a real credential of the same shape in the same place (a random
password, a provider token built by concatenation, a private key) still blocks.

1. a CSS selector read as an assignment in a stylesheet (`input[type=password]:disabled+label`: wallabag's built
   Materialize stylesheets, 85 findings);
2. Yarn Berry's committed release and plugin bundles (`.yarn/releases/yarn-4.0.1.cjs`: minified URL parsing, monica)
   and PHP's `3rdparty/` directories (a vendored site config's share link, wallabag) as vendored code;
3. a mask word between asterisks (`'**masked**'`: wallabag's log redaction) and a Symfony parameter
   (`%env.database_password%`, `%env(DATABASE_PASSWORD)%`) as placeholders;
4. a file named for dummy or fake data (monica's `SetupDummyAccount.php`) as a place example passwords are written;
5. GitHub's community pages under `.github/` (wallabag's `.github/CONTRIBUTING.md`: the Docker Compose development
   database's URL) as documentation pages.

Values are built at run time; no secret-shaped literal is written here.
"""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import AWS_KEY
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, reported, scan_commit

_rng = random.Random(140)


def _random(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


STRONG = _random(8) + "7" + _random(9)  # 18 random characters, a digit for certain
GITHUB_TOKEN = "ghp" + "_" + _random(36)


def _pem_block() -> str:
    body = "\n".join(_random(64, string.ascii_letters + string.digits + "+/") for _ in range(12))
    return ("-----BEGIN " + "RSA PRIVATE KEY-----\n" + "MIIEpAIBAAKCAQEA" + body + "\n-----END "
            + "RSA PRIVATE KEY-----\n")


# -- 1. stylesheets -------------------------------------------------------------------------------------------------

_SELECTORS = [
    ("input[type=password]:disabled+label,input[type=password][readonly=readonly]+label,"
     "input[type=email]:disabled+label{color:rgba(0,0,0,.42)}"),
    "input[type=password]:not(.browser-default):focus:not([readonly])+label{color:#26a69a}",
    'input[type="password"]:focus~label,input[type="password"]:valid~.helper{top:0}',
    ".form input[type=password]:hover>span.icon,.x{display:none}",
    "[data-password]:checked+.toggle-password{opacity:1}",
]
_STYLESHEETS = ["web/wallassets/material.css", "web/bundles/wallabagcore/themes/material/css/style.min.css",
                "src/Resources/public/css/materialize.min.css", "assets/scss/_forms.scss", "styles/forms.sass",
                "styles/forms.less", "styles/forms.styl", "web/wallassets/material.css.map",
                "static/css/app.scss.map"]


@pytest.mark.parametrize("path", _STYLESHEETS)
@pytest.mark.parametrize("selector", _SELECTORS)
def test_a_css_selector_is_not_a_password(secrets_detector: SecretDetector, path: str, selector: str) -> None:
    """wallabag's built Materialize stylesheets (85 findings): the keyword closes an attribute selector, the
    pseudo-class colon reads as an assignment. A stylesheet holds selectors and declarations, never a keyword's
    value: no keyword rule reads it."""
    line = selector if not path.endswith(".map") else '{"version":3,"sourcesContent":["' + selector + '"]}'
    assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


def test_a_built_stylesheet_does_not_block_a_real_commit(based: RepoBuilder) -> None:
    found = scan_commit(based, {"web/wallassets/material.css": "\n".join(_SELECTORS) + "\n",
                                "assets/_forms.scss": "input[type=password]:disabled+label { color: red; }\n"})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", ["web/wallassets/material.css", "assets/scss/_forms.scss", "dist/app.min.css"])
def test_a_provider_token_in_a_stylesheet_still_blocks(secrets_detector: SecretDetector, path: str) -> None:
    line = f"/* deploy: {AWS_KEY} {GITHUB_TOKEN} */ .a{{color:red}}"
    found = blocking(secrets_detector, line, path)
    assert "secrets/aws-access-key" in found and any("github" in r for r in found), found


def test_a_private_key_in_a_stylesheet_still_blocks(based: RepoBuilder) -> None:
    found = scan_commit(based, {"web/css/theme.css": ".a{color:red}\n/*\n" + _pem_block() + "*/\n"})
    assert any(rule == "secrets/private-key" for _, rule in blocking_findings(found)), found


def test_a_url_password_in_a_stylesheet_still_blocks(secrets_detector: SecretDetector) -> None:
    line = f".logo{{background:url(https://deploy:{STRONG}@assets.corp-cdn.net/logo.png)}}"
    assert blocking(secrets_detector, line, "web/css/theme.css") != [], reported(secrets_detector, line,
                                                                                  "web/css/theme.css")


@pytest.mark.parametrize("path", ["src/theme.css.ts", "src/forms.css.js", "src/config.js", "app/styles.py",
                                  "css/settings.php", "config/cssconfig.yml"])
def test_a_password_in_code_named_for_styles_still_blocks(secrets_detector: SecretDetector, path: str) -> None:
    """Only a stylesheet's own extensions: vanilla-extract's `*.css.ts`, a `css/` directory's PHP are code."""
    line = f'password = "{STRONG}"' if not path.endswith(".yml") else f"password: {STRONG}"
    assert blocking(secrets_detector, line, path) != [], reported(secrets_detector, line, path)


# -- 2. Yarn's release and plugin bundles, `3rdparty/` ------------------------------------------------------------

_YARN_BUNDLE = ('var ad=(e,r)=>{e.protocol=r.protocol,e.user=r.username||"",e.password=r.password||"",'
                'e.pathname=r.pathname};\n')


@pytest.mark.parametrize("path", [".yarn/releases/yarn-4.0.1.cjs", ".yarn/releases/yarn-3.5.0.cjs",
                                  ".yarn/plugins/@yarnpkg/plugin-interactive-tools.cjs",
                                  "frontend/.yarn/releases/yarn-4.6.0.cjs"])
def test_yarn_s_committed_release_is_vendored(based: RepoBuilder, path: str) -> None:
    """monica (5 findings): Yarn Berry commits its own release (`yarnPath`) and plugins; their minified code is a
    third-party tool's."""
    found = scan_commit(based, {path: _YARN_BUNDLE + f'var q=(o)=>{{o.password=o.options.password||"{STRONG}"}};\n'})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", ["inc/3rdparty/site_config/standard/webpaper.nzz.ch.txt",
                                  "lib/3rdparty/libphp/config.php", "3rdparty/mailer/smtp.php"])
def test_a_3rdparty_directory_is_vendored(based: RepoBuilder, path: str) -> None:
    """wallabag (1 finding): fivefilters' site configs copied into `inc/3rdparty/`; the test URL of a shared link."""
    text = (f"test_url: http://webpaper.nzz.ch/2012/06/23/a?guest_pass={_random(10, '0123456789abcdef')}%3A1\n"
            f'$smtp_password = "{STRONG}";\n')
    found = scan_commit(based, {path: text})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", [".yarn/releases/yarn-4.0.1.cjs", ".yarn/plugins/plugin.cjs",
                                  "inc/3rdparty/site_config/x.txt"])
def test_a_provider_token_in_a_yarn_release_or_3rdparty_still_blocks(based: RepoBuilder, path: str) -> None:
    found = scan_commit(based, {path: f'var k="{AWS_KEY}",t="{GITHUB_TOKEN}";\n'})
    rules = {rule for _, rule in blocking_findings(found)}
    assert "secrets/aws-access-key" in rules and any("github" in r for r in rules), found


@pytest.mark.parametrize(("path", "text"), [
    (".yarn/sdks/settings.json", f'{{"registry_password": "{STRONG}"}}\n'),
    (".yarn/.env", f"NPM_PASSWORD={STRONG}\n"),
    ("3rdparty/.env", f"SMTP_PASSWORD={STRONG}\n"),
    ("config/3rdparty.php", f"$smtp_password = '{STRONG}';\n"),
    ("src/yarn/releases.js", f'const password = "{STRONG}";\n'),
])
def test_a_password_next_to_yarn_s_or_3rdparty_still_blocks(based: RepoBuilder, path: str, text: str) -> None:
    """Only Yarn's release and plugin directories and a `3rdparty/` directory: the rest of `.yarn/`, a
    deployed `.env` in either, a file named `3rdparty` are the project's."""
    found = scan_commit(based, {path: text})
    assert path in {p for p, _ in blocking_findings(found)}, found


def test_a_private_key_next_to_a_yarn_release_still_blocks(based: RepoBuilder) -> None:
    found = scan_commit(based, {".yarn/releases/yarn-4.0.1.cjs": _YARN_BUNDLE, "deploy/key.pem": _pem_block()})
    assert ("deploy/key.pem", "secrets/private-key") in blocking_findings(found), found


# -- 3. a mask word between asterisks, a Symfony parameter ----------------------------------------------------------

_GRABY = "src/Wallabag/CoreBundle/GuzzleSiteAuthenticator/GrabySiteConfigBuilder.php"


@pytest.mark.parametrize("line", [
    "$parameters['password'] = '**masked**';",
    "        $parameters['password'] = '**masked**';",
    '$config["password"] = "*hidden*";',
    "log.info('login', password='***redacted***')",
    'const redacted = { ...opts, password: "**REDACTED**" };',
    "$params['api_secret'] = '**masked**';",
])
def test_a_mask_word_between_asterisks_is_a_placeholder(secrets_detector: SecretDetector, line: str) -> None:
    """wallabag (5 findings): `// do not leak password in log` then the value replaced by a mask for the log."""
    path = _GRABY if not line.startswith(("log.", "const")) else "src/log.js"
    assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


@pytest.mark.parametrize(("line", "path"), [
    ("# database_password: %env.database_password%", "app/config/parameters.yml.dist"),
    ("    database_password: '%env(DATABASE_PASSWORD)%'", "config/packages/doctrine.yaml"),
    ("    database_password: '%env(resolve:DATABASE_PASSWORD)%'", "config/services.yaml"),
    ("    secret: '%env(APP_SECRET)%'", "config/packages/framework.yaml"),
    ("        password: '%mailer.password%'", "app/config/config.yml"),
    ('<parameter key="db_password">%env(string:DB_PASSWORD)%</parameter>', "config/services.xml"),
])
def test_a_symfony_parameter_is_a_placeholder(secrets_detector: SecretDetector, line: str, path: str) -> None:
    """wallabag (1 finding): Symfony reads `%env(NAME)%` (and the older `%env.name%`) from the environment, and
    `%name.part%` from another parameter: a reference, not a value."""
    assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


@pytest.mark.parametrize("value", ["*" + STRONG + "*", "**" + STRONG + "**", "%" + STRONG + "%",
                                   "**masked**" + STRONG, "*" + STRONG[:9] + "*" + STRONG[9:] + "*",
                                   "%env." + STRONG + "%x", "*Masked9" + _random(9) + "*"])
@pytest.mark.parametrize("path", [_GRABY, "config/services.yaml", "src/config.js"])
def test_a_random_password_between_asterisks_or_percent_signs_still_blocks(
        secrets_detector: SecretDetector, value: str, path: str) -> None:
    line = f"password: '{value}'" if path.endswith(".yaml") else f"$parameters['password'] = '{value}';"
    assert blocking(secrets_detector, line, path) != [], reported(secrets_detector, line, path)


# -- 4. a file named for dummy or fake data -------------------------------------------------------------------------

EXAMPLE_PASSWORD = "admin" + "123"  # an example password, as monica's dummy account has
_DUMMY_FILES = ["app/Console/Commands/SetupDummyAccount.php", "app/Console/Commands/Local/SetupDummyAccount.php",
                "database/FakeDataSeeder.php", "scripts/dummy_data.py", "src/fake-users.ts", "tools/DUMMY_ACCOUNTS.rb",
                "app/Services/DummyData.php", "lib/fake_data.rb"]


@pytest.mark.parametrize("path", _DUMMY_FILES)
@pytest.mark.parametrize("value", [EXAMPLE_PASSWORD, "blank" + "123", "Password" + "123!"])
def test_an_example_password_in_a_dummy_data_file_is_an_example(based: RepoBuilder, path: str, value: str) -> None:
    """monica (4 findings): `monica:dummy` fills a wiped database with fake data for a demo; its account logs in with
    an example password, as a seeder's does (database/seeders/ is already a place of examples)."""
    line = (f"        $this->account = app(CreateAccount::class)->execute(['email' => 'admin@admin.com', "
            f"'password' => '{value}', 'first_name' => 'John']);\n")
    if not path.endswith(".php"):
        line = f'create_user(email="admin@admin.com", password="{value}")\n'
    found = scan_commit(based, {path: line})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", [*_DUMMY_FILES[:4], "app/Console/Commands/SetupAccount.php"])
def test_a_random_password_in_a_dummy_data_file_still_blocks(based: RepoBuilder, path: str) -> None:
    """Only example passwords are examples there: a random one is a login someone made."""
    found = scan_commit(based, {path: f"$user->password = '{STRONG}';\n"})
    assert path in {p for p, _ in blocking_findings(found)}, found


@pytest.mark.parametrize("path", ["app/Console/Commands/SetupAccount.php", "scripts/fakeroot_build.py",
                                  "src/Unfaked.php", "config/dummyfile.php", "deploy/dummy_data.sh",
                                  "prod/fake_users.env"])
def test_an_example_password_in_a_file_not_named_for_dummy_data_still_blocks(based: RepoBuilder, path: str) -> None:
    """A word that only holds `fake`/`dummy` (`fakeroot`, `Unfaked`), and what deploys an environment (a `deploy/`
    script, a `.env`), are not example places."""
    text = (f"PASSWORD={EXAMPLE_PASSWORD}\n" if path.endswith((".sh", ".env"))
            else f"$user->password = '{EXAMPLE_PASSWORD}';\n")
    found = scan_commit(based, {path: text})
    assert path in {p for p, _ in blocking_findings(found)}, found


def test_a_provider_token_in_a_dummy_data_file_still_blocks(based: RepoBuilder) -> None:
    found = scan_commit(based, {"database/FakeDataSeeder.php": f"$key = '{AWS_KEY}';\n$gh = '{GITHUB_TOKEN}';\n"})
    rules = {rule for _, rule in blocking_findings(found)}
    assert "secrets/aws-access-key" in rules and any("github" in r for r in rules), found


# -- 5. `.github/CONTRIBUTING.md` -------------------------------------------------------------------------------------

_DEV_URLS = ("DATABASE_URL=mysql://root:" + "wallabag" + "root" + "@mariadb:3306/wallabag?serverVersion=10.11\n"
             "DATABASE_URL=postgresql://wallabag:" + "wallabag" + "pass" + "@postgres:5432/wallabag?charset=utf8\n"
             "DATABASE_URL=mysql://app:" + STRONG + "@127.0.0.1:3306/app\n")


@pytest.mark.parametrize("path", [".github/CONTRIBUTING.md", ".github/contributing.md", ".github/SUPPORT.md",
                                  ".github/README.md", ".github/DEVELOPMENT.rst"])
def test_github_s_contributing_page_is_documentation(based: RepoBuilder, path: str) -> None:
    """wallabag (4 findings): `.github/CONTRIBUTING.md` documents the development stack's database URLs (its Compose
    services `mariadb` and `postgres`); GitHub shows it as the project's contributing page, as it shows the root's."""
    found = scan_commit(based, {path: "## Database\n\n```\n" + _DEV_URLS + "```\n"})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", [".github/CONTRIBUTING.md", ".github/SUPPORT.md"])
def test_a_real_host_s_password_or_a_key_on_github_s_pages_still_blocks(based: RepoBuilder, path: str) -> None:
    text = ("DATABASE_URL=mysql://app:" + STRONG + "@db1.corp-prod.net:3306/app\n"
            f"AWS_ACCESS_KEY_ID={AWS_KEY}\n\n```\n" + _pem_block() + "```\n")
    rules = {rule for _, rule in blocking_findings(scan_commit(based, {path: text}))}
    assert {"secrets/database-url-password", "secrets/aws-access-key", "secrets/private-key"} <= rules, rules


@pytest.mark.parametrize("path", [".github/workflows/deploy.yml", ".github/scripts/setup.sh", ".github/deploy.env",
                                  ".github/CONTRIBUTING.txt"])
def test_the_rest_of_github_s_directory_still_blocks(based: RepoBuilder, path: str) -> None:
    """Only prose markup: a workflow, a script, an environment's file, a notes file under `.github/` are not pages."""
    found = scan_commit(based, {path: "DATABASE_URL=mysql://app:" + STRONG + "@127.0.0.1:3306/app\n"})
    assert path in {p for p, _ in blocking_findings(found)}, found


# -- 6. PHP installers writing a config file; Composer's conflict constraints -----------------------------------------

_UPPER_PW = "PASS" + "WORD"
_INSTALLER_LINES = {
    "install/index.php": ("$content = str_replace(\"define ('STORAGE_" + _UPPER_PW + "', 'poche');\", \"define "
                          "('STORAGE_" + _UPPER_PW + "', '\".$_POST['mysql_" + _UPPER_PW.lower() + "'].\"');\", "
                          "$content);"),
    "src/Helpers/EnvironmentManager.php": ("$env .= 'DB_" + _UPPER_PW + "=\"'.str_replace('\"', '\\\\\"', "
                                           "$request->database_" + _UPPER_PW.lower() + ").\"\\\"\\n\";"),
}


@pytest.mark.parametrize("path", sorted(_INSTALLER_LINES))
def test_a_concatenated_expression_is_not_a_password(secrets_detector: SecretDetector, path: str) -> None:
    """wallabag's installer (6) and freescout's (1): the rule took `".$_POST[` and `'.str_replace(` — a string closed,
    joined, and an expression opened — for the value."""
    assert blocking(secrets_detector, _INSTALLER_LINES[path], path) == [], reported(
        secrets_detector, _INSTALLER_LINES[path], path)


def test_a_password_beside_a_concatenation_still_blocks(secrets_detector: SecretDetector) -> None:
    line = "define('STORAGE_" + _UPPER_PW + "', '" + STRONG + "'); // set by '.$installer['step'].'"
    assert blocking(secrets_detector, line, "install/index.php") != []
    assert blocking(secrets_detector, "$db_" + _UPPER_PW.lower() + " = '\"." + STRONG + "';", "app/db.php") != []


def test_composer_s_conflict_constraint_is_a_version(secrets_detector: SecretDetector) -> None:
    """monica and kanboard (2): roave/security-advisories' conflicts in `composer.lock` name a package
    `…/fe_change_pwd` whose constraint uses Composer's single `|` and a bare major (`>=3`)."""
    line = '            "derhansen/fe_change_pwd": "<2.0.5|>=3,<3.0.3",'
    assert blocking(secrets_detector, line, "composer.lock") == [], reported(secrets_detector, line, "composer.lock")


def test_a_password_shaped_like_alternatives_in_a_lock_file_still_blocks(secrets_detector: SecretDetector) -> None:
    line = '            "acme/app_pwd": "' + STRONG[:9] + "|" + STRONG[9:] + '",'
    assert blocking(secrets_detector, line, "composer.lock") != []


@pytest.mark.parametrize("path", [".yarn/releases/deploy.pem", ".yarn/plugins/keys/server.key"])
def test_a_key_file_beside_yarn_s_bundles_still_blocks(based: RepoBuilder, path: str) -> None:
    """The review's real push: `.yarn/releases/deploy.pem` was read as vendored code (the globs took the whole
    directory); Yarn commits only its `.cjs` bundles there."""
    found = scan_commit(based, {path: _pem_block()})
    assert path in {p for p, _ in blocking_findings(found)}, found
