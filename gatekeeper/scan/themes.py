"""Themes: which kind of weakness each of our semgrep rules and each bandit test is about.

One table serves three purposes: `gatekeeper rules list` shows a rule's theme, bench/ measures recall
per theme and language, and `one_per_line` keeps a line that bandit and one of our rules both flag for
the same theme as ONE finding — ours, which carries the fix and the CWE — instead of two. A bandit test
not listed here has no theme and is never merged away. Pure data and one filter (no tool, no I/O).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from gatekeeper.models import Finding

# theme -> (our semgrep rule ids, bandit test ids)
THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "command-injection": (
        ("python-subprocess-shell-true", "python-os-system-non-literal", "python-asyncio-subprocess-shell",
         "js-child-process-exec-interpolated", "js-child-process-shell-option", "js-command-injection-user-input",
         "js-child-process-caller-input"),
        ("B602", "B604", "B605", "B609")),
    "code-injection": (
        ("python-eval-exec-non-literal", "js-eval-non-literal", "js-new-function-non-literal",
         "js-react-native-inject-javascript", "python-trust-remote-code-variable"),
        ("B102", "B307")),
    "sql-injection": (
        ("python-sql-string-formatting", "js-sql-string-building", "js-nosql-operator-injection"),
        ("B608", "B610", "B611")),
    "path-traversal": (
        ("python-path-traversal-user-input", "js-path-traversal-user-input", "python-tarfile-extract-unfiltered"),
        ("B202",)),
    "xss": (
        ("js-innerhtml-non-literal", "js-document-write-non-literal", "js-react-dangerously-set-inner-html",
         "js-express-reflected-xss", "ts-angular-bypass-security-trust", "python-mark-safe-non-literal",
         "python-jinja2-autoescape-disabled", "js-svelte-raw-html", "js-vue-v-html"),
        ("B308", "B701", "B703", "B704")),
    "template-injection": (("python-template-injection", "js-template-injection-user-input"), ()),
    "open-redirect": (("js-open-redirect", "js-browser-open-redirect", "python-open-redirect"), ()),
    "hardcoded-secret": (
        ("python-hardcoded-credential-assignment", "python-hardcoded-credential-argument", "js-hardcoded-secret",
         "python-jwt-hardcoded-secret", "js-jwt-hardcoded-secret", "js-jwt-hardcoded-secret-jose"),
        ("B105", "B106", "B107")),
    "jwt-misuse": (
        ("js-jwt-none-algorithm", "js-jwt-decode-without-verify", "js-jwt-verify-without-algorithms",
         "python-jwt-decode-without-verification"),
        ()),
    "weak-crypto": (
        ("python-weak-password-hash", "python-fast-hash-for-password", "js-weak-password-hash",
         "js-node-crypto-weak-cipher"),
        ("B303", "B304", "B305", "B324", "B413")),
    "insecure-random": (("python-insecure-random-secret", "js-insecure-random-secret"), ("B311",)),
    "tls-verification": (
        ("python-ssl-cert-checks-disabled", "python-ssl-unverified-context", "python-tls-verify-disabled",
         "js-tls-reject-unauthorized-false", "js-node-tls-reject-unauthorized-env",
         "python-paramiko-auto-add-host-key"),
        ("B323", "B501", "B502", "B503", "B504", "B507")),
    "deserialization": (
        ("python-pickle-load", "python-marshal-load", "python-shelve-open", "python-jsonpickle-decode",
         "python-yaml-unsafe-load", "js-unsafe-deserialization"),
        ("B301", "B302", "B506", "B614")),
    "xxe": (("python-lxml-xxe", "python-xml-external-entities-enabled", "js-xml-external-entities"),
            ("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320")),
    # B310 (urllib.urlopen of a URL not written in the code) reads the same sink as our taint rules, without knowing
    # where the URL came from: where both flag a line, ours (which names the request as its source) stands.
    "ssrf": (("python-ssrf-request-url", "js-ssrf-request-url"), ("B310",)),
    "cors": (("python-cors-wildcard-with-credentials", "js-cors-wildcard-with-credentials", "js-cors-reflected-origin"),
             ()),
    "debug-enabled": (("python-flask-debug-enabled", "python-django-debug-true"), ("B201",)),
    "network-exposure": (("python-bind-all-interfaces",), ("B104",)),
    "insecure-temp-file": (("python-tempfile-mktemp",), ("B108", "B306")),
    "file-permissions": (("python-world-writable-permissions", "js-world-writable-permissions"), ("B103",)),
    "assert-for-security": (("python-assert-used-for-auth",), ("B101",)),
    "prototype-pollution": (("js-prototype-pollution-merge",), ()),
    "mobile-webview": (("js-react-native-webview-permissive",), ()),
    "insecure-storage": (("js-react-native-asyncstorage-secret",), ()),
}

# bandit tests whose check one of our rules makes with more precision, at the same sinks: shell=True,
# os.system, eval/exec, SQL built into execute(), mark_safe. Where our rules ran over the same commit,
# bandit's finding adds only its false alarms (a constant, a shlex.quote()d value, an allow-listed member,
# which our rules accept): the gate drops it. Where semgrep did not run (not in the rule set, failed), bandit
# keeps reporting them. tests/test_superseded_bandit.py holds our rules to every sink variant bandit reports.
# Not B202 (tarfile.extractall): bandit reads any extractall() of a module that imports tarfile, and our rule,
# which must know the object is a tar archive, cannot follow an archive handed to a helper, kept on self or
# imported lazily (red100, red101); bandit's reading stands there, less its false alarms on a zip archive and on a
# safe filter spelled otherwise than "data", which the module shows beyond doubt (bandit_tar).
SUPERSEDED_BANDIT = frozenset({"B102", "B307", "B308", "B602", "B605", "B608", "B703"})

_BY_RULE: dict[str, str] = {}
for _theme, (_ours, _bandit) in THEMES.items():
    _BY_RULE.update({f"semgrep/{rule}": _theme for rule in _ours})
    _BY_RULE.update({f"bandit/{test}": _theme for test in _bandit})


def theme_of(rule_id: str) -> str | None:
    """The theme of a namespaced finding id (`semgrep/js-eval-non-literal`, `bandit/B602`), else None."""
    return _BY_RULE.get(rule_id)


def one_per_line(findings: Sequence[Finding], semgrep_commits: Collection[str | None] = ()) -> list[Finding]:
    """One finding per commit, file, line and theme: the most severe of our rules' findings there (two of
    our rules that overlap, e.g. a request-taint rule and a pattern rule on the same exec() call, say one
    thing), and no bandit finding where one of ours stands. A superseded bandit test's finding is dropped
    for every commit our rules scanned (`semgrep_commits`)."""
    best: dict[tuple[str | None, str | None, int, str], Finding] = {}
    for f in findings:
        if f.rule_id.startswith("semgrep/") and f.line is not None and (theme := theme_of(f.rule_id)):
            key = (f.commit, f.path, f.line, theme)
            if key not in best or f.severity > best[key].severity:
                best[key] = f
    kept_ours = {id(f) for f in best.values()}
    scanned = set(semgrep_commits)
    result = []
    for f in findings:
        theme = theme_of(f.rule_id)
        key = (f.commit, f.path, f.line if f.line is not None else -1, theme or "")
        if f.rule_id.startswith("semgrep/") and theme and f.line is not None:
            if id(f) in kept_ours:
                result.append(f)
        elif f.rule_id.startswith("bandit/") and (
                key in best or (f.commit in scanned and f.rule_id.removeprefix("bandit/") in SUPERSEDED_BANDIT)):
            continue
        else:
            result.append(f)
    return result
