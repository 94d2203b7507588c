"""False blocking secrets findings of a blind measurement on five held-out histories (meas140: monica, wallabag,
kanboard, thelounge, freescout; 29,518 commits, 187 blocking, none true). Each class is built as a class — realistic
variants, not the one listed string — with controls: a real credential of the same shape in the same place (a random
password, a provider token built by concatenation, a private key) still blocks.

1. a CSS selector read as an assignment in a stylesheet (`input[type=password]:disabled+label`: wallabag's built
   Materialize stylesheets, 85 findings);

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
