"""The in-process secrets detector: provider token formats and credential assignments in added lines.

It owns the rules file format (`rules/secrets.yml`: patterns are data, validated strictly at load),
the matching strategy and what is *not* a secret (placeholders, environment look-ups, code
references). It sees only text — the lines a commit added — and answers with `SecretHit`s that
carry a redacted form and a digest of the value, never the value itself; the engine turns them
into `Finding`s (fingerprint, inline suppression, policy). Lines are hostile input: every pattern is
bounded, and the generic rules look only near their keywords on very long lines.

The engine is one multi-pattern prefilter and per-rule confirmation. All rules' keywords are compiled
into one Hyperscan literal database (caseless, one pass over the batch's bytes); only the lines where
a keyword occurs reach the rules that name it, which run as Python `re` patterns on that line alone.
Measured on 11 MB of source with 337 keywords (bench/bench_secrets.py prints the same comparison):
Hyperscan ~900 MB/s, google-re2 alternation ~60 MB/s, a `str.find` loop ~1 MB/s, a `re` alternation
~0.3 MB/s. Confirmation stays in `re` because the shipped rules need look-around fences (RE2 and
Hyperscan have none); every quantifier in them is bounded, and tests/test_secrets_engine.py feeds
100 KB lines of near-matches to every rule and compares the time with a linear baseline. Rules from
a gitleaks config are RE2 syntax and run in google-re2 (linear by construction). Without Hyperscan
(a platform with no wheel) the prefilter falls back to one `str.find` per keyword: same results,
slower.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import functools
import hashlib
import itertools
import json
import math
import os
import re
import re._parser as sre_parse  # type: ignore[import-not-found]
import threading
import unicodedata
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import yaml

from gatekeeper import fingerprint, yamlio
from gatekeeper.errors import ConfigError
from gatekeeper.lazy_regex import LazyPattern, lazy
from gatekeeper.models import Severity
from gatekeeper.scan.code_text import FileContext, Syntax, TextRegions, syntax_of
from gatekeeper.scan.secret_candidates import default_rules_path as default_rules_path
from gatekeeper.scan.secret_candidates import shipped_document

NAMESPACE = "secrets"

# Generic rules start at every keyword occurrence and may scan a few hundred characters from each,
# so on a very long line (minified JS, a data blob) they would cost O(line x keywords). Above this
# length they search only windows around keyword occurrences (where any match of theirs must
# start), capped in number and total size; the provider rules — anchored on literal prefixes and
# fenced by look-behinds, hence linear — still run on the whole line. The cap means a generic
# credential deep inside a megabyte line full of keywords can be missed; provider tokens cannot.
MAX_GENERIC_LINE = 20_000
_WINDOW_BEFORE = 64  # a generic match starts at most this far before the keyword it contains
_WINDOW_AFTER = 800  # key suffix + assignment + quoted value (<= 512) fit in this
_MAX_WINDOW_CHARS = 200_000  # per rule per line
_MULTILINE_CONTEXT = 256  # characters of key material hashed into a multiline rule's digest
_MIN_PREFIXED_LENGTH = 20
MAX_NEXT_LINES = 2  # the most following lines a next_line rule reads

_SEVERITIES = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
               "low": Severity.LOW}
_REQUIRED_KEYS = ("id", "description", "severity", "regex")
_OPTIONAL_KEYS = ("keywords", "entropy_min", "allow", "generic", "multiline", "test_values", "check", "source",
                  "sample", "prefilter", "paths", "next_line")
_ID = lazy(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# --- what is not a secret --------------------------------------------------------------------------

# Markers that make any value a placeholder, a template or a reference. Provider tokens are random
# base62/base64, so the chance that a real one contains e.g. "xxxx" or "example" is negligible.
_PLACEHOLDER_MARKERS = lazy(
    r"""
      example | dummy | placeholder | changeme | change[_-]me | replace[_-]?me | redacted | fixme
    | omitt?ed | truncated
    | x{4,} | \*{3,} | \u2022{2,} | \.{3} | \u2026
    | \$\{ | \$\([a-z_][\w .:/=-]*\) | \{\{ | \}\} | ^\{\d*\}$ | ^%[sdr]$
    | (?-i:\{(?:[a-z_][a-z0-9_.]*|[A-Za-z_][A-Za-z_.]+|[A-Z_][A-Z0-9_]{2,})\})   # {pw}, {PW}, {Password}, {KEY1}
    | \{[a-z_][\w.]*(?:\[[^\]{}]{0,40}\]|\([^(){}]{0,40}\))+\}       # f-string fields: {pw()}, {cfg["key"]}
    | \{\d{0,3}:[^{}\s]{0,20}\}                                      # format fields with a spec: {0:>8}, {16:b62}
    | %\([a-z_]\w*\)[sdrif] | %[a-z_]{3,}% | ^%[a-z_]+(?:\.[a-z_]+)+%$ | ^%env\.[a-z_][\w.]*%$
    | ^%env\((?:[a-z]+:)*[a-z_]\w*\)%$                             # Symfony: %env(resolve:NAME)%, %env.name% (meas140)
    | <[\w .:/@-]+> | (?-i:^<(?:[a-z][a-z_ .-]*|[A-Z][A-Z_ .-]*)$)
    | ^(?-i:\$\$?(?:[A-Z_][A-Z0-9_]+|[a-z_][a-z0-9_]+)|\$\([^)]*\))(?:$|[/:.\s|-])   # $(cmd), $VAR, $$VAR (make)
    # A variable escaped for the shell a string is handed to (`-p\$MARIADB_ROOT_PASSWORD` in a PHP string, coolify),
    # and PHP's complex interpolation (`"mysql://{$user}:{$pass}@…"`, `{$this->password}`: 23 in coolify, meas141).
    | ^(?-i:\\\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)(?:$|[/:.\s-])
    # Variables run together, nothing else (`password="$password$key"`: a shell loop appending a typed character,
    # pi-hole, meas143): each name in one case, as `$VAR` above, braces closed — not `$Pa$w0rd`, `$ecret$Key1` nor a
    # generator's `$` between runs of mixed case (red143).
    | (?-i:^(?:\$(?:\{(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)\}|[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)){2,}$)
    | \{\$[a-z_]\w*(?:->\w+|\[[^\]{}]{0,40}\])*\}
    # A JSON pointer (an OpenAPI discriminator's mapping, `password: "#/components/schemas/…"`: 38 in ory/kratos).
    | (?-i:^\#/(?:[\w.~%-]+/)*[\w.~%-]+$)
    # Where a command reads the password from, not the password: openssl's `-passin file:/path`, `env:NAME`, `fd:3`,
    # `stdin`; a build secret's mount (`docker buildx build --secret id=KEY,src=path`).
    | (?-i:^(?:file|env|fd):[^\s:]+$|^stdin$|^(?:id|src|source|env|type)=[\w.-]+(?:,[a-z]+=[^\s,]+)*$)
    # (each in its template's shape: not a random key holding `$(`, `%(`, `{M4}` or `<x,>` by chance: red103, red104)
    | &lt; | &gt; | %3c[a-z_-]*%3e                          # an HTML- or URL-escaped <placeholder>
    | (?:^|[_-])your[_-]? | [_-]here(?:[_-]?[0-9]{1,4})?$ | ^(?:insert|enter|put|add)[_-]
    # (`SET_A_PASSWORD_HERE_123`: bitwarden's .env.example, secrets.json.example and CI connection strings, sec161.)
    | environ | getenv | process\.env | \benv\[ | \bsecrets\.
    | 0123456789 | 123456789 | abcdefgh | qwerty
    # The alphabet in a format's groups: an app-specific password shown as `abcd-efgh-ijkl-mnop` (localsend, sec160).
    | abcd[-_.\ ]efgh
    | (?-i:^\[[A-Z][A-Z0-9_]*\]$)                                   # a name to fill in: [API_KEY], [YOUR_TOKEN]
    | (?-i:^[A-Z][A-Z_]{2,}(?:[/:|][A-Z][A-Z_]{2,})+$)  # names of what goes there: API_KEY/USERNAME:PASSWORD
    # ... or one setting's name in capitals ending in what it holds: POSTGRES_PASSWORD, REDIS_AUTH_TOKEN (mealie)
    | (?-i:^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|KEY|PASSPHRASE)(?:_HASH)?$)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Whole values that are words, not credentials ("test", "changeme", default dev passwords, ...).
_PLACEHOLDER_WORDS = lazy(
    r"""
      (?:test(?:ing)?|fake|sample|dummy|example|placeholder|changeme|mock|foo|bar|baz|foobar|tbd|todo)
        [_-]?[0-9]{0,4}
    | password | passwd | pass | secret | token | none | null | nil | undefined | true | false | empty
    | default | redacted | hidden | masked | admin | root | guest | user | username | postgres
    | mysql | redis | mongo | changeit | secret[_-]?key | api[_-]?key | access[_-]?token
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LONG_RUN = lazy(r"(.)\1{7,}")
# A mask written over a value, a dummy word between as many asterisks on each side (`**masked**`: wallabag's log
# redaction, meas140) — the word alone decides, so a random value between asterisks is still read.
_MASK = lazy(r"(?P<stars>\*{1,3})(?P<word>[A-Za-z]+)(?P=stars)")
# The subset of markers that say "this is an example", as opposed to "this is a reference".
_EXAMPLE_MARKERS = lazy(
    r"example | dummy | placeholder | changeme | change[_-]me | replace[_-]?me | redacted | x{4,} | \*{3,}",
    re.IGNORECASE | re.VERBOSE,
)  # 8+ times the same character: "00000000", "********"

# Generic rules only: values that are code, paths or references rather than credentials.
_REFERENCE = lazy(
    r"""
      ^[a-z][a-z0-9+.-]{1,20}://          # any URL (https://, op://, vault://); URL passwords have their own rules
    | ^(?:arn|vault|ssm|sm|gcpkms|awskms|azurekv|ref\+[a-z]+):
    | ^@(?:env|keychain):[A-Za-z_][\w.-]*$  # Apple's notarisation tools (altool, gon): a variable or keychain item
    | ^env:[A-Za-z_]\w*$                   # a configuration's reference to an environment variable (env:API_KEY)
    | ^env\([A-Za-z_]\w*\)$               # the same in Supabase's and Prisma's configuration (env(SMTP_PASSWORD))
    | ^\$env:[A-Za-z_]\w*$                 # PowerShell's ($Env:MYGET_KEY, any case: Newtonsoft.Json's pipeline, red129)
    | ^ENC\[
    | ^@Microsoft\.(?:KeyVault|AppConfiguration)\(  # App Service: a Key Vault or App Configuration reference
    | (?:\\033|\\x1b|\\u001b|\\e|\x1b)\[[0-9;]*m      # an ANSI colour sequence: terminal formatting
    | \.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|pub|gpg|asc|json|ya?ml|txt|env|ini|cfg|conf|toml)$
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YAML_TAG = lazy(r"!!?[A-Za-z]+(?:[:/][\w.:/-]*)?")
_YAML_SOURCE = lazy(r"\.ya?ml\Z", re.IGNORECASE)
# An alias of an anchor (`password: *db-password` after `x-db-password: &db-password …`: listmonk's Compose file,
# meas139): a reference, read unquoted in YAML only, where a plain scalar cannot start with `*`. Its name as names are
# written — lower-case words, camelCase, capitals — not random letters and digits (`*<random>` stays a value: fix133s).
_YAML_ALIAS = lazy(r"\*(?:[a-z]+(?:[-_.][a-z]+)*|[a-z]+(?:[A-Z][a-z]+)+|[A-Z]+(?:_[A-Z]+)*)(?:[-_.]?[0-9]{1,3})?")
# Where a YAML value starts, up to an alias there: after a key's colon, a sequence's dash, a flow collection's mark.
_YAML_VALUE_START = lazy(r"(?:\A|[:\-\[,{?])[ \t]*\Z")
# Source in a language where `!x` negates: `has_password = !!password`, `noToken := !cfg.Enabled` (red104) — not
# .env, properties or shell, where `!` starts a password.
# (Ruby's tasks, `.rake`, are Ruby: lobsters' `lib/tasks/fake_data.rake`, sec150.)
_NEGATING_SOURCE = lazy(r"\.(?:[cm]?[jt]sx?|vue|svelte|go|rb|rake|java|kts?|scala|groovy|cs|swift|rs|php|c|cc|cpp"
                              r"|cxx|h|hh|hpp|m|mm|dart|lua|pl|pm)\Z")
_NEGATION = lazy(r"!!?[A-Za-z_$][\w$]*(?:(?:\.|\?\.|->|::)[A-Za-z_$][\w$]*)*(?:\(\))?")
# A path segment no one names: 16+ characters holding lower case, upper case and digits (a base64 key's run).
_RANDOM_SEGMENT = lazy(r"(?=[^/\\]*[a-z])(?=[^/\\]*[A-Z])(?=[^/\\]*[0-9])[^/\\?#]{16,}")
# A file path or a route: a separator first, path characters only, and either more than one segment or one
# lower-case name (`/run/secrets/db`, `/oauth/token?grant_type=x`, `/tmp`); not "/aB3@kL9%zQ+e" (red101, red102).
_PATH = lazy(r"(?:~?/|\.\.?/|[A-Za-z]:\\)(?=[\w.@%+=,~:/\\?#*&\[\]{}-]*\Z)"
                   r"(?:[^/\\]*[/\\][^/\\]*.*|[a-z0-9_.-]*)")
# A string closed, a variable or call added, and reopened: `"+password+"`, `".md5($pw)."`, `"$PW"`, `'+cfg.pw+'`.
_CONCATENATION = lazy(r"""(["'`])\s*(?:[-+.&|,]\s*)?[$@]?[A-Za-z_][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*)*"""
                            r"""(?:\([^()"'`]*\))?(?:\[[^\]"'`]*\])?\s*(?:[-+.&|,]\s*)?\1""")
# A string closed, joined, and an expression opened up to its first quoted argument or key, all the rule took for the
# value: `'".$_POST['` of `'".$_POST['mysql_password']."'`, `'.str_replace('` of `"'.str_replace('"', …)` (PHP
# installers writing a config file; meas140: wallabag, freescout).
_EXPRESSION_OPENED = lazy(r"""["'`][ \t]*[.+][ \t]*\$?[A-Za-z_][\w$]*(?:->[A-Za-z_]\w*)*[ \t]*[\[(]"""
                                r"""[ \t]*["'`]?""")
# The same seen from inside the quotes a rule took for the value's own: `" --password="+password+" "` reads as the
# quoted value `+password+` — an operator, a name, the same operator (`.$pw.` in PHP; red113: 20 high in ansible).
_OPERATOR_NAME = lazy(r"""\+[$@]?[A-Za-z_][\w$]*(?:(?:\.|->|::)[A-Za-z_$][\w$]*)*(?:\([^()"'`]*\))?\+"""
                            r"""|\.\$[A-Za-z_]\w*(?:->[A-Za-z_]\w*)*\.""")
# A value that says it is made up, as a word of its own (`fakeLinkedInPassword`, `Fake-ADP-Pass-77`,
# `npm_FakeSeederPublishToken2026`: bitwarden's seed fixtures, 50 — sec161): the word at a start, a separator or a
# case hump, a capital or a separator or a digit after it (not `fakeout`, `Fakery`). Where examples are written only.
_FAKE_VALUE = lazy(r"(?:(?<![A-Za-z])(?i:fake|dummy)|(?<=[a-z])(?:Fake|Dummy))(?![a-z])")
# The start of a name that says its value is made up, ending where a generic rule's keyword starts (`FAKE_PASSWORD`,
# `examplePassword`, `dummy-pass`: harbor's `const FAKE_PASSWORD: string = '…'`). Not `test`: a test environment's
# login is often a real one.
_NOT_REAL_NAME = lazy(r"(?:(?<![A-Za-z0-9])(?i:fake|dummy|example|sample|mock|placeholder)"
                            r"|(?<=[a-z])(?:Fake|Dummy|Example|Sample|Mock|Placeholder))"
                            # the keyword next: not `MOCKINGBIRD_` (red135), not `SAMPLE_STORE_` (red136)
                            r"[_.-]?\Z")
# A word elided in prose: one to three letters, an apostrophe, a lower-case word (L'identifiant, d'accès).
_ELIDED_WORD = lazy(r"[^\W\d_]{1,3}'[^\W\d_A-Z]+")
_DOTTED_NAME = lazy(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")  # settings.DB_PASSWORD
# In source (SourceKind.syntax "code"), outside a string or a comment on the line (_code_value), a reference written
# with a scope's `::` or a null-safe `?.` (member access joined by `.` is _DOTTED_NAME): Kotlin's callable reference
# given to a password field (8 in pocket-casts-android, `viewModel::updatePassword` or `::updatePassword`), Ruby's
# constant path (lobsters, a password from `Faker::Internet.password`), C#'s, Kotlin's, Swift's and Dart's
# null-conditional member (3 in Sonarr, `user?.Password ?? string.Empty`) — sec150 — and PHP's static member
# (`static::$password ??= …`, `self::$defaultPassword`). Names only, one `::` or `?.` at least. (Read in source only —
# `DB_PASSWORD=Admin::…` in a .env is a value, red129 — and, since sec150, not inside a string or comment on the line
# either: the PHP reading before it took a capitalised `Name::Name` value inside a Kotlin string for code.)
_CODE_REFERENCE = lazy(r"(?:::)?[A-Za-z_$][\w$]*(?:(?:\.|\?\.|::)[A-Za-z_$][\w$]*)*")
# ... whose last member names what it reads (a password, a token, a key): every reference sec150 met did
# (`::updatePassword`, `Faker::Internet.password`, `user?.Password`, `static::$password`). Not any names joined by `::`
# or `?.`: `_in_text` does not see every text a line can sit in (a Ruby `#` comment after a string, a heredoc, PHP's
# and Perl's, Ruby's `__END__`, Lua's long string, a JavaScript template), where a generated password of letters and
# digits with `::` in it was read as code (red151).
_REFERENCE_PARTS = lazy(r"::|\?\.|\.")
# (Letters only, as a member is named: a generated run holding `key` or `auth` by chance has digits too.)
# In Rust source (outside a string or comment: _code_value), where an unquoted value is never a string, a path of an
# enum's, a type's or a module's names, `::`-rooted or not, each part letters as names are written: a match arm's
# value (`SessionScope::ReadWrite`, `OpKind::WriteOp`: kanidm's, 4 findings since red151 narrowed `::` to credential
# members), a struct field's type or a path assigned (the standard library's `String` or `Option::None` by their
# rooted paths: AppFlowy's generated protobuf code, 65) — sec160. Not digits: a generated run joined
# by `::` holds them.
_RUST_NAME = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)*|[a-z]+(?:_[a-z]+)*)"
_RUST_PATH = lazy(rf"(?:::)?{_RUST_NAME}(?:::{_RUST_NAME})+")
# ... and a binding's fields, a tuple's index among them (a newtype's inner value, `.0`, given to a field: AppFlowy's
# sign-in entities, 21). Letters and one digit after a dot only: `Kq7mZp.0` is a password's shape.
_RUST_FIELD = lazy(r"[a-z]+(?:_[a-z]+)*(?:\.(?:[a-z]+(?:_[a-z]+)*|[0-9]))+")
_CREDENTIAL_MEMBER = lazy(r"(?i)[a-z_$]*(?:pass|pwd|secret|token|key|auth|cred)[a-z_$]*")
# In JavaScript and TypeScript source only, also the non-null and optional member access (config.password!,
# opts?.token): elsewhere `Tr0ub4dor.Horse!` is a password of the commonest shape (red88).
# (Also incremented or decremented, `++ref.current`; red113.)
_SCRIPT_MEMBER = lazy(r"(?:\+\+|--)?[A-Za-z_$][\w$]*(?:!?\??\.#?[A-Za-z_$][\w$]*)+!?")
_SCRIPT_SOURCE = lazy(r"\.(?:[cm]?[jt]sx?|vue|svelte)\Z")
# In JavaScript and TypeScript source only: a "quoted value" that is the code between two strings, read from the
# closing quote of one to the opening quote of the next (minified bundles: `"?token=").concat(this.get("token")`):
# a method called on what came before. Not a value that merely starts with punctuation (red100: `"+k9…"` is a
# password, and a sixteenth of base64 keys start so).
# And a call's closing parenthesis, what follows it, and the next call's member name and opening parenthesis
# (a JSX label's string, `),m?l.default.createElement(`, and the next element's string: a built Swagger UI, meas143).
# (An operator or a closing bracket right after that parenthesis, as an expression goes on: not `)` and a password's
# letters, red143.)
_SCRIPT_BETWEEN_STRINGS = lazy(r"(?:\A|\))\.[A-Za-z_$][\w$]*\(|\A\)[,;?:&|+)\]}][^\s\"'`]{0,79}"
                                     r"\.[A-Za-z_$][\w$]{2,}\(\Z")
# Two string literals joined by the language's own operator are one string (sec161; red162's strict xfail): a query
# string's or a connection URL's label in one literal, joined by `+` (JavaScript's `.concat(…)`, PHP's `.`, Python's
# and C's literals side by side) to a second literal holding the password, hid that password — the code between the
# two strings is no value, and no rule read on. The line is read again with the joins folded away
# (_fold_literal_joins). Only literal beside literal: a name between two strings is still code.
# (A join may break the line before or after its operator: a line and the next are folded together too.)
_STRING_LITERAL = lazy(r"""(["'`])(?:\\.|(?!\1)[^\\\n])*\1""")
_PLUS_JOIN = lazy(r"[ \t]*\n?[ \t]*\+[ \t]*\n?[ \t]*\Z")
_DOT_JOIN = lazy(r"[ \t]*\n?[ \t]*\.[ \t]*\n?[ \t]*\Z")
_CONCAT_JOIN = lazy(r"[ \t]*\n?[ \t]*\.[ \t]*concat[ \t]*\([ \t]*\n?[ \t]*\Z")
_CONCAT_CLOSE = lazy(r"[ \t]*\)")
_ADJACENT_JOIN = lazy(r"(?=[ \t\n])[ \t]*\n?[ \t]*\Z")
# A line whose last literal may be joined to one on the next line, and a next line that may go on from it.
_JOIN_ENDS_LINE = lazy(r"""["'`][ \t]*(?:\+|\.|\.[ \t]*concat[ \t]*\()?[ \t]*\Z""")
_JOIN_STARTS_LINE = lazy(r"""[ \t]*(?:\+|\.|\.[ \t]*concat[ \t]*\()?[ \t]*["'`]""")
_PLUS_JOINING_SOURCE = lazy(r"\.(?:[cm]?[jt]sx?|vue|svelte|java|kts?|scala|groovy|cs|swift|py|pyw|rb|go|dart)\Z")
_DOT_JOINING_SOURCE = lazy(r"\.php\Z")
# (Python, Ruby, C and C++ join literals written side by side: `"host=db password=" "<password>"`.)
_ADJACENT_JOINING_SOURCE = lazy(r"\.(?:py|pyw|rb|c|cc|cpp|cxx|h|hh|hpp|m|mm)\Z")


def _fold_literal_joins(text: str, path: str | None) -> tuple[str, list[int], list[int]] | None:
    """`text` with each join of two string literals folded into one literal (`"a" + "b"` → `"ab"`), the original
    index of every character of the folded text (and one past its end), and where in the folded text each join was;
    None when the line holds no such join (or the file's language joins no strings so)."""
    if path is None or len(text) > MAX_GENERIC_LINE or text.count('"') + text.count("'") + text.count("`") < 4:
        return None
    plus = _PLUS_JOINING_SOURCE.search(path) is not None
    dot = _DOT_JOINING_SOURCE.search(path) is not None
    adjacent = _ADJACENT_JOINING_SOURCE.search(path) is not None
    concat = _SCRIPT_SOURCE.search(path) is not None
    if not (plus or dot or adjacent):
        return None
    literals = list(_STRING_LITERAL.finditer(text))
    if len(literals) < 2:
        return None
    pieces: list[tuple[int, int]] = []  # spans of the original kept, in order
    joins: list[int] = []
    kept_from = length = 0  # (length: of the folded text so far)
    skip_close = -1  # a `.concat(` join: its closing parenthesis after the right literal goes too
    for left, right in itertools.pairwise(literals):
        gap = text[left.end():right.start()]
        join = ((plus and _PLUS_JOIN.match(gap)) or (dot and _DOT_JOIN.match(gap))
                or (adjacent and _ADJACENT_JOIN.match(gap)) or (concat and _CONCAT_JOIN.match(gap)))
        if not join or left.start() < skip_close:
            continue
        # Keep up to the left literal's content (not its closing quote), drop the quote, the join and the right
        # literal's opening quote; the right literal's own quote closes the folded string.
        pieces.append((kept_from, left.end() - 1))
        length += left.end() - 1 - kept_from
        joins.append(length)
        kept_from = right.start() + 1
        if _CONCAT_JOIN.match(gap):
            close = _CONCAT_CLOSE.match(text, right.end())
            if close is None:
                return None  # `.concat("a", b)`: not two literals alone
            pieces.append((kept_from, right.end()))
            length += right.end() - kept_from
            kept_from = close.end()
            skip_close = close.end()
    if not joins:
        return None
    pieces.append((kept_from, len(text)))
    folded = "".join(text[a:b] for a, b in pieces)
    origin = [i for a, b in pieces for i in range(a, b)]
    origin.append(len(text))
    return folded, origin, joins


# In source (SourceKind.syntax "code"), the code between two strings of a builder's chain, whole: a call's closing
# parenthesis, calls on what came before with a name or nothing as their argument, and the next call opened (a Java or
# Scala `toString` appending a label string, the field, then the next label: gatling, sec160). Only that: `)` and a
# password's letters, or a value that merely holds `).name(`, is read as a value.
_BUILDER_BETWEEN_STRINGS = lazy(r"\)(?:\.[A-Za-z_$][\w$]*\((?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)?\))*"
                                      r"\.[A-Za-z_$][\w$]*\(")
# ... and one of those calls appends the credential's own field (`.append(password)`, `.append(this.passwd)`): with
# none, the next string is the value itself (the label appended, then a string literal appended: the password, or
# the same after a separator's name; blocking before sec160, red162).
_BUILDER_ARGUMENT = lazy(r"\(([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\)")
# In JavaScript and TypeScript source only: an AngularJS directive's scope binding, `=`, `<` or `&`, optional `?`, and
# the attribute's name (vaultwarden's bundled web vault binds its password attribute to `passwordMeter` so).
_SCOPE_BINDING = lazy(r"[=<&]\??[A-Za-z_$][\w$]*")
_MANIFEST = lazy(r"(?:\A|/)(?:package(?:-lock)?\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock"
                       r"|composer\.(?:json|lock)|Cargo\.(?:toml|lock)|pyproject\.toml|poetry\.lock|Pipfile(?:\.lock)?"
                       r"|uv\.lock|go\.mod|Gemfile(?:\.lock)?|pubspec\.(?:yaml|lock)|requirements[\w.-]*\.txt)\Z")
# Unquoted, a name made of letters is a variable (hashedPassword, DHPrivateKey, RefreshTokenT) — in a file that has
# variables (SourceKind.data).
_UNQUOTED_NAME = lazy(r"[A-Za-z_$][A-Za-z_$]*")
# In JavaScript and TypeScript source an unquoted value is never a string: an identifier there, digits and all, is a
# variable or a type (`signingKey: Uint8Array`, `const token = Base64Url`; red108).
# So in Python, Go, Java, Kotlin, Swift, C#, Rust, C and C++ (a keyword argument naming a variable), with TypeScript's
# non-null assertion and Kotlin's, Swift's and C#'s nullable and non-null marks (`String?`, `!!`; red113).
_SCRIPT_IDENTIFIER = lazy(r"#?[A-Za-z_$][\w$]*!?")
_MARKED_IDENTIFIER = lazy(r"[A-Za-z_$][\w$]*(?:!!|[?!])?")
_IDENTIFIER = lazy(r"[A-Za-z_$][\w$]*")
# In Go, C and C++ and Rust also dereferenced or addressed, a member's path and all: woodpecker's plugins give a
# password field `*DefaultPass`, a flag read through its pointer (fix133s); C's `*argv_pass`, Rust's `&cfg.pass`.
_POINTER_NAME = lazy(r"[*&]{0,3}[A-Za-z_][\w]*(?:(?:\.|->)[A-Za-z_]\w*)*")
_CODE_NAMES = {"javascript": _SCRIPT_IDENTIFIER, "markup": _SCRIPT_IDENTIFIER, "c-text-blocks": _MARKED_IDENTIFIER,
               "csharp": _MARKED_IDENTIFIER, "python": _IDENTIFIER, "go": _POINTER_NAME, "c": _POINTER_NAME,
               "rust": _POINTER_NAME}
# A PowerShell cmdlet call, Verb-Noun (`$password = Get-AnsibleParam -obj ...`, `ConvertTo-SecureString $pw ...`;
# red108: 84 findings in ansible's history).
_CMDLET = lazy(r"[A-Z][a-z]+(?:[A-Z][a-z]+)?-[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")
# A keyword that is an option's value, the next `name=value` option after a colon (`eof_action=pass:shortest=1`), its
# name in lower case as ffmpeg's are; not OpenSSL's `-passout=pass:<phrase>`, base64 padding and all (red135, red136).
_OPTION_VALUE_KEYWORD = lazy(r"(?i:pass(?:word|wd)?|pwd):[a-z_][a-z0-9_]{0,40}=(?!=)[^:=\s\"'`]{1,40}"
                                   r"(?=[:\s\"'`]|\Z)")
# A key written as a label (`value:`, `db.password:`): prose naming a field, not its value.
_KEY_LABEL = lazy(r"[A-Za-z_][A-Za-z_.-]{0,60}:")
# A form field's validation rules, as Laravel and CodeIgniter write them (`'password' =>
# 'required|string|min:8|confirmed'`, `'different:old_password'`, `required|min_length[8]`): every `|`-separated rule
# one of theirs, with its arguments (laravel/laravel: 17 blocking findings). A password holding a pipe holds
# something else too.
_RULE_NAME = (r"(?:required(?:_with(?:out)?(?:_all)?|_if|_unless)?|confirmed|string|min|max|between|size|different|"
              r"same|nullable|sometimes|bail|email|unique|exists|alpha(?:_num|_dash|_numeric)?|numeric|integer|regex|in|"
              r"not_in|current_password|password|trim|min_length|max_length|exact_length|matches|valid_email|is_unique|"
              r"differs|filled|present|ascii|uncompromised|mixed_case|letters|numbers|symbols)")
# (Their arguments: numbers, field and table names, lists of them — never a capital letter or a symbol.)
_RULE_ARGUMENTS = r"(?::[a-z0-9_.,]{1,80}|\[[a-z0-9_.,]{1,80}\])"
# Two rules or more, or one with its arguments (a bare `required` is a word, which the kinds test answers).
_VALIDATION_RULES = lazy(rf"{_RULE_NAME}{_RULE_ARGUMENTS}?(?:\|{_RULE_NAME}{_RULE_ARGUMENTS}?)+"
                               rf"|{_RULE_NAME}{_RULE_ARGUMENTS}")
# Beside a known rule, an application's own (firefly-iii's `secure_password`, `currentPassword`) or a bare length
# (`string|60`): a lower-case name, a camel-case one, or a number (_validation_rules).
_KNOWN_RULE = lazy(rf"{_RULE_NAME}{_RULE_ARGUMENTS}?")
_OWN_RULE = lazy(rf"(?:[a-z][a-z_]{{2,40}}|[a-z]+(?:[A-Z][a-z]+){{1,4}}|[0-9]{{1,4}}){_RULE_ARGUMENTS}?")


def _validation_rules(value: str) -> bool:
    """Whether `value` is a form field's validation rules (_VALIDATION_RULES), an application's own rules among them:
    `|`-separated, at least one a known rule, every other one a rule's shape."""
    if _VALIDATION_RULES.fullmatch(value):
        return True
    # (A rules string being built, its `|` at an end: `$rules = 'required|';` then `.=` the rest: akaunting, sec161.)
    if value.count("|") == 1 and value.strip("|") != value and _KNOWN_RULE.fullmatch(value.strip("|")):
        return True
    parts = value.split("|")
    if not 2 <= len(parts) <= 12:
        return False
    known = [_KNOWN_RULE.fullmatch(part) is not None for part in parts]
    return any(known) and all(k or _OWN_RULE.fullmatch(part) for k, part in zip(known, parts, strict=True))


# A PHP class's qualified name (`Illuminate\Support\Facades\Password`, `Auth\PasswordController`), its backslashes
# written once or escaped: segments that are names starting with a capital, no digit-only or lower-case segment.
_QUALIFIED_NAME = lazy(r"(?:\\{1,2})?(?:[A-Z][A-Za-z0-9_]*\\{1,2})+[A-Z][A-Za-z0-9_]*")
# A reStructuredText role right before a backtick (`:data:`, `:py:func:`): the word before it is prose, the role is no
# type annotation, and the backticks hold a name.
_RST_ROLE = lazy(r"[ \t(]:[A-Za-z][\w-]*(?::[A-Za-z][\w-]*)?:\Z")
# A function called with a key, or nothing, as the whole quoted value: a translation or settings lookup (a Vue
# binding's `:placeholder="$t('password')"`, `"__('Password')"`, `"i18n.t('login.password')"`: woodpecker, fix133s).
# The key is letters, `_`, `.`, `:` and `-` only: a call around a password (`t('<digits and symbols>')`) is text.
_LOOKUP_CALL = lazy(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\((?:(['\"])[A-Za-z_][A-Za-z_.:-]{0,80}\1)?\)")
# The rest of a sed substitution after a name's `=`: the pattern's wildcard, then the same name set to variables only
# (`s/POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$POSTGRES_PASSWORD/g`: redash's setup script, fix133s). A literal in the
# replacement is a password written into the file, and stays one; so does a "variable" of random letters and digits, the
# case changing inside (the reading of `$VAR` placeholders: _PLACEHOLDER_MARKERS).
# (The variable may be quoted, `\"$MYSQL_PASSWORD\"`: a rule's unquoted value then stops at the quote, so this is
# matched on the line from the value's start: huginn's setup script.)
_SED_SUBSTITUTION = lazy(r"(?:\.[*+]|\[\^[^\]]{1,8}\][*+])\$?(?P<d>[/|#@!])\^?[A-Za-z_][\w.-]{0,80}"
                               r"[ \t]*[=:][ \t]*(?P<q>\\?[\"'])?(?:\$\{?(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)\}?){1,3}"
                               r"(?(q)(?P=q))(?P=d)[gIi0-9]{0,3}")
# The other sed form, the default replaced (`s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=$db_password/g`: listmonk's
# install script writes a generated password over the one its Compose file ships, meas139): `s`, a delimiter and a name
# before the value (_SED_BEFORE); the old value, the delimiter, the same name set to variables only and the flags from
# the value's start (_SED_REPLACED). Only an old value that is a default's shape (_sed_default) — a random or a weak
# real password written into the script stays a finding, as does a literal in the replacement.
_SED_BEFORE = lazy(r"(?:\A|[\s\"';|(`])s(?P<d>[/|#@!,:])\^?(?P<name>[A-Za-z_][\w.-]{0,80})[ \t]*[=:][ \t]*\Z")
_SED_REPLACED = lazy(r"(?P<old>[^/|#@!,:\s\"'`]{1,64})(?P<d>[/|#@!,:])\^?(?P<name>[A-Za-z_][\w.-]{0,80})"
                           r"[ \t]*[=:][ \t]*(?P<q>\\?[\"'])?(?:\$\{?(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)\}?){1,3}"
                           r"(?(q)(?P=q))(?P<end>[/|#@!,:])[gIi0-9]{0,3}(?=[\s\"'`;|)]|\Z)")


def _sed_replaced(text: str, match_start: int, start: int) -> str:
    """The old value of a sed command replacing a name's value by variables (`s/NAME=<old>/NAME=$var/g`), read from
    the value's `start` ("" when the line holds no such command there). `match_start`: where the rule's match (the
    name) starts."""
    before = _SED_BEFORE.search(text, max(0, match_start - 90), start)
    if before is None:
        return ""
    found = _SED_REPLACED.match(text, start)
    if found is None or not found.group("d") == found.group("end") == before.group("d") or (
            found.group("name") != before.group("name")):
        return ""
    return found.group("old")


def _sed_default(old: str) -> bool:
    """Whether a value a sed command replaces is a default's shape: a dummy word or a template's (placeholder_reason),
    an example password (`root123`, `Password123`) or a name of lower-case words and a short counter (`listmonk`,
    the product's name) — not a random value or a weak password of a real login (`Welcome@123`: a mark in it)."""
    return bool(old) and bool(placeholder_reason(old) or _written_word(old)
                              or (old.isalnum() and example_password(old)))


_CONSONANT_RUN = lazy(r"[^aeiouy]{4}")


def _written_word(value: str) -> bool:
    """A lower-case word as words are written (a product's name, `listmonk`): letters only, a vowel in five or more,
    no four consonants in a row — not a generator's random run of letters (red139: a rotation script's current password
    read as a shipped default)."""
    return (value.isalpha() and value.isascii() and value.islower() and 3 <= len(value) <= 16
            and sum(c in "aeiouy" for c in value) * 5 >= len(value) and not _CONSONANT_RUN.search(value))


# A markup attribute's value holding the keyword (`type="password"`, `autocomplete="new-password"`), closed, then a
# bound attribute in Vue's (and Alpine's) shorthand, `:disabled="…"`: the rule reads `password" :disabled=` as a
# name typed `: disabled` and assigned, and the bound JavaScript expression as the value (listmonk's bounces.vue,
# meas139). _ATTRIBUTE_OPEN is what precedes the keyword, _BOUND_ATTRIBUTE what follows it up to the value.
_ATTRIBUTE_OPEN = lazy(r"[\s<`(][A-Za-z_:@][\w:.-]*[ \t]*=[ \t]*(?P<q>[\"'])[\w .-]{0,40}\Z")
_BOUND_ATTRIBUTE = lazy(r"[\w.-]*(?P<q>[\"'])[ \t]+:[A-Za-z][\w.-]{0,40}[ \t]*=[ \t]*[\"']")


# A Go template's variable declared from a field chain (Helm's `{{- $password := .Values.registry.auth.password }}`,
# trigger.dev's charts: 4 blocking findings, meas149): in a template action an unquoted `.a.b` is a lookup, and a
# literal is quoted. Read only where the action opens right before the `$name :=` (_TEMPLATE_VARIABLE), the value is two
# or more fields of identifier characters (or `$`-rooted), and the action closes after it, through a pipeline at most
# (_TEMPLATE_ACTION_END): a password pasted unquoted there with a `!` or `-` in it is no field chain and still blocks,
# and so does any quoted literal.
_TEMPLATE_FIELDS = lazy(r"(?:\$|\$?(?:\.[A-Za-z_][A-Za-z0-9_]{0,60}){1})(?:\.[A-Za-z_][A-Za-z0-9_]{0,60}){1,12}")
_TEMPLATE_VARIABLE = lazy(r"\{\{-?[ \t]*\$[A-Za-z_]?[A-Za-z0-9_]{0,40}\Z")
_TEMPLATE_ACTION_END = lazy(r"[ \t]*(?:\|[^{}\n]{0,200})?-?\}\}")
# A literal in that pipeline (`| default "…"`): the value used wherever the field is unset, a hard-coded password unless
# it is a dummy word (`| default "password"`); any other literal there (`| printf "%s…"`) keeps the line blocking.
_TEMPLATE_LITERAL = lazy(r'"((?:[^"\\\n]|\\.)*)"|`([^`\n]*)`')
# The words after an unquoted word value, to the line's end: `- password: Langfuse Secret Key` in an OpenAPI document's
# description (langfuse's generated API specs: 6 blocking findings, meas149) — a label whose last word names a secret,
# not a password. Letters only, two to five words more, the last one of _SECRET_NOUNS, and not in what deploys an
# environment (a `.env` reads `PASSWORD=Two Words Key` whole, and it is that environment's): a value with a digit or a
# mark (a generated run before the label), two words (a word and `Key`) and a word followed by anything else (a
# comment) still block.
_LABEL_WORDS = lazy(r"(?:[ \t]+[A-Za-z]{1,20}){1,4}[ \t]+(?P<last>[A-Za-z]{3,12})[ \t]*\.?\Z")
_SECRET_NOUNS = frozenset(("key", "secret", "token", "password", "passphrase", "credential", "credentials"))
# (red149) Every word of the label, the value too, in a word's shape — capitalised or lower case, or a short acronym
# (`Langfuse Secret Key`, `Acme Personal Access Token`, `API`): a generated password of letters alone has capitals
# inside it (`password: aAdyFibpBVhMah Secret Key` passed, and a YAML plain scalar reads all of it as the password).
_LABEL_WORD = lazy(r"[A-Z]?[a-z]{1,20}|[A-Z]{2,5}")

# A shell's `${NAME:?message}` right before the value: the script stops with the message when NAME is unset, so the
# "value" is that message (apollo's smoke test); `${NAME:-default}` is a default, and is read as a value.
_EXPANSION_CHECK = lazy(r"\$\{[A-Za-z_]\w{0,80}:\Z")
# A type, as a doc comment's array shape or a signature gives a key one (`array{password: ?string}`, `string|null`:
# BookStack's UserRepo): type names only, `?`-nullable, `|`-joined.
_TYPE = (r"\??(?:string|int|integer|bool|boolean|float|double|array|mixed|null|object|callable|iterable|number|str"
         r"|bytes)")
_TYPE_ANNOTATION = lazy(rf"{_TYPE}(?:\[\])?(?:\|{_TYPE}(?:\[\])?){{0,4}}")
# A chat template's special token (`<|im_start|>`, `<|endoftext|>`), not a credential (red108).
_SPECIAL_TOKEN = lazy(r"<\|[\w .:/-]{1,60}\|>")
# The rules whose value is a key or a token, never a password a person chooses: only there is _WORD_COUNTER a name.
_NAMED_KEY_RULES = frozenset({"generic-secret", "api-key-header", "bearer-token", "xml-secret", "plist-secret",
                              "yaml-env-secret", "yaml-block-secret", "generic-secret-argument"})
# A made-up name for a key or token: lower-case words and a short counter (`weather-123`, `demo-access-token-123`,
# `chatkit_token_123`; red108): a counter of up to three digits (`<words>-<a year>`, is a secret someone
# chose: red111). Never for a password rule: a word and a year is a password people choose.
_WORD_COUNTER = lazy(r"[a-z]+(?:[-_][a-z]+)*[-_][0-9]{1,3}")
# A password's hash, not the password: modular crypt (`$6$…`, `$y$…`, `$2b$…`, `$argon2id$…`), PostgreSQL's `md5` +
# 32 hex and SCRAM (what Ansible's user and postgresql_user modules take instead of a plaintext; red108).
_PASSWORD_HASH = lazy(r"\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt)\$"
                            r"[./A-Za-z0-9$=,+-]{8,}|md5[0-9a-f]{32}|SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$"
                            r"[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+"
                            # Jupyter's notebook password hash, passwd()'s output (ipython's docs: red129).
                            r"|(?:sha1|sha256|sha512):[0-9a-f]{12}:[0-9a-f]{40,128}"
                            # Django's user table (`pbkdf2_sha256$<iterations>$<salt>$<hash>`, argon2, bcrypt, scrypt)
                            # and Werkzeug's generate_password_hash (paperless-ngx's recorded API responses: fix133s).
                            r"|pbkdf2_sha(?:1|256|512)\$[0-9]{3,8}\$[A-Za-z0-9./+]{4,64}\$[A-Za-z0-9+/]{20,88}={0,2}"
                            r"|argon2\$argon2(?:id|i|d)\$v=[0-9]{1,3}\$m=[0-9]{1,8},t=[0-9]{1,3},p=[0-9]{1,3}"
                            r"\$[A-Za-z0-9+/]{8,64}={0,2}\$[A-Za-z0-9+/]{16,128}={0,2}"
                            r"|bcrypt(?:_sha256)?\$\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}"
                            r"|scrypt\$[0-9]{1,8}\$[A-Za-z0-9./+]{4,64}\$[0-9]{1,3}\$[0-9]{1,3}\$[A-Za-z0-9+/]{20,128}={0,2}"
                            r"|(?:pbkdf2:sha(?:1|256|512)(?::[0-9]{1,8})?|scrypt:[0-9]{1,8}:[0-9]{1,3}:[0-9]{1,3})"
                            r"\$[A-Za-z0-9]{4,64}\$[0-9a-f]{40,128}"
                            # Django's older hashers: salted MD5 and SHA-1 (`md5$<salt>$<hex>`: wagtail's test user
                            # fixtures), and the unsalted ones.
                            r"|(?:md5|sha1)\$[A-Za-z0-9]{0,64}\$[0-9a-f]{32,40}|unsalted_(?:md5|sha1)\$\$[0-9a-f]{32,40}")
# ASP.NET Core Identity's PasswordHasher output, base64 (bitwarden's seeded users, sec161): a format marker, then for
# version 3 the PRF (0-2), the iteration count, the salt's length and the salt, then the derived key; version 2 a
# 16-byte salt and a 32-byte key. Read by its structure, not its shape (_identity_hash).
_IDENTITY_HASH = lazy(r"A[A-Za-z0-9+/]{64,170}={0,2}")


def _identity_hash(value: str) -> bool:
    """Whether `value` is an ASP.NET Core Identity password hash (v2 or v3 as PasswordHasher writes it)."""
    if _IDENTITY_HASH.fullmatch(value) is None or len(value) % 4:
        return False
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        return False
    if raw[0] == 0:
        return len(raw) == 49
    if raw[0] != 1 or len(raw) < 13:
        return False
    prf, iterations, salt = (int.from_bytes(raw[i:i + 4], "big") for i in (1, 5, 9))
    return prf <= 2 and 1000 <= iterations <= 10_000_000 and 16 <= salt <= 64 and len(raw) - 13 - salt in (32, 64)


# A YAML tag before a block scalar's indicator (`db_password: !vault |`) reads so in any file: the docs that show it
# are .rst and .md (red108).
_BLOCK_AFTER_TAG = lazy(r"[ \t]+[|>][-+0-9]*(?:[ \t]*\Z|[`'\")\]])")
# Quoted, a camelCase, PascalCase or Train-Case word is a field, enum or header name
# ("allowCredentials", "Access-Control-Allow-Credentials").
# (Not one led by an acronym: "OSMagics" is a class, "ADMINpassword" a password — red132.)
_CAMEL_WORD = lazy(r"_?[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}|[A-Z][a-z]+(?:-[A-Z][a-z]+)+")
_QUOTES = "\"'`"
_URL_REST = lazy(r"[^\s\"'`<>]{0,2048}")
_HOST_PARAMETER = lazy(r"[?&](?:host|hostaddr|server|address)=", re.IGNORECASE)
# In a Compose file, a database service's name: an image's (`db`, `postgres`) or one ending in it after a separator
# (`app-db`, `hoppscotch-db`); not any one word, which a network's DNS may resolve to a host elsewhere (red132:
# `proddb`).
_DATABASE_NAMES = (r"(?:postgres(?:ql)?|mysql|mariadb|redis|mongo(?:db)?|rabbitmq|clickhouse|mssql|sqlserver|"
                   r"cockroachdb|db|database)")
_HOST_END = r"(?=[:/?#;)\s\"'`]|\Z)"
_COMPOSE_DATABASE_HOST = lazy(rf"(?:[A-Za-z0-9]+[-_])*(?:{_DATABASE_NAMES}|cache){_HOST_END}", re.IGNORECASE)
# In a CI definition, a database image's own name (a workflow's service container `postgres`).
_DATABASE_IMAGE_HOST = lazy(rf"{_DATABASE_NAMES}{_HOST_END}", re.IGNORECASE)
_LOWER_WORDS = lazy(r"[a-z_-]+[0-9]{0,4}")
# The rules that read a password out of a URL (`scheme://user:password@host`).
_URL_RULES = frozenset({"database-url-password", "url-credentials"})
# A command line whose program is a CLI framework's help template — cobra's `{{ .CommandPath }}` / `{{.Root.Name}}`,
# argparse's `%(prog)s`, or a cobra command's `Example:` field naming its program with `%s` (`fmt.Sprintf(`%s revoke
# token …`, parent.Use)`) — up to the flag with nothing between that ends a command: the command's own usage example,
# in its code and in the help output its tests record (ory/hydra's `token revoke` example with a made-up client secret,
# nine blocking findings, meas141). Not any template (`{{ .Values.bin }} --password …` is a Helm chart's real command).
# The template is the program: it starts the string, the line or a line of recorded output, after at most a label
# (`example: `, `Usage examples: `) and a prompt (`$ `), and no quote, escaped or not, stands between it and the flag
# (nor right before it: `--label=\"{{ .CommandPath }}\"` in a command string is an argument). Not a template passed to a
# real program as an argument (red145: `./bin/deploy --label "{{ .CommandPath }}" --password …` in a Makefile,
# `run: ./deploy --title %(prog)s --api-key …` in a workflow, `command: server --name {{.Root.Name}} --password=…` in a
# Compose file were all recorded, not blocking), nor a string that ends before the command starts
# (`log("Examples:\n"), run("deploy --password …")`). And only in the files that hold such examples (_USAGE_FILES).
_USAGE_TEMPLATE = lazy(r"(?:(?:\A|(?<=[`\"'])(?<!\\[\"'])|(?<=\\n))[ \t]*(?:[A-Za-z][A-Za-z ]{0,30}:[ \t]+)?"
                             r"(?:\$[ \t]+)?(?:\{\{-?[ \t]*\.(?:CommandPath|Root\.Name)[ \t]*-?\}\}|%\(prog\)s)"
                             r"|\bExample:[ \t]*(?:fmt\.Sprintf\([ \t]*)?[`\"]%s"
                             # (and its help output as a test recorded it in JSON: `"…Examples:\n revoke token …"`)
                             r"|(?:\\n|\b)Examples:\\n)(?:[^\n;&|`\"'\\]|\\[^\"']){0,300}\Z")
# Where a CLI's usage examples are written: its Go or Python source (cobra, argparse), a documentation page (cobra's
# generated docs print `{{ .CommandPath }}` at a line's start: hydra's `docs/`), and help output a test recorded
# (`.snapshots/`, `__snapshots__/`, `testdata/`, `*.golden`, `*.snap`). Not what runs commands — a Makefile, a CI
# definition, a Compose file, a Dockerfile, a Procfile, a playbook or any configuration (red145).
_USAGE_FILES = lazy(r"\.(?:go|py)\Z|(?:\A|/)(?:\.snapshots|__snapshots__|testdata)/"
                          r"|\.(?:golden|snap)\Z")
# The host after a URL's password, as documentation examples name one: the machine itself, a database's or a
# service's generic name (`db`, `postgres`, `host`), a placeholder (`<host>`, `[host]`, `${DB_HOST}`), or a name
# reserved for examples and tests (RFC 2606 and 6761: `example.com`, `.example`, `.test`, `.invalid`, `.localhost`).
# Not any one word (`pgprod01`), `.local` or an IPv6 literal: real hosts (red136).
_EXAMPLE_HOST = lazy(
    # (Go's MySQL driver writes the host in its protocol: `user:pw@tcp(host:port)/db`.)
    rf"(?:(?:tcp|unix)\()?(?:localhost|127(?:\.[0-9]{{1,3}}){{3}}|\[::1\]|0\.0\.0\.0|db|database|host|hostname|server|{_DATABASE_NAMES}"
    r"|<[A-Za-z_ .-]{1,40}>|\[[A-Za-z_ .-]{1,40}\]|\{\{?[A-Za-z_ .-]{1,40}\}?\}|\$\{?[A-Za-z_]\w{0,40}\}?"
    r"|(?:[A-Za-z0-9-]{1,63}\.)*(?:example\.(?:com|org|net)|[A-Za-z0-9-]{1,63}\.(?:example|test|invalid|localhost)))"
    r"(?=[:/?#;)\s\"'`]|\Z)", re.IGNORECASE)
# A host a command or URL connects to, by its name (`root@app01.acme-corp.com:`, `-h db01.acme-corp.com`,
# `--host=…`, `host: …`, `scheme://…`): in a CI definition such a line is a deploy step's, not a service container's
# test login (red138: `sshpass -p '<weak>'` to a production host read as an example password).
_NAMED_HOST = lazy(r"(?:@|(?<![\w-])-h ?|--host[= ]|(?i:host(?:name)?)[\"']?[=:] ?|://)"
                         r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
                         r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|\[[0-9A-Fa-f:]+\])(?![\w.-])")
# A host named by one word after a host option or variable (`-h bastion`, `PGHOST=primary`; not after `@`, where a
# package's version or a scope stands as often): a machine on a private network, but for a CI service's name.
_WORD_HOST = lazy(r"(?:(?<![\w-])-h ?|--host[= ]|(?i:host(?:name)?)[\"']?[=:] ?)"
                        r"([A-Za-z][A-Za-z0-9-]{1,62})(?![\w.-])"
                        # ... or as ssh and scp name one: `deploy@prodweb01:/opt`, `ssh ops@bastion` (not a digest's
                        # `@sha256:`)
                        r"|(?<=[\w.-])@(?!sha[0-9])([A-Za-z][A-Za-z0-9-]{1,62})(?=:)"
                        r"|\b(?:ssh|scp|sftp|rsync)\b[^@\n]{0,60}?[\w.-]@([A-Za-z][A-Za-z0-9-]{1,62})(?![\w.-])")
_SERVICE_NAMES = lazy(rf"(?:{_DATABASE_NAMES}|cache|mongo|elasticsearch|opensearch|memcached?|minio|kafka"
                            r"|zookeeper|rabbit|nats|keycloak|ldap|openldap|smtp|mail|mailhog|mailpit|localstack|app"
                            r"|api|web|backend|frontend|service|svc)(?:[-_]?[0-9]{1,2})?", re.IGNORECASE)


# The unspecified address and IPv6's loopback, as a line names them (`0.0.0.0`, `[::]`, `[::1]`).
_ANY_ADDRESS = lazy(r"0\.0\.0\.0|\[::1?\]")


# A request's header rules: the token goes to the request's host, which an example command names on its line or on the
# lines of the same command (`http GET http://localhost:8000/api/entries.json \` above `"Authorization:Bearer …"`).
_REQUEST_HEADER_RULES = frozenset({f"{NAMESPACE}/bearer-token", f"{NAMESPACE}/api-key-header",
                                   f"{NAMESPACE}/basic-auth-header"})
# A shell's, cmd's or PowerShell's line continuation. PowerShell's backtick after a space, as it is written: a line that
# ends in Markdown's inline code or a code fence (`` `http://localhost:3000` ``, ```` ``` ````) continues nothing
# (red142: such a line joined a prose page's real token to the localhost URL above it).
_CONTINUED = lazy(r"(?:\\|\^|(?<=[ \t])`)[ \t]*\r?\Z")
_REQUEST_URL = lazy(r"(?<![\w.+-])(?:https?|wss?)://(?:[^\s/@\"'`]{0,200}@)?")
_COMMAND_LINES = 12  # the most lines of one continued command read either way
_REQUEST_URLS = 64  # the most URLs of one command read (each is looked behind for a parameter's name)
_URL_HOST = lazy(r"[^\s/?#\"'`:]{1,300}")  # (up to its port: `https://api.acme-corp.com:${PORT}` names the host)
# A label of the host to fill in (`https://<your-project-slug>.projects.oryapis.com`, `https://${API_HOST}/v1`): a whole
# label, not a suffix glued to a real name (`https://api.acme-corp.com${X}` is api.acme-corp.com: red142).
_HOST_PLACEHOLDER = lazy(r"(?:\A|(?<=[.-]))(?:<[A-Za-z_ .-]{1,40}>|\{\{?[A-Za-z_ .-]{1,40}\}?\}"
                               r"|\$\{[A-Za-z_]\w{0,40}\})(?=[.-]|\Z)")
# What stands before a URL given as a parameter's value, not as the request's target: `url="http://…"` (HTTPie's data
# field), `"callback": "http://…"`, `?next=http://…`, `-H "Referer: http://…"` — a name that is no option (`--proxy=`,
# `--url=` name where the request goes).
_PARAMETER_BEFORE = lazy(r"(?<![\w-])(?!-)[\w.\[\]\"'-]{1,60}[ \t]*(?::=|==|=|:)[ \t]*[\"']?\Z")
# curl's options that send a request elsewhere than its URL names: an address for the name (`--resolve`,
# `--connect-to`), a proxy (`-x`, `--proxy`, `--preproxy`, `--socks5`, or `HTTPS_PROXY=` before the command: its host
# in group 1); a `Host:` header (group 2).
_REQUEST_ROUTED = lazy(r"(?<!\S)--(?:resolve|connect-to)(?![\w-])"
                             r"|(?:(?<!\S)(?:-x|--proxy|--preproxy|--socks[45]h?)(?:=|[ \t]+)"
                             r"|(?<![\w-])(?i:https?_proxy|all_proxy)=)[\"']?(?:[a-z0-9]+://)?"
                             r"(?:[^\s/@\"']{0,200}@)?([^\s/\"']{1,300})"
                             r"|(?<![\w-])(?i:host):[ \t]*([A-Za-z0-9][\w.-]{0,252}(?::[0-9]{1,5})?)(?![\w.-])")


def _request_command(numbers: Sequence[int], texts: Sequence[str], index: int) -> tuple[str, str | None]:
    """The command a header's line is part of: the line, and the lines joined to it by continuations, as far as the
    scanned lines go (at most _COMMAND_LINES either way); and, in code, when the line is a command of its own, the
    lines of the call whose arguments it stands in (`requests.get(` on a line of its own, the URL on the next, the
    headers below: red142), or None."""
    first = index
    while (first > index - _COMMAND_LINES and first > 0 and numbers[first - 1] == numbers[first] - 1
           and _CONTINUED.search(texts[first - 1])):
        first -= 1
    last = index
    while (last < index + _COMMAND_LINES and last + 1 < len(texts) and numbers[last + 1] == numbers[last] + 1
           and _CONTINUED.search(texts[last])):
        last += 1
    command = "\n".join(texts[first : last + 1])
    if first == index == last and (call := _open_call(numbers, texts, index)) is not None:
        return command, "\n".join(texts[call[0] : call[1] + 1])
    return command, None


def _header_destination(numbers: Sequence[int], texts: Sequence[str], index: int) -> tuple[bool, bool]:
    """Where the request of a header on line `index` goes, as _request_destination answers: (to an example's host,
    names a host on a network). The lines of the call it stands in (_open_call) can only say it names a host on a
    network, never that it goes to an example's: what those lines are is read by counting brackets, and a bracket
    left open in prose (`The API (it's at http://localhost:8000) won't…`, its apostrophes read as a string), in a
    comment, a triple-quoted string or a template literal — or a localhost URL in a comment or a data argument of
    the call — would otherwise make a real token's request, to a host named by a variable, a documentation page's
    example (red148: a warning, not a block)."""
    command, call = _request_command(numbers, texts, index)
    example, remote = _request_destination(command)
    if call is not None and _request_destination(call)[1]:
        return False, True
    return example, remote


_CALL_LINE = 2_000  # the longest line a call's lines are read through (_open_call)
_QUOTED = lazy(r'"(?:[^"\\\n]|\\.)*+"|\'(?:[^\'\\\n]|\\.)*+\'|`[^`\n]*+`')
# What is not a bracket: taken out (in C) before a call's lines are walked in Python, character by character (red148: a
# line of 2,000 letters above each of a thousand headers cost 1.4 s a file).
_NOT_BRACKET = lazy(r"[^()\[\]{}]++")


def _open_call(numbers: Sequence[int], texts: Sequence[str], index: int) -> tuple[int, int] | None:
    """The lines (first, last) of the call whose argument list a line stands in, when it opened on an added line above
    (at most _COMMAND_LINES) and is read to where it closes (as far again): a `(` above left open — through any
    bracket or brace opened inside it (a `headers={` literal) — and the `)` closing it below. Brackets in strings are
    not counted. None when the line stands in no open call (a statement of its own, a dict or list literal alone)."""
    depth = 0
    for first in range(index - 1, max(-1, index - 1 - _COMMAND_LINES), -1):
        if numbers[first] != numbers[first + 1] - 1 or len(texts[first]) > _CALL_LINE:
            return None  # (a minified line is no call's argument list read character by character)
        code = _NOT_BRACKET.sub("", _QUOTED.sub("", texts[first]))
        for at in range(len(code) - 1, -1, -1):
            if code[at] in ")]}":
                depth += 1
            elif code[at] in "([{":
                if depth:
                    depth -= 1
                elif code[at] == "(":
                    return first, _call_end(numbers, texts, index, [code[at + 1 :], *texts[first + 1 : index]])
    return None


def _call_end(numbers: Sequence[int], texts: Sequence[str], index: int, above: Sequence[str]) -> int:
    """The line, from `index` on, whose `)` closes a call opened above it (`above`: the call's lines up to that line,
    from the `(` on), or the last line read (_COMMAND_LINES at most, added lines only)."""
    opened = 0
    for ch in _NOT_BRACKET.sub("", _QUOTED.sub("", "\n".join(above))):
        opened += 1 if ch in "([{" else -1
    last = index
    while len(texts[last]) <= _CALL_LINE:
        for ch in _NOT_BRACKET.sub("", _QUOTED.sub("", texts[last])):
            opened += 1 if ch in "([{" else -1
            if opened < 0:
                return last
        if last >= index + _COMMAND_LINES or last + 1 >= len(texts) or numbers[last + 1] != numbers[last] + 1:
            return last
        last += 1
    return last


def _request_destination(command: str) -> tuple[bool, bool]:
    """Where a request command sends its headers, as (to an example's host, names a host on a network). To an example's
    host when it names a target (a URL not given as a parameter's value: _PARAMETER_BEFORE) and every target is the
    machine itself, a name reserved for examples (_EXAMPLE_HOST) or a host with a name to fill in, and nothing routes
    the request elsewhere (_REQUEST_ROUTED). It names a host on a network when any of its URLs — a parameter's too
    (`requests.get(url="https://…")`) — or a route is one: in test code, a literal sent there is that host's.

    Every target, not the first: curl sends the headers to each URL it is given, and a URL before the target may be
    a proxy's or a referrer's (`-x http://localhost:3128`, `-e http://localhost/`), or another command's joined by a
    continuation (`curl http://localhost/health && \\` above the real request): red142. A parameter's URL after
    the target is no target (wallabag's `url="http://www.numerama.com/…"`, meas140)."""
    targets = 0
    to_remote = named_remote = False
    for count, url in enumerate(_REQUEST_URL.finditer(command)):
        if count == _REQUEST_URLS:
            return False, True  # (no request names so many: not read further, and not an example's)
        host = _URL_HOST.match(command, url.end())
        # (A host with a name to fill in, `https://<your-project-slug>.projects.oryapis.com`, is a template's: ory.)
        remote = not (_EXAMPLE_HOST.match(command, url.end()) is not None
                      or (host is not None and _HOST_PLACEHOLDER.search(host.group()) is not None))
        # (In code a label to fill in is a variable's value, and the domain after it is a real one: test code's
        # `f"https://{tenant}.acme-corp.com"` names acme-corp.com's hosts, as a documentation page's template does not
        # — red144.)
        named_remote = named_remote or (not remote and host is not None and _filled_in_domain(host.group()))
        if _PARAMETER_BEFORE.search(command[max(0, url.start() - 80) : url.start()]):
            named_remote = named_remote or remote
        else:
            targets += 1
            to_remote = to_remote or remote
    for route in _REQUEST_ROUTED.finditer(command):
        via: str | None = route.group(1) or route.group(2)
        if via is None or (_EXAMPLE_HOST.match(via) is None and ("." in via or ":" in via)):
            to_remote = True  # (`-x POST` is HTTPie's compression flag and a method: no host)
    return targets > 0 and not to_remote, to_remote or named_remote


# What is left of a host with its labels to fill in taken out: a domain name (`acme-corp.com`), not a name reserved for
# examples (`{tenant}.example.com`).
_DOMAIN_LEFT = lazy(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
# The dots and hyphens a label taken out leaves behind (`.acme-corp.com`, `api-.acme-corp.com`).
_LEFT_BEHIND = lazy(r"\A[.-]+|(?<=\.)[.-]+|-+(?=\.)")


def _filled_in_domain(host: str) -> bool:
    """Whether a host with labels to fill in (_HOST_PLACEHOLDER) is one of a real domain's: `{tenant}.acme-corp.com`,
    `api-${ENV}.acme-corp.com`, `<region>.api.acme-corp.com` (not `${API_HOST}`, `<host>`, `{x}.example.com`)."""
    left = _HOST_PLACEHOLDER.sub("", host)
    left = _LEFT_BEHIND.sub("", left)
    return bool(_DOMAIN_LEFT.fullmatch(left)) and _EXAMPLE_HOST.fullmatch(left) is None


def _remote_host_named(text: str) -> bool:
    """Whether a line names a host on a network — by a domain name, an address, or one word after a host option — that
    is not an example's, the machine's own, or a CI service container's."""
    for m in _NAMED_HOST.finditer(text):
        host = m.group(1)
        if not (_EXAMPLE_HOST.fullmatch(host) or host.lower().endswith(".local") or host.startswith("127.")
                or _ANY_ADDRESS.fullmatch(host)):
            return True
    return any(not (_EXAMPLE_HOST.fullmatch(host) or _SERVICE_NAMES.fullmatch(host))
               for m in _WORD_HOST.finditer(text) for host in m.groups() if host)


# The machine itself as a URL's host, up to where the host ends (`localhost.evil.example` is someone else's).
_LOCAL_HOST = lazy(rf"(?:localhost|127(?:\.[0-9]{{1,3}}){{3}}|\[::1\]|0\.0\.0\.0){_HOST_END}", re.IGNORECASE)
# A dependency's version range: the package @inquirer/password at ^4.0.21 in a package-lock.json (cline/cline) is a
# package named ...password, not a password.
_VERSION = (r"(?:(?:[\^~]|[<>!~=]=?|==)v?\d{1,6}(?:\.(?:\d{1,9}|[x*])){0,3}|v?\d{1,6}(?:\.(?:\d{1,9}|[x*])){1,3})"
            r"(?:-[0-9A-Za-z.-]{1,40})?"
            r"(?:\+[0-9A-Za-z.-]{1,40})?")
# ... or a compound one, joined by commas, spaces, `||` or Composer's `|` (`>=2.14.1,<3.0.0` in a poetry.lock, red113;
# `<2.0.5|>=3,<3.0.3` in roave/security-advisories' conflicts, where a package may be named `…_pwd`: meas140). A bare
# major only after an operator (`>=3`).
_VERSION_SPEC = lazy(rf"{_VERSION}(?:(?:,[ \t]*|[ \t]+|[ \t]*\|\|?[ \t]*){_VERSION}){{0,8}}")
_ASCII_KINDS = tuple(re.compile(p) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9\-_./]"))
_SEPARATORS = frozenset("-_./")


class Regex(Protocol):
    """What the detector needs of a compiled pattern: `re.Pattern` and google-re2's `_Regexp` both fit."""

    @property
    def pattern(self) -> str: ...

    def finditer(self, text: str, pos: int = ..., endpos: int = ...) -> Iterator[Any]: ...

    def search(self, text: str, pos: int = ..., endpos: int = ...) -> Any: ...


@dataclass(frozen=True, slots=True)
class SecretRule:
    id: str  # without the namespace: "aws-access-key"
    description: str
    severity: Severity
    regex: Regex  # has a group `secret` (or `group` names the one that holds the value)
    keywords: tuple[str, ...] = ()  # lowercase; one must occur in the line before the regex is tried
    entropy_min: float | None = None
    allow: tuple[Regex, ...] = ()
    generic: bool = False  # keyword-context rule: loses to provider rules, stricter value checks
    multiline: bool = False  # the match is a header; the key material follows it
    # The name is on a line, the value on the next one (a YAML env list's `- name:` / `value:`, a block scalar, a
    # plist's `<key>` / `<string>`): the regex reads the line, a newline and the next added line, and the value
    # must lie on a later one, where it is reported. The number of following lines read: 1 (`next_line: true`), or
    # 2 where a format puts one line between name and value (App Service settings' `"slotSetting"`: red113).
    next_line: int = 0
    test_values: bool = False  # reads the values tests assert on: suppressed in test source files (secrets.tests)
    check: str | None = None  # a structure/checksum test from CHECKS
    source: str = ""  # where the token format is documented
    group: str | int = "secret"
    paths: Regex | None = None  # only files whose path matches (gitleaks `path`)
    stopwords: tuple[str, ...] = ()  # lowercase; a value containing one is not reported
    prefilter: str | None = None  # instead of keywords: a regex whose match makes the line a candidate


@dataclass(frozen=True, slots=True)
class SecretHit:
    rule_id: str  # namespaced: "secrets/aws-access-key"
    description: str
    severity: Severity
    line: int
    column: int  # 1-based, where the secret value starts
    redacted: str  # "AKIA…[sha256:1a2b3c4d]": at most 4 characters and a quarter of the value
    digest: str  # sha256 hex of the value: the content-based fingerprint material
    verified: bool = False  # a checksum or structure test passed: certainly machine-made, not a typo
    suppressed: str = ""  # why this match is not reported (placeholder, example): recorded, not dropped
    value: str = field(default="", repr=False, compare=False)  # only for live validation; never printed
    test_value: bool = False  # found by a rule whose matches in test source files are the values tests assert on
    # A provider's key format (AWS, GitHub, Stripe…: the format names its issuer), not a value read by its context (a
    # keyword rule's, a private key block, a URL's password): a leak wherever it is written (secrets.vendored).
    provider: bool = False
    key_block: bool = False  # a private key's block (a multi-line rule's header and material)
    # A URL's password whose host is the machine itself, one word, or a name reserved for examples (`example.net`,
    # `.test`, `.invalid`): what a documentation page's example connects to (SecretsScanner's documentation context).
    example_host: bool = False
    # A request header whose command sends it to a host on a network, not an example's (_request_destination): in test
    # code too, a credential for that host (red142), as a URL's password for such a host is.
    remote_host: bool = False


# --- structure and checksum tests ------------------------------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, rest = divmod(number, 62)
        digits.append(_B62[rest])
    return "".join(reversed(digits)).rjust(width, "0")


def _crc32_base62(value: str) -> bool | None:
    """GitHub (ghp_/gho_/ghu_/ghs_/ghr_) and npm (npm_) tokens end in 6 base62 characters: the CRC32
    of the 30 random characters before them (github.blog 2021-04-05 "Behind GitHub's new authentication
    token formats"; github.blog 2021-09-23 "npm's new access token format"). True when it verifies;
    None (unknown) otherwise: a fixture with a random body is still reported, only not marked verified."""
    body = value.split("_", 1)[-1]
    if len(body) != 36:
        return None
    return _base62(zlib.crc32(body[:30].encode("ascii", "replace")), 6) == body[30:] or None


def _b64json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _jwt(value: str) -> bool | None:
    """RFC 7519: header and payload are base64url JSON objects and the header names an `alg`.
    An unsigned token (`alg: none`) carries no secret material of its own."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    header, payload = _b64json(parts[0]), _b64json(parts[1])
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    alg = header.get("alg")
    return isinstance(alg, str) and alg.lower() != "none"


def _basic_password(value: str) -> str:
    """The password of a Basic authorization value ("" when it does not decode): read for an example password where
    examples are written (harbor's API guide: `admin` and the product's default login), never in a real environment's
    file (red136)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def _basic_auth(value: str) -> bool | None:
    """RFC 7617: base64 of `user:password` with a password that is not a placeholder."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    _user, sep, password = decoded.partition(":")
    return bool(sep) and len(password) >= 4 and decoded.isprintable() and not is_placeholder(password)


def _slack(value: str) -> bool | None:
    """Slack tokens: `xox?-` then dash-separated parts, the leading ones numeric team/user ids
    (api.slack.com/authentication/token-types). A token whose id parts are not digits is prose."""
    parts = value.split("-")
    if len(parts) < 3:
        return False
    return None if all(p.isdigit() for p in parts[1:-1][:2]) else False


def _stripe(value: str) -> bool | None:
    """Stripe keys: `sk_|rk_|pk_` + `live_|test_` + base62 (docs.stripe.com/keys); a body that is one
    word of letters only is a name (`sk_live_placeholder`), not a key."""
    body = value.split("_", 2)[-1]
    return False if body.isalpha() and body.islower() else None


CHECKS: dict[str, Callable[[str], bool | None]] = {
    "github-crc32": _crc32_base62,
    "npm-crc32": _crc32_base62,
    "jwt": _jwt,
    "basic-auth": _basic_auth,
    "slack": _slack,
    "stripe": _stripe,
}


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s character distribution."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """True when `value` is a documented example, a template, a reference or a dummy word. (Not an example password:
    that reading needs the file's context, red136.)"""
    return bool(placeholder_reason(value))


def example_password(value: str) -> str:
    """Why `value` is an example password ("" when it is not): dummy words (`Password123`, `test123TEST`), a word and a
    counting run (`Harbor12345`, `root123`) or a keyboard walk (`1q2w3e4r`). What docs, tests, seeds and a product's
    default login are written with; in a real environment's file (SourceKind.deployed) the same value is a weak
    password in use, and the detector does not ask."""
    bare = value.strip(_QUOTES)
    if _dummy_composition(bare):
        return "example password (dummy words)"
    if _counted(bare):
        return "example password (a word and a counting run, or a keyboard walk)"
    return ""


# Leetspeak's digits and symbols for letters, and the words a dummy credential is spelt from: a value that reads as
# one of them, its letters doubled or not (`pa55word`, `P@ssw0rd`, `pasword`, `s3cr3t`, `4dm1n`), is the word itself
# (woodpecker's README, redash's datasource docs: fix133s) — the first thing a dictionary attack tries, no secret.
# (And `8` for an `s`: halo's documented default, `P@88w0rd`, in its docs and a commit message, 3 — sec160.)
_LEET = str.maketrans("0134578@$", "oieastsas")
_DUMMY_SPELLINGS = frozenset({"pasword", "paswd", "pasphrase", "secret", "admin", "changeme"})
_SPELLABLE = lazy(r"[A-Za-z0134578@$]{5,12}|[A-Za-z]{2,8}[@_.-][A-Za-z]{2,8}"
                        r"|[A-Za-z0134578@$]{1,8}#[A-Za-z0134578@$]{1,8}")
_WORD_SPLITS = lazy(r"[@_.-]")
_LEET_SPLITS = lazy(r"[_.#-]")
_DOUBLED = lazy(r"(.)\1+")


def _respelled_word(value: str) -> bool:
    """Whether `value` is one of _DUMMY_SPELLINGS, in leetspeak, with a doubled letter written once, or split by a
    symbol (`pass@word`: huginn's docker README; `p@ss#word`: documenso's docs, `@` a letter there, `#` a split)."""
    if not _SPELLABLE.fullmatch(value):
        return False
    return any(_DOUBLED.sub(r"\1", spelt.translate(_LEET).lower()) in _DUMMY_SPELLINGS
               for spelt in (value, _WORD_SPLITS.sub("", value), _LEET_SPLITS.sub("", value.translate(_LEET))))


# Words an example password is made of, each alone a dummy (`test`, `password`: _PLACEHOLDER_WORDS) ...
# (`pw` too: `postgresql://postgres:[pw]@db.[db_id].supabase.co`, langfuse's `.env.prod.example`, meas149; and
# `hunter`, of `hunter2`, the Internet's example password since bash.org's quote: hexpm's API docs, `hunter42`, sec150.)
_DUMMY_CORE = frozenset({"password", "passwd", "pass", "pwd", "pw", "secret", "test", "testing", "admin", "changeme",
                         "demo", "example", "sample", "dummy", "fake", "default", "guest", "qwerty", "letmein",
                         "hunter"})
# ... and the words written around them (`mysecretpassword`, `SuperSecret`, `NewPassword`, `test_user_pass`).
_DUMMY_FILLER = frozenset({"my", "your", "super", "strong", "new", "old", "very", "user", "root", "dev", "local"})
_DUMMY_PARTS = lazy(r"[A-Za-z]+|[0-9]+|[-_.!@#$*&:]")  # (`My:Secret:Password`: insomnia's fixtures)
_DUMMY_LONGEST = max(len(w) for w in _DUMMY_CORE | _DUMMY_FILLER)


# A word and a counting run (`Harbor12345`, `root123`, `VMware12345`: a product's default login, as its docs and tests
# write it everywhere — harbor: 230 blocking findings), or the run and a few letters (`1234567ab`), with at most one
# mark after: what a person types for a login nobody guards. A run counted from 1, three digits or more.
_COUNTED = lazy(r"(?:(?P<word>[A-Za-z]{1,10})[@_.-]?)?(?P<run>123(?:4(?:5(?:6(?:7(?:8(?:90?)?)?)?)?)?)?)"
                     r"(?:[@_.-]?[A-Za-z]{1,4})?[!.#*]?")
# A word's shape: lower case, capitalised, capitals, or two capitals and lower case (`VMware`), with a vowel — not
# random letters (red135: 12 random letters and `123` are 68 bits).
_COUNTED_WORD = lazy(r"[A-Z]?[a-z]+|[A-Z]+|[A-Z]{2}[a-z]+")
# A keyboard's walk down its first two rows: `1q2w3e4r`.
_KEYBOARD_WALK = lazy(r"1q2w3e(?:4r(?:5t)?)?", re.IGNORECASE)
# Leetspeak inside a word (`P@ssw0rd123!`): a digit or a mark for a letter between two letters.
_LEET_INSIDE = lazy(r"(?<=[A-Za-z])[013457@$](?=[A-Za-z])")


def _counted(value: str) -> bool:
    """Whether `value` is a word and a counting run (_COUNTED) or a keyboard walk (_KEYBOARD_WALK)."""
    found = _COUNTED.fullmatch(value)
    if found is not None and len(value) > len(found.group("run")):
        word = found.group("word")
        return word is None or (_COUNTED_WORD.fullmatch(word) is not None and any(c in "aeiouyAEIOUY" for c in word))
    if found is not None and len(value) >= 6:
        return True  # the run alone, `123456`: the commonest test login (halo's e2e suite, `admin:123456`: sec160)
    return _KEYBOARD_WALK.fullmatch(value) is not None


def _dummy_composition(value: str) -> bool:
    """Whether `value` is made of dummy words alone, with short digit runs and single symbols between them
    (`Password123`, `test_Password123`, `test123TEST`, `Admin@123`, `mysecretpassword`: documenso's seeds, sentry
    self-hosted's integration test): at least one word of _DUMMY_CORE, the rest of _DUMMY_FILLER. A word run is split
    into such words wherever it can be (`testpassword`); one letter that is not theirs makes it a password."""
    if len(value) > 40 or not value.isascii():
        return False
    value = _LEET_INSIDE.sub(lambda m: m.group().translate(_LEET), value)
    core = False
    end = numbers = marks = 0
    for part in _DUMMY_PARTS.finditer(value):
        if part.start() != end:
            return False
        end = part.end()
        word = part.group()
        if word.isdigit():
            numbers += 1
            if len(word) > 4 or numbers > 2:
                return False  # (a year or a short counter; not `demo_482913`, not `admin-5513-1326-…`: red135)
        elif not word.isalpha():
            marks += 1
            if marks > 2:
                return False
        if word.isalpha():
            found = _dummy_words(word.lower())
            if found is None:
                return False
            core = core or found
    return core and end == len(value)


def _dummy_words(run: str) -> bool | None:
    """Whether a run of letters splits into dummy words: None when it does not, else whether one is a core word."""
    # best[i]: None (run[:i] does not split), False (splits into filler only) or True (holds a core word).
    best: list[bool | None] = [False] + [None] * len(run)
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - _DUMMY_LONGEST), end):
            before = best[start]
            if before is None:
                continue
            word = run[start:end]
            if word in _DUMMY_CORE:
                best[end] = True
                break
            if word in _DUMMY_FILLER:
                best[end] = before if best[end] is None else best[end] or before
    return best[len(run)]


# Lower-case letters that name what goes there: `typeinastrongpassword`, `yourpasswordhere` (documenso's blog).
_PASSWORD_PHRASE = lazy(r"[a-z]{2,40}")
# Brackets around a name to fill in: `[password]`, `[YOUR-PASSWORD]`, `[user[:password]@]` (a template's optional part).
_BRACKETS = "[]<>(){}"


class SourceKind(NamedTuple):
    """What a file's path says about how a generic value on its lines reads (source_kind).

    `script`: JavaScript or TypeScript source (member access with `!` and `?.` is code there); `manifest`: a
    dependency manifest or lock file, where a version range is a package's version (red91: elsewhere
    `24.12.1990-Marta` is a password of a common shape); `syntax`: "yaml" (an unquoted `!word` is a tag), "code"
    (a language where `!x` negates), or "" (neither: a `!` starts a password); `localized`: a translation catalogue
    or localized resource, where a value of words is a translation (red113); `data`: a file with no variables
    (.env, YAML, INI, .properties, TOML), where an unquoted name is text, not a variable (red113)."""

    script: bool = False
    manifest: bool = False
    syntax: str = ""
    powershell: bool = False
    localized: bool = False
    data: bool = False
    lexed: Syntax | None = None  # how far comments, multi-line strings and markup reach (code_text.TextRegions)
    code_names: LazyPattern[str] | None = None  # an unquoted value of this shape is a name in the file's language
    # "compose": a Compose file, where a host named by one word is a service it runs; "ci": a CI definition, where a
    # database image's own name is (a workflow's `services: postgres:`), not any word: a self-hosted runner reaches
    # the network's hosts by one word too.
    services: str = ""
    # A real environment's own file (`.env`, `.env.production`, `*.tfvars`, what sits under `prod/` or `staging/`): an
    # example password there (`Admin@123`) is a weak password in use, not an example.
    deployed: bool = False
    # A minified or built bundle (_BUNDLE): an unquoted value there is minified code.
    bundle: bool = False
    # A file named by a language's code alone (_LANGUAGE_NAMED): a catalogue, or a region's or a service's file.
    language_named: bool = False
    # A catalogue named by a prefix and a language's code (_PREFIXED_CATALOGUE), or in a locales directory written with
    # underscores (_UNDERSCORED_LOCALES): read as one outside what deploys an environment, a value of ASCII letters
    # only in a label's shape (_label, red143).
    catalogue: bool = False
    # Where an example password is one only on a line that names no host on a network (_remote_host_named): a CI
    # definition (a service container's login, not a deploy step's) and an API client's saved requests (red139).
    hosts_matter: bool = False
    # A file of examples (_EXAMPLE_CONTEXT: tests, examples, seeds, templates, documentation, CI definitions): where an
    # example password (`Password123`, `Harbor12345`) is one. Anywhere else it is read as a weak password (red136).
    example: bool = False
    # A file where a CLI's usage example is written (_USAGE_FILES, documentation pages): only there is a command line
    # whose program is a help template the command's own example (red145).
    usage: bool = False
    # PHP source (`.php`, a Blade view, `.phtml`): where `Name::class` is a class's name (red165: not in `.env`).
    php: bool = False
    # Markup whose attributes hold code (PHP, Blade, Vue, Svelte, JSX, HTML): where `=>` or `->` before a value may be
    # a bound attribute's arrow, not a tag's end (red165: not in an XML configuration file).
    bound_markup: bool = False


_NO_KIND = SourceKind()
_PHP_SOURCE = lazy(r"\.(?:php|phtml)\Z", re.IGNORECASE)
_BOUND_MARKUP_SOURCE = lazy(r"\.(?:php|phtml|vue|svelte|[jt]sx|html?)\Z", re.IGNORECASE)


def source_kind(path: str | None) -> SourceKind:
    if path is None:
        return _NO_KIND
    return SourceKind(script=_SCRIPT_SOURCE.search(path) is not None, manifest=_MANIFEST.search(path) is not None,
                      syntax="yaml" if _YAML_SOURCE.search(path) else "code" if _NEGATING_SOURCE.search(path) else "",
                      powershell=_POWERSHELL_SOURCE.search(path) is not None,
                      localized=_LOCALIZED.search(path) is not None,
                      catalogue=(_PREFIXED_CATALOGUE.search(path) is not None
                                 or _UNDERSCORED_LOCALES.search(path) is not None),
                      data=_DATA_SOURCE.search(path) is not None,
                      language_named=_LANGUAGE_NAMED.search(path) is not None,
                      lexed=(lexed := syntax_of(path)), code_names=_CODE_NAMES.get(lexed.name) if lexed else None,
                      services="compose" if _COMPOSE_FILE.search(path) else "ci" if CI_DEFINITION.search(path) else "",
                      deployed=_REAL_ENVIRONMENT.search(path) is not None, bundle=_BUNDLE.search(path) is not None,
                      example=(_EXAMPLE_CONTEXT.search(path) is not None or DOCUMENTATION_PAGE.search(path) is not None
                               or CI_DEFINITION.search(path) is not None),
                      hosts_matter=(CI_DEFINITION.search(path) is not None
                                    or _REQUEST_COLLECTION.search(path) is not None),
                      usage=_USAGE_FILES.search(path) is not None or DOCUMENTATION_PAGE.search(path) is not None,
                      php=_PHP_SOURCE.search(path) is not None,
                      bound_markup=_BOUND_MARKUP_SOURCE.search(path) is not None)


# A project's documentation pages: prose markup (Markdown, MDX, reStructuredText, AsciiDoc) in a docs directory, or
# its top-level README, contributing, install and change notes (not a README deeper down: an ops directory's or a
# host's notes, red136; nor a notes file, red138), and GitHub's community pages in the root's `.github/` (wallabag's
# `.github/CONTRIBUTING.md`, shown as the project's contributing page: its development stack's database URLs, meas140).
DOCUMENTATION_PAGE = lazy(r"\A(?:(?:[^/]*/)*(?:(?:api[-_]?)?docs?|documentation|website|guides?|manual|handbook"
                                r"|wiki)/"
                                r"(?:[^/]*/)*[^/]+|(?:README|CONTRIBUTING|INSTALL|CHANGELOG|CHANGES|HISTORY|UPGRADING)"
                                r"[^/]*|\.github/[^/]+)\.(?:md|markdown|mdx|rst|adoc|asciidoc)\Z", re.IGNORECASE)
# Where example passwords are written (and only there is one read as such): test directories and test-named files,
# end-to-end suites, fixtures and mocks; examples, samples, demos, tutorials, seeds, dummy or fake data; `.example`
# files and templates to copy (`.template`, `.tmpl`, `.dist`: harbor's `harbor.yml.tmpl`); documentation pages; API
# clients' request collections. (And CI definitions: a workflow's service container and test login.) Not what config
# management renders onto a host as written (Jinja's `.j2` in an Ansible role), nor a CloudFormation or SAM
# `template.yaml`, a notes file (`.txt`), or a name that merely holds `test` (`latest.json`, `testnet.yaml`: red138).
# (An API's documentation directory, `api-docs/`, `apidocs/`, `api_docs/`, is a docs directory: koel's generated API
# docs, sec161 post hoc.)
# An API client's saved requests: Bruno's `.bru`, a `.http` or `.rest` file, a Postman collection. (And the JetBrains
# HTTP client's shared environment file beside them, `http-client.env.json`, which its docs keep apart from the
# private one, `http-client.private.env.json`, where secrets go: DependencyTrack's admin login of a word and a
# counting run for a local instance, sec160. As for the saved requests, an example password there is one only where no
# host on a network is named.)
_REQUEST_FILES = r"\.(?:bru|http|rest)\Z|\.postman_collection\.json\Z|(?:\A|/)http-client\.env\.json\Z"
_EXAMPLE_CONTEXT = lazy(
    r"(?:\A|/)(?:tests?|__tests__|spec|specs|e2e|cypress|playwright|testdata|test[-_]data|testing|fixtures"
    r"|__fixtures__|mocks?|__mocks__|[^/]*integration[-_]tests?|examples?|samples?|demos?|tutorials?|seeds?"
    r"|seeders|docs?|documentation)/"
    r"|(?:\A|/)(?:(?:tests?|testing)(?![A-Za-z])[^/]*|(?-i:Test(?=[A-Z]))[^/]*|[^/]*[._-](?:test|spec)|conftest\.py)"
    r"\.[^/]+\Z"
    r"|(?:\A|/)[^/]+(?-i:Tests?|Spec)\.[a-z]{1,6}\Z"
    r"|(?:\A|/)[^/]*(?<![A-Za-z])(?:examples?|samples?)(?![A-Za-z])[^/]*\Z"
    # A file named for dummy or fake data (monica's `SetupDummyAccount.php`, the command that fills a wiped database for
    # a demo; `FakeDataSeeder.php`, `dummy_data.py`): the word, not a word holding it (`fakeroot`, `Unfaked`).
    r"|(?:\A|/)[^/]*(?:(?<![A-Za-z])(?:dummy|fake)|(?-i:Dummy|Fake))(?-i:(?![a-z]))[^/]*\.[^/]+\Z"
    r"|\.(?:example|sample|template|tmpl|tpl|dist)(?:\.[^/]*)?\Z"
    # Prose markup anywhere: a component's README is its documentation (shlink's `docker/README.md`, the image's page:
    # `docker run -e DB_PASSWORD=<dummy>` four times). Not a plain `.txt` (notes, credentials: red138). (And API
    # Blueprint's `.apib`, an API's documentation in Markdown: hexpm's `apiary.apib`, sec150.)
    r"|\.(?:md|markdown|mdx|rst|adoc|asciidoc|apib)\Z"
    # An API client's saved requests, which document an API as a docs page does (miniflux's Bruno collection, meas139):
    # Bruno's `.bru`, a `.http` or `.rest` file, a Postman collection — not a Postman environment, nor Bruno's
    # `environments/` (_REAL_ENVIRONMENT: a real environment's values).
    rf"|{_REQUEST_FILES}", re.IGNORECASE)
_REQUEST_COLLECTION = lazy(_REQUEST_FILES, re.IGNORECASE)


# In a bundle, what minified code runs together after a keyword: names of letters joined by member access, optional
# chaining, a ternary's marks, `!` and assignments (`e.passwordAuth?.enabled?async`, `e.target.value:delete`,
# `v:!p.login.username`, `f.login.password=w` after a `case"Password":`) — not a value of a
# string literal that the character before it cannot tell apart (`"…;Password=<random>;"`: red136).
_MINIFIED_CODE = lazy(r"!?[A-Za-z_$]+(?:[.?:!=]{1,3}[A-Za-z_$]+)+")
# Names holding digits too (`t.AUTHORIZE_OAUTH2=t.LOGOUT=…`, a chain of exports), only as such a chain: members assigned
# one to the next. Two short names joined by a dot, read unquoted out of a connection string in a string literal, are a
# password (red136), and so are four names joined by any of `.?:!=`: 1 in 60 generated passwords of letters, digits and
# those marks (red143).
_MINIFIED_NAMES = lazy(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:=[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+)+"
                             r"(?:=[A-Za-z_$][\w$]*)?")
# A script's line this long is minified whatever the file is called (`swagger-ui-bundle.js`, a built `swagger-ui.js`
# under `public/`: meas143); hand-written code wraps long before. (But not always: a generated config, a data URI. There
# a run of letters and marks is minified code only as a member's or a property's value, `e.password=a.b?c:d`,
# `{password:a.b}` — not a connection string's or a query's: words joined by `!` after its password key, red143.)
_MINIFIED_LINE = 1000
_MEMBER_BEFORE = frozenset(".,{")
# Minified or built front-end bundles: `*.min.js`, `*.bundle.js`, `*.chunk.js`, and scripts and styles (and their
# source maps) under a `dist/` directory or a build's `build/static/js|css/` (not a web framework's own `static/js/`,
# where its hand-written scripts live).
_BUNDLE = lazy(r"\.(?:min|bundle|chunk)\.(?:(?:[cm]?js|css)(?:\.map)?|map)\Z"
                     r"|(?:\A|/)(?:dist|build/static/js|build/static/css)/(?:[^/]+/)*[^/]+\.(?:[cm]?js|css)(?:\.map)?\Z")
# A stylesheet and its source map (CSS, Sass, Less, Stylus): selectors and declarations, never a keyword's value —
# `input[type=password]:disabled+label` reads as a name, a colon and a value (wallabag's built Materialize styles: 85
# blocking findings, meas140). No keyword rule reads one; a provider's key, a private key and a URL's password still
# do. Not `*.css.ts` (vanilla-extract) nor `*.css.js`: code.
_STYLESHEET = lazy(r"\.(?:css|scss|sass|less|styl)(?:\.map)?\Z", re.IGNORECASE)


# A real environment's files (red135: the example-password reading must not reach them): a dotenv file but its
# examples and templates, any other `*.env` file but a test's or an example's, Terraform's sources, variable values and
# state, what sits under an environment's or a deployment's directory (Ansible's inventories and variables too), a
# configuration file named for an environment (`docker-compose.prod.yml`, `values-prod.yaml`,
# `appsettings.Production.json`, `settings/production.py`), and a shell script outside a test directory.
_REAL_ENVIRONMENT = lazy(
    r"(?:\A|/)\.env(?!\.(?:example|sample|template|dist|defaults?|tpl|test|ci)\Z)(?:\.[^/]*)?\Z"
    r"|(?:\A|/)(?!(?:test|tests|example|sample|template|dev|local)\.env\Z)[^/]+\.env\Z"
    r"|\.(?:tf|tfvars|tfstate)(?:\.json|\.backup)?\Z"
    r"|(?:\A|/)(?:prod|production|staging|live|deploy(?:ments?)?|infra|inventor(?:y|ies)|group_vars|host_vars"
    r"|environments?)/"
    r"|(?:\A|/)[^/]*(?<![A-Za-z])(?:prod|production|staging|live)(?![A-Za-z])[^/]*"
    r"\.(?:ya?ml|json|toml|ini|env|conf|cfg|properties|py|rb|php|xml|tf|hcl|js|ts)\Z"
    r"|\A(?!(?:[^/]*/)*(?:tests?|e2e|ci|spec|testdata|__tests__|[^/]*integration[-_]tests?)/)(?:[^/]*/)*"
    r"(?!test[^/]*\.)[^/]+\.(?:sh|bash|zsh|ps1)\Z", re.IGNORECASE)


# Files that start the services they name: Docker Compose files and CI definitions (a workflow's `services:`, a
# Jenkinsfile's sidecar containers). The CI ones are also read by everyone who can read the repository
# (SecretsScanner._finding raises the generic secret rule's findings there).
# (And any YAML file in a `compose/` directory: coolify's one-click services, `templates/compose/postiz.yaml`, meas141.)
_COMPOSE_FILE = lazy(r"(?:\A|/)(?:docker-)?compose(?:\.[^/]*)?\.ya?ml\Z"
                           r"|(?:\A|/)(?:docker-)?compose/[^/]+\.ya?ml\Z", re.IGNORECASE)
CI_DEFINITION = lazy(r"(?:\A|/)(?:\.github/workflows/[^/]+|\.gitlab-ci|\.circleci/config|azure-pipelines"
                           r"|bitbucket-pipelines|\.travis|\.buildkite/pipeline|\.drone|\.woodpecker/[^/]+)\.ya?ml\Z"
                           r"|(?:\A|/)Jenkinsfile\Z")


# Files that hold values and no variables: an unquoted value there is text, letters only or not (red113: a password
# of random letters, as `tr -dc A-Za-z` makes one, read as a variable's name).
_DATA_SOURCE = lazy(r"(?:\A|/)\.env(?:\.[^/]*)?\Z|\.(?:env|ya?ml|ini|properties|cfg|cnf|conf|toml)\Z",
                          re.IGNORECASE)


# The two-letter language codes of ISO 639-1 (its 183 and the withdrawn `bh`): a file named by one alone is a catalogue.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en
    eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv
    ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne
    ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st
    su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"""
# Localized resources and translation catalogues: Android's `res/values-<qualifiers>/`, `i18n/`, `l10n/`, `locales/`,
# `lang/`, `translations/` directories and Apple's `*.lproj/`; gettext, Flutter, .NET, Apple and XLIFF catalogues.
# Also a JavaScript app's `intl/` and a catalogue named by its language and region (`messages/de-DE.json`,
# `pt_BR.yml`: umami, 18 blocking findings in one commit, fix133s) — a tag with its region: `db.json` is no catalogue.
# (And Inno Setup's language files, `Icelandic.isl`: an installer's messages, the password prompt's key valued by the
# Icelandic word — localsend, sec160.)
_LOCALE_DIRECTORIES = (r"(?:values-[^/]+|i18n|l10n|intl|locales?|langs?|languages|translations?|[^/]+\.lproj"
                        r"|locali[sz]ations?)/")
_LOCALIZED = lazy(r"(?:\A|/)" + _LOCALE_DIRECTORIES
                        + r"|\.(?:po|pot|arb|resx|strings|stringsdict|xliff|xlf|isl)\Z"
                        r"|(?:\A|/)(?-i:[a-z]{2,3}[-_](?:[A-Z]{2}|[A-Z][a-z]{3}|[0-9]{3}))"
                        r"\.(?:json|ya?ml|properties|xml|toml|[cm]?[jt]s)\Z", re.IGNORECASE)
# The same directories with one or two underscores before: AdGuard Home's `__locales/`, a browser extension's
# `_locales/` (meas143). Read as a catalogue (SourceKind.catalogue), not as `locales/` is: red143 found a deployment's
# `deploy/…/_locales/` read so.
_UNDERSCORED_LOCALES = lazy(r"(?:\A|/)_{1,2}" + _LOCALE_DIRECTORIES, re.IGNORECASE)
# A file named by a language alone, a real ISO 639-1 code (navidrome's `sv.json`, meas139; `db`, `ui`, `js` and `ci`
# are none): a catalogue, or a region's or a service's file (`eu.yaml`, `sg.yaml`, `kv.yaml`, `sa.json`: red139). Read
# as a catalogue only for a value with letters beyond ASCII (`Lösenord`), never in what deploys an environment.
_LANGUAGE_NAMED = lazy(rf"(?:\A|/)(?:{'|'.join(_ISO_639_1.split())})"
                             r"\.(?:json|ya?ml|properties|toml|[cm]?[jt]s)\Z")
# A catalogue named by a word for one and a language's code (syncthing's `gui/lang-da.json`, `messages_de.properties`,
# `strings-pt-BR.json`, meas143): localized, as a `locales/` directory's files are.
_PREFIXED_CATALOGUE = lazy(rf"(?:\A|/)(?:lang|language|locale|messages|strings|translations?)[-_.]"
                                 rf"(?:{'|'.join(_ISO_639_1.split())})(?:[-_](?:[A-Za-z]{{2}}|[A-Za-z]{{4}}|[0-9]{{3}}))?"
                                 r"\.(?:json|ya?ml|properties|xml|toml|[cm]?[jt]s)\Z", re.IGNORECASE)
# What a translation written in ASCII is in such a file (`Passord`, `Wachtwoord`, `Kata sandi`): letters and spaces,
# no mark (`Sunshine!`, `word-word-word` are passwords: red139).
_ASCII_TRANSLATION = lazy(r"[A-Za-z]+(?: [A-Za-z]+){0,3}")
# What a label written in ASCII is, in a built bundle or a catalogue read by its name (SourceKind.catalogue):
# `Passwort`, `Mot de passe`, `GUI-kodeord` — words in small letters, capitalised or in capitals, joined by spaces or
# hyphens. Not letters whose case changes inside a word as _translated_words allows (`KvoRSbohWnyz`): what 3 in 100
# twelve-character alphanumeric generated passwords (no digit drawn) and 15 in 100 letters-only ones look like
# (red143); no mark (`Sunshine!`: red139).
_ASCII_LABEL = lazy(r"(?:[A-Z]?[a-z]+|[A-Z]+)(?:[ -](?:[A-Z]?[a-z]+|[A-Z]+)){0,5}")


def _label(value: str) -> bool:
    """Whether a value is a label's text by its shape (_ASCII_LABEL), or has letters beyond ASCII (`Contraseña`, written
    `Contrase\\u00f1a` or not) — and is no generated passphrase (`Correct-Horse-Battery`: red138)."""
    value = _unescaped(value)
    return not value.isascii() or (_ASCII_LABEL.fullmatch(value) is not None and not _passphrase(value))

_WORD_MARKS = frozenset(" -'.,!?:;()\u2019")


def _member_name(text: str, start: int) -> bool:
    """Whether the name a match starts in (at `start`, or the identifier it ends) is a member's or an object literal's
    key: `.`, `,` or `{` right before it (_MEMBER_BEFORE)."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_$"):
        start -= 1
    return start > 0 and text[start - 1] in _MEMBER_BEFORE


def _translated_words(value: str) -> bool:
    """A value made of letters of any script — with spaces, hyphens, apostrophes and sentence punctuation, no digit —
    is a word or a sentence: in a localized resource, the translation of "password" (Contraseña, Пароль, Palavra-passe,
    a Japanese sentence with no spaces), not one (red113: 81 blocking findings on one Android app's history).
    Written with JSON's or a program's `\\uXXXX` escapes, it is read as the letters they stand for (jellyfin's
    catalogues: the Spanish word with its `ñ` written `\\u00f1`, 716 blocking findings). A sentence — three words or
    more, or a run of letters of another script — may hold numbers (harbor's `密码长度在8到128之间…`: a password rule,
    in Chinese)."""
    value = _unescaped(value)
    if any(c.isdigit() for c in value) and (value.count(" ") >= 2 or sum(1 for c in value
                                                                         if ord(c) > 0x2FF and c.isalpha()) >= 4):
        value = "".join(" " if c.isdigit() else c for c in value)
    for char in value:
        if unicodedata.category(char)[0] in "LM" or char in _WORD_MARKS:
            continue
        if char.isascii() or unicodedata.category(char)[0] not in "PZ":
            return False  # a digit, a symbol, ASCII punctuation of code
    # Each word written as words and names are — lower case, capitalised, capitals, or humps of a capital and two
    # lower-case letters or more (RabbitMQ, iPhone, ApolloConfigDB: uptime-kuma's and apollo's catalogues) — not random
    # letters whose case changes every letter or two (`kJhGfTrEwQ`: a generated password of letters only, in a file
    # named like a catalogue: fix133s).
    cases = "".join("U" if c.isupper() else "l" if c.islower() else " " for c in value)
    return any(char.isalpha() for char in value) and all(_WORD_CASES.fullmatch(run) for run in cases.split())


_WORD_CASES = lazy(r"U*l*(?:U+l{2,})*U*")
_UNICODE_ESCAPE = lazy(r"\\u([0-9A-Fa-f]{4})")


def _unescaped(value: str) -> str:
    """A value with JSON's or a program's `\\uXXXX` escapes read as the characters they stand for."""
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "\\u" in value else value


_POWERSHELL_SOURCE = lazy(r"\.ps(?:m|d)?1\Z", re.IGNORECASE)
_POWERSHELL_VARIABLE = lazy(r"\$[\w.:]*\Z")
_TEXT_WINDOW = 400
# A cmdlet called with a parameter (`Get-AzKeyVaultSecret -VaultName kv`): code in any file (red111: inline PowerShell
# in a pipeline's YAML, a README).
_CMDLET_PARAMETER = lazy(r"[ \t]+-[A-Za-z][\w:]*")
# The name's end, then ` = ` with spaces on both sides: a PowerShell hashtable's or variable's assignment (not a flag's
# `--password=`, not `-P `).
_ASSIGNED = lazy(r"[\w.'\"\]]*[ \t]+=[ \t]+")


def _code_value(text: str, name_start: int, start: int, value: str, kind: SourceKind,
                text_until: Callable[[], int] | None = None) -> bool:
    """An unquoted value that the line's own language reads as code, not text (red108, narrowed by red110):
    - a PowerShell cmdlet call (`$password = Get-AnsibleParam -obj …`) — in PowerShell source, or after a
      PowerShell variable (`$params.Credential = Get-MyServiceCredential` in docs); `DB_PASSWORD=<Word-Word and a year>`
      in a .env stays a password;
    - in a language where an unquoted value is never a string (SourceKind.code_names), an identifier written as code
      is (`signingKey: Uint8Array`, `connect(password=pw, …)`, `const token =
      Base64Url;`): after `:`, after `=` with a space, or a keyword argument's value (`=` then `,`, `)` or the line's
      end) — not `Password=…;` or `?api_key=…&` inside a string, where the value is text.
    Nothing is code inside a string, a comment or markup, on this line (_in_text) or begun on an earlier one
    (`text_until`: how far such a region reaches into the line, asked only when the line alone says code: red113)."""
    # (What precedes the name is read back at most _TEXT_WINDOW characters: a hostile line holding thousands of
    # names must cost each one a constant, not the whole line.)
    before = text[max(0, name_start - _TEXT_WINDOW):name_start]
    if _CMDLET.fullmatch(value) and _POWERSHELL_VARIABLE.search(before):
        return True  # `$password = Get-AnsibleParam …`, also inside a string holding PowerShell (red112)
    if not _code_on_line(text, before, name_start, start, value, kind):
        return False
    until = text_until() if text_until is not None else 0
    if name_start < until:
        return False  # a template literal's YAML, a docstring, a Vue template, a here-string's .env (red113)
    # (A region that ends earlier on the line: what follows its end is read again.)
    return not until or _code_on_line(text, text[max(until, name_start - _TEXT_WINDOW):name_start], name_start, start,
                                      value, kind)


def _code_on_line(text: str, before: str, name_start: int, start: int, value: str, kind: SourceKind) -> bool:
    """_code_value as far as the line itself tells, `before` being what precedes the name on it."""
    key_quote = next((c for c in text[name_start:start] if c in _QUOTES), "")
    if key_quote:
        # A quoted key (`{'user': u, 'password': pw}`): its opening quote opens no string around the name.
        head = len(before)
        while head and (before[head - 1].isalnum() or before[head - 1] in _NAME_PUNCTUATION):
            head -= 1  # back over the start of the key's name (`db_` of db_password)
        if before[:head].endswith(key_quote):
            before = before[:head - 1]
    if _in_text(before, kind):
        return False  # inside a string, a comment or a template's text: the value is text (red111)
    if (kind.syntax == "code" and ("::" in value or "?." in value) and _CODE_REFERENCE.fullmatch(value)
            and _CREDENTIAL_MEMBER.fullmatch(_REFERENCE_PARTS.split(value)[-1])):
        return True  # `viewModel::updatePassword`, `Faker::Internet.password`, `user?.Password`
    if kind.lexed is not None and kind.lexed.name == "rust" and (_RUST_PATH.fullmatch(value)
                                                                  or _RUST_FIELD.fullmatch(value)):
        # A match arm's value (an enum's path after a password variant's arm), a struct field's type (the standard
        # library's `String` by its rooted path), a path or a tuple field assigned (a newtype's inner value).
        return True
    # A cmdlet with a parameter is code in any file only as a PowerShell assignment's value (`Password =
    # Get-AzKeyVaultSecret -VaultName kv`), never as a flag's argument (`--password=<Word-Word2024> -h db`: red112).
    if _CMDLET.fullmatch(value) and (kind.powershell or (
            _ASSIGNED.fullmatch(text, name_start, start) is not None
            and _CMDLET_PARAMETER.match(text, start + len(value)) is not None)):
        return True
    if kind.code_names is None or not kind.code_names.fullmatch(value):
        return False
    operator = text[name_start:start].rstrip(" \t")
    if operator.endswith(":") or (start > 0 and text[start - 1] in " \t"):
        return True
    end = start + len(value)
    return operator.endswith("=") and text[end:end + 40].lstrip(" \t")[:1] in ("", ",", ")")


def _in_text(before: str, kind: SourceKind) -> bool:
    """Whether what precedes a name on its line leaves it inside a string, a comment or a template literal's text:
    an odd number of one quote kind, or a `//`, `/*` comment opener (a `#` one outside JavaScript, where `#name` is a
    private field: red112), or a line of a block comment (`* `)."""
    stripped = before.lstrip()
    openers = ("*", "//", "/*", "<!--") if kind.script else ("*", "//", "/*", "#", "<!--")
    if stripped.startswith(openers) or "//" in before or "/*" in before:
        return True
    return any(before.count(quote) % 2 == 1 for quote in "\"'`")


# A passphrase as generators make them (Bitwarden's, diceware's with `-`): three or more words of letters, joined by
# hyphens, all in lower case or each capitalised. One kind of character, so _looks_like_credential (and _CAMEL_WORD,
# for `Word-Word-Word`) drops it (red138: 5,000 of 5,000). Spaces and PascalCase are not read so (prose and names).
_PASSPHRASE = lazy(r"[a-z]{3,12}(?:-[a-z]{3,12}){2,7}|[A-Z][a-z]{2,11}(?:-[A-Z][a-z]{2,11}){2,7}")
# Words that make such a value a name that says where a secret is or what a field is (`app-db-credentials`,
# `login-form-password`, `postgres-secret-name`), not a passphrase.
_NAMING_WORDS = frozenset((
    "secret", "secrets", "credential", "credentials", "creds", "password", "passwords", "passwd", "pwd",
    "passphrase", "key", "keys", "token", "tokens", "name", "file", "path", "ref", "env", "config", "vault",
    "username", "field", "input", "form", "label", "placeholder", "hash", "secretref", "cert", "certificate", "tls",
    "ssl", "ssh", "kube"))


def _passphrase(value: str) -> bool:
    """Whether a value is a generated passphrase (_PASSPHRASE), no word of it one that names (_NAMING_WORDS) or a
    placeholder's."""
    if len(value) < 12 or not _PASSPHRASE.fullmatch(value):
        return False
    words = value.lower().split("-")
    return not any(w in _NAMING_WORDS or _PLACEHOLDER_WORDS.fullmatch(w) for w in words)


# What a regular expression that finds an option holds where its value goes (`preg_replace('/--password=\S+/', …)`,
# `--token [^ ]+`, `--secret=.*`): a class of characters repeated, no password (coolify's redaction of Nightwatch's
# commands, red145's wider cli-password: it ends at the closing quote now).
_REGEX_PIECE = lazy(r"\\[SsWwDd][+*?{]|\[\^[^\]]{0,12}\][+*?{]|\.[*+]\??\Z")
# What such a pattern holds besides: its classes and repeats, anchors, groups and delimiters. A value with more left
# than a few characters is a password that happens to hold `\d+` (a pusher's, or a generator's), not a pattern.
_REGEX_TOKENS = lazy(r"\\[SsWwDdb]|\[\^?[^\]]{0,12}\]|[.+*?^$()|/]|\{\d{0,3},?\d{0,3}\}")
# A value that is itself a list of `name=value` settings: an option's spec (Docker's `--secret id=npmrc,env=NPM_TOKEN`,
# `--secret id=,env=` in coolify's comment), a secret only where one of its values reads as one.
_SPEC_PAIR = lazy(r"([a-z][a-z0-9_-]{0,20})=([^,]*)")


def _spec_without_secret(value: str, kind: SourceKind) -> bool:
    """Whether `value` is two or more `name=value` settings joined by commas, none of whose values reads as a
    credential (_looks_like_credential, unquoted)."""
    pairs = value.split(",")
    if len(pairs) < 2:
        return False
    values: list[str] = []
    for pair in pairs:
        found = _SPEC_PAIR.fullmatch(pair)
        if found is None:
            return False
        values.append(found.group(2))
    return not any(len(v) >= 4 and _looks_like_credential(v, False, kind) for v in values)


def _looks_like_credential(value: str, quoted: bool, kind: SourceKind = _NO_KIND) -> bool:
    """For generic rules: not code, not a path or reference, and more than one kind of character, read as the
    file's kind says (SourceKind)."""
    script, manifest, syntax = kind.script, kind.manifest, kind.syntax
    # (A YAML tag — `!vault |`, `!Ref`, `!secret db`, `!!python/name:x` — or alias — `*db-password` — is a word read
    # unquoted, in YAML only; quoted, elsewhere, or holding digits or symbols, `!` starts a password: red101, red102,
    # red103.)
    if _REFERENCE.search(value) or (not quoted and ((syntax == "yaml" and _YAML_TAG.fullmatch(value))
                                                    or (syntax == "code" and _NEGATION.fullmatch(value)))) or (
            _PATH.fullmatch(value) and not _RANDOM_SEGMENT.search(value)) or (
            manifest and _VERSION_SPEC.fullmatch(value)):
        return False
    if quoted and (_CONCATENATION.fullmatch(value) or _OPERATOR_NAME.fullmatch(value) or _ELIDED_WORD.fullmatch(value)
                   or _EXPRESSION_OPENED.fullmatch(value)):
        # The code between two strings, whole (`'"+password+"'`, `'".md5($pw)."'`, `'"$PW"'`: close, add a
        # variable, reopen — red102), not any value holding a quote next to punctuation (red103: a random password
        # often does); a word elided in prose (`L'identifiant`), not a phrase glued into a password.
        return False
    if script and quoted and (_SCRIPT_BETWEEN_STRINGS.search(value) or _SCOPE_BINDING.fullmatch(value)):
        return False
    if syntax == "code" and quoted and _BUILDER_BETWEEN_STRINGS.fullmatch(value) and any(
            _CREDENTIAL_MEMBER.fullmatch(argument.rpartition(".")[2]) for argument in _BUILDER_ARGUMENT.findall(value)):
        return False
    if _SPECIAL_TOKEN.fullmatch(value) or _KEY_LABEL.fullmatch(value):
        return False
    if quoted and (_validation_rules(value) or _QUALIFIED_NAME.fullmatch(value)
                   or _LOOKUP_CALL.fullmatch(value)):
        return False
    if _TYPE_ANNOTATION.fullmatch(value):
        return False
    if _CAMEL_WORD.fullmatch(value) or (
        not quoted and (_DOTTED_NAME.fullmatch(value) or (not kind.data and _UNQUOTED_NAME.fullmatch(value))
                        or (script and _SCRIPT_MEMBER.fullmatch(value)))
    ):
        return False
    if value.isascii():  # the common case, in C: lower, upper, digit, punctuation other than a separator
        return sum(1 for kind in _ASCII_KINDS if kind.search(value)) >= 2
    kinds = (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() and c not in _SEPARATORS for c in value)
    )
    return kinds >= 2


def _encoded_placeholder(value: str) -> str:
    """Why a generic value is a dummy word in base64 ("" when it is not): a Kubernetes Secret's `data:` holds its values
    base64-encoded, and the examples of it hold `password` or `admin` so (`password: cGFzc3dvcmQ=`: traefik's docs and
    test fixtures). Only a value that decodes to a dummy word: any other encoded value is read as it is."""
    if len(value) % 4 or len(value) > 64 or not _BASE64_VALUE.fullmatch(value):
        return ""
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return ""
    # (`echo test-api-key | base64` encodes the newline too: argo-helm's CI values, sec161.)
    decoded = decoded.removesuffix("\n")
    return ("placeholder value (a dummy word, base64-encoded)"
            if _PLACEHOLDER_WORDS.fullmatch(decoded) or _DUMMY_LABEL.fullmatch(decoded) else "")


# A dummy word and lower-case words naming the kind of credential, joined by hyphens or underscores (`test-api-key`,
# `fake_app_token`): a label written where the value goes. Encoded only (_encoded_placeholder).
_DUMMY_LABEL = lazy(r"(?:test|fake|dummy|example|sample|my)(?:[-_](?:api|app|access|client|auth|secret|key|token"
                          r"|password|pass))+")


_BASE64_VALUE = lazy(r"[A-Za-z0-9+/]{4,}={0,2}")
_XML_RULES = frozenset(("xml-password", "xml-secret"))
# PHP's `Name::class` (a class's qualified name as a string constant), unquoted.
_CLASS_CONSTANT = lazy(r"\\?[A-Z][A-Za-z0-9_]*(?:\\[A-Z][A-Za-z0-9_]*)*::class")


def _local_database(text: str, end: int, value: str, services: str = "") -> str:
    """Why a URL's password is a local development or CI database's ("" when it is not): the host after it is the
    machine itself (`postgresql://postgres:<project name>@localhost:5432` in a workflow's service container: 32 blocking
    findings on getsentry/sentry-python) and the password is short (under 12 characters) or lower-case words and a
    counter (`mysecretpassword`, `devpass123`) — a generated one there may reach a real database through a tunnel,
    and stays a finding. In a Compose file, a host named by one word is a service the file itself starts
    (`postgresql://postgres:<weak>@app-db:5432` beside the `app-db` service that sets that password), and in a CI
    definition one named as a database image is (a workflow's service container `postgres`): the same holds there.
    `end`: where the password ends, before its `@`."""
    if text[end:end + 1] != "@" or (len(value) >= 12 and _LOWER_WORDS.fullmatch(value) is None):
        return ""
    rest = _URL_REST.match(text, end + 1)
    if rest is None or "," in rest.group(0) or _HOST_PARAMETER.search(rest.group(0)):
        return ""  # a host list (libpq, a MongoDB seed list) or `?host=` sends it elsewhere too (red129)
    if _LOCAL_HOST.match(text, end + 1) is not None:
        return "a weak password of a database on the local machine (a development or CI service)"
    host = (_COMPOSE_DATABASE_HOST if services == "compose" else _DATABASE_IMAGE_HOST if services == "ci" else None)
    if host is not None and host.match(text, end + 1) is not None:
        return "a weak password of a database in a service the file runs (Compose or CI)"
    return ""


def _no_key_material(rest: str, lines: Sequence[str]) -> bool:
    """Whether a key block ends before any key could: its END line follows the header (on the same line, through `\\n`
    escapes, or on the lines after it) with fewer than _KEY_MATERIAL_MIN characters between — a header, the 16
    characters every 2048-bit RSA key starts with and a footer (outline's .env.test: fix133s), or a template's short
    placeholder in words (`paste the key here`, `# TODO`, a blank line: red141; only the line after the header was
    read, so such a template blocked as a key, and every edit of it once _pasted_keys read edits). Every character but
    spaces, quotes and escapes counts, words too: a key's lines may hold spaces (PEM readers skip them). The smallest
    real key, EC P-256, has over a hundred. `lines`: those after the header's (_block_after)."""
    after = "\n".join((rest, *lines))
    footer = after.find("-----END ")
    if footer < 0:
        return False
    return len(_NOT_MATERIAL.sub("", after[:footer])) < _KEY_MATERIAL_MIN


# Keys their vendor publishes for everyone's local emulator (kept as SHA-256 digests: the values are key-shaped): they
# open only the emulator on the developer's own machine, and every project that tests against it writes them down
# (documenso's self-hosting docs: `AccountName=devstoreaccount1;AccountKey=…`).
_PUBLISHED_KEYS = {
    "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059":
        "the Azurite / Azure Storage Emulator account key Microsoft publishes (devstoreaccount1)",
    "aa6547439583c3a275d4542a0df6c1ad6a863971be9f2a2220f027cc02aef615":
        "the Azure Cosmos DB Emulator key Microsoft publishes",
    # And the Basic credentials of HTTP's own specification (RFC 7617's, and RFC 2617's before it), as every API
    # guide quotes them (gethomepage/homepage's docs).
    "cf4d418ed3de92d71f767db5391d5a2dacd40e1ce49e75d1137e2ecf4982d844":
        "the example credentials of RFC 7617 (Basic authentication)",
    # OAuth 2.0's: RFC 6749's example client's Basic credentials and RFC 7662's example bearer token, which every OAuth
    # server's code comments and docs quote (ory/hydra's fosite and docs: 10 blocking findings, meas141).
    "ca7459e2b26776de081b9a07e40227fd6cff232a1e3233ff6b6aa6d036ca9981":
        "the example client credentials of RFC 6749 (OAuth 2.0)",
    "c97b628dec75065584b11efdb9fd733948ef8a47731c616cf43badd4f368fc38":
        "the example bearer token of RFC 7662 (OAuth 2.0 token introspection)",
}


def _repeated_material(rest: str, body: str) -> bool:
    """Whether a key block's body (up to its END line, or as far as the detector reads it) is a few characters
    repeated (`privatekeyprivatekey…` under `# ` in getsentry/self-hosted's example config): base64 key material
    uses some sixty characters, and any 40 of its characters already hold more than _MATERIAL_VARIETY distinct
    ones but for a chance under 10^-9. Comment marks, quotes and line escapes are not counted."""
    after = f"{rest}\n{body}"
    footer = after.find("-----END ")
    material = _NOT_MATERIAL.sub("", _COMMENT_MARKS.sub("", after if footer < 0 else after[:footer]))
    return len(material) >= _KEY_MATERIAL_MIN and len(set(material)) < _MATERIAL_VARIETY


_MATERIAL_VARIETY = 16
# A key header's string closed on its own line (the body follows as string literals), and such a body's first line:
# 40 characters of base64 or more in quotes, after a `+` that continues the expression or not.
# The operators and words that join string literals at a line's end, in the languages that write a key so: `+`, `,`
# (a list), `.` and `..` (PHP, Perl, Lua), `&` and `_` (VB, with `vbLf`), `\` (a C macro, Ruby), `PHP_EOL`.
_JOINS = r"(?:\.\.|[+.,&_\\]|vb(?:Cr)?Lf|vbNewLine|PHP_EOL)"
_CLOSED_STRING = lazy(rf"(?:\\(?:r\\)?n)?[\"'`](?:[ \t]*{_JOINS})*[ \t]*\Z"
                            # a string left open after an escaped newline: Rust's `\n\`, YAML's folded "…\n
                            r"|\\(?:r\\)?n\\?[ \t]*\Z")
# A body's first line as a literal: a YAML list item's `- ` or not (a key as a list of quoted lines, red141), a join
# first or not, a string prefix (`b"`, `f"`, `@"`) or none, a quote or none (a string still open), then 40 base64
# characters.
_BODY_LITERAL = lazy(rf"[ \t]*(?:-[ \t]+)?(?:{_JOINS}[ \t]*)?(?:@|[bBfFrRuU]{{1,2}})?[\"'`]?[A-Za-z0-9+/]{{40}}")
# An elided line of a body written as literals (`"...\n" +`): marks and no run of key material.
_LITERAL_RUN = lazy(r"[A-Za-z0-9+/]{16}")
# What ends a literal line of a body: its closing quote and the joins after it (not key material).
_LITERAL_TAIL = lazy(rf"(?:[\"'`](?:[ \t]*{_JOINS})*|(?:[ \t]+{_JOINS})+)[ \t]*\Z")  # (not an elision's dots)
_KEY_BLOCK_LINES = 120  # the most lines of a key block read past its header (an RSA-8192 key's body has about 100)
_KEY_LINE = lazy(r"[A-Za-z0-9+/=]+")
# Four to seven x's in a line of base64 (`xXxX`): random key material holds one about once in 25,000 Ed25519 keys (a
# CI run's fresh key read as a placeholder, "xxxx" being a placeholder's mark); a placeholder writes a longer run, or
# the run alone. Not a mark inside a base64 line (_material_past_marks): its material still has to be a whole key's.
_SHORT_X_RUN = lazy(r"(?<![xX])[xX]{4,7}(?![xX])")
_LINE_BREAKS = lazy(r"\\r\\n|\\n|\n")  # a line's end, or one written as an escape in a string


def _material_past_marks(rest: str, lines: Sequence[str]) -> bool:
    """Whether a key block whose first lines hold a placeholder's marks (`...`, `<snip>`, `# example`) holds whole key
    material after them all the same: from its first line of base64 to its END line nothing but base64 lines (comment
    marks, quotes and escapes not counted), and as much as a key holds (red138: a real key under a `...` line was
    recorded as a placeholder: only the first body line was read). A real example's elided body is not: material cut
    by a `...` line, or lines holding marks (`MIIEpAIBAAKCAQEA...`); nor a block whose END line was not reached, with
    less material than the digest reads — unless the material before the marks, or up to where the block was read,
    is a whole key's encoding (whole_key), which no excerpt is (red141). `rest`: the header's line after the header;
    `lines`: the lines after it (_block_after)."""
    material: list[str] = []
    ended = False
    for piece in _LINE_BREAKS.split("\n".join((rest, *lines))):
        footer = piece.find("-----END ")
        if footer >= 0:
            piece, ended = piece[:footer], True
        clean = _NOT_MATERIAL.sub("", _COMMENT_MARKS.sub("", _LITERAL_TAIL.sub("", piece)))
        if clean:
            if _KEY_LINE.fullmatch(clean) and not _PLACEHOLDER_MARKERS.search(_SHORT_X_RUN.sub("", clean)):
                material.append(clean)
            elif material:
                # Marks or prose after the material began: an elided example — unless the material before them is a
                # whole key's encoding, which no excerpt is (red141: a key pasted between a template's two placeholder
                # lines, which the next commit deletes).
                return whole_key("".join(material))
        if ended:
            break
    found = "".join(material)
    # (A whole key's encoding needs no END line either: an EC key is under _MULTILINE_CONTEXT characters, red141.)
    return (ended or len(found) >= _MULTILINE_CONTEXT or whole_key(found)) and len(found) >= _KEY_MATERIAL_MIN and (
        len(set(found)) >= _MATERIAL_VARIETY)


def whole_key(material: str) -> bool:
    """Whether base64 `material` decodes to exactly one key encoding: an OpenSSH key (`openssh-key-v1`), or one DER
    SEQUENCE whose length is the rest of the data (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 — each PEM body is one).
    An excerpt of a key decodes to neither: its first lines name the whole key's length, and lines from its middle
    start with a SEQUENCE of their own exact length about once in 65,000."""
    if len(material) < _KEY_MATERIAL_MIN:
        return False
    try:
        data = base64.b64decode(material + "=" * (-len(material) % 4), validate=True)
    except ValueError:
        return False
    if data.startswith(_OPENSSH_MAGIC):
        return _whole_openssh(data)
    if data[0] != 0x30:
        return False
    size, start = data[1], 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 3:
            return False
        size, start = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    return start + size == len(data)


_OPENSSH_MAGIC = b"openssh-key-v1\x00"


def _whole_openssh(data: bytes) -> bool:
    """Whether an OpenSSH key's encoding (PROTOCOL.key) ends where its last field does: cipher, KDF and its options,
    the key count, each public key, then the private section — an excerpt of its first lines stops inside one."""
    at = len(_OPENSSH_MAGIC)
    fields = 3
    count: int | None = None
    while True:
        if fields == 0 and count is None:
            if at + 4 > len(data):
                return False
            count, at = int.from_bytes(data[at : at + 4], "big"), at + 4
            if count > 16:
                return False
            fields = count + 1
        if fields == 0:
            return at == len(data)
        if at + 4 > len(data):
            return False
        at += 4 + int.from_bytes(data[at : at + 4], "big")
        fields -= 1


def _literal_body(next_text: str, lines: Sequence[str]) -> bool:
    """Whether the line after a key header closed in a string (_CLOSED_STRING) starts a body of key material — or, when
    it is an elided line (`"...\\n" +`), the line after it does (red139)."""
    if _BODY_LITERAL.match(next_text):
        return True
    return (_PLACEHOLDER_MARKERS.search(next_text) is not None and not _LITERAL_RUN.search(next_text)
            and len(lines) > 1 and _BODY_LITERAL.match(lines[1]) is not None)


def _block_after(numbers: Sequence[int], texts: Sequence[str], index: int,
                 whole: Sequence[str] | None) -> list[str]:
    """Up to _KEY_BLOCK_LINES lines after line `index` of a scan: the added lines that follow it, then the file's
    (`whole`, when the caller has it) from where they stop."""
    out: list[str] = []
    at = index + 1
    while at < len(texts) and len(out) < _KEY_BLOCK_LINES and numbers[at] == numbers[index] + len(out) + 1:
        out.append(texts[at])
        at += 1
    if whole is not None:
        number = numbers[index] + len(out)  # (whole[number] is the line after line `number`, which is 1-based)
        out.extend(whole[number : number + _KEY_BLOCK_LINES - len(out)])
    return out
_COMMENT_MARKS = lazy(r"^[ \t]*(?:#|//|--|;|\*)", re.MULTILINE)
_KEY_MATERIAL_MIN = 40  # (well under any key: a pusher's shortened or synthetic body still counts as one)
_NOT_MATERIAL = lazy(r"\\[nr]|[\s\"'`,;]")


# A service-account key file's private key, as the JSON writes it (one string, its line breaks as `\n`).
_PRIVATE_KEY_FIELD = lazy(r'"private_key"[ \t]*:[ \t]*"(?P<key>(?:\\.|[^"\\]){0,8000})"')
_OBJECT_LINES = 40  # the most lines of a service-account object read past its key id (a real file has ten)


def _service_account_without_key(text: str, end: int, lines: Sequence[str]) -> str:
    """Why a service-account key id is no credential ("" when it may be one): its own JSON object — read from after the
    id (`end`, on `text`) through the `lines` that follow, up to the object's closing brace — names a `private_key` that
    holds no key material (golang.org/x/oauth2's test data, `"private_key": "super secret key"`, vendored by miniflux:
    2 critical findings, meas139). The id is the key's public name; the key is the secret, and without it the file
    opens nothing. A key the object does not show (before the id, past the lines read, in another object) is not
    known to be missing: the id is then read as the key file it most often is."""
    depth = 0
    region: list[str] = []
    for line in (text[end:], *lines[:_OBJECT_LINES]):
        for at, char in enumerate(line):
            depth += (char == "{") - (char == "}")
            if depth < 0:
                region.append(line[:at])
                break
        else:
            region.append(line)
            continue
        break
    found = _PRIVATE_KEY_FIELD.search("\n".join(region))
    if found is None:
        return ""
    key = found.group("key")
    header = key.find("-----BEGIN ")
    if header >= 0:
        body = key[header:].partition("KEY-----")[2]
        footer = body.find("-----END ")
        if footer < 0 or len(_NOT_MATERIAL.sub("", body[:footer])) >= _KEY_MATERIAL_MIN:
            return ""  # key material, or a block cut short: a key
    elif len(_NOT_MATERIAL.sub("", key)) >= 100:
        return ""  # a long value in another encoding: perhaps a key
    return "a service-account key id whose object holds no private key (the id names a key; it opens nothing)"


def _own_user(text: str, start: int, value: str) -> str:
    """Why a URL's password is no secret ("" when it is not): it is the URL's own user name, a name of words
    (`postgresql://umami:umami@db:5432`, an image's default account: umami's Dockerfile, fix133s) — whoever reads the
    URL has it already. Not a random value written as both (a name is lower-case words and a short counter)."""
    if start < 1 or text[start - 1] != ":" or _LOWER_WORDS.fullmatch(value.casefold()) is None:
        return ""
    scheme = text.rfind("//", max(0, start - 1 - 130), start - 1)
    if scheme < 0 or text[scheme + 2:start - 1].casefold() != value.casefold():
        return ""
    return "the password is the URL's own user name"


# An object of a form's messages, its validation errors or its labels, right before the name (`errors.password`,
# `this.errors.newPassword`, `fieldErrors['password']`): a value of words assigned there is what the form shows under
# the field (`errors.password = 'Required'`: umami's forms, fix133s), as in a translation catalogue.
_MESSAGE_OWNER = lazy(r"(?:\A|[^\w$])[\w$]*(?:(?-i:[Ee])rrors?|(?-i:[Mm])essages|(?-i:[Ll])abels|"
                            r"(?-i:[Pp])laceholders|(?-i:[Hh])ints)(?:\??\.|\[[\"'])[A-Za-z_$]*\Z")


def _inside_encoded_data(text: str, start: int, end: int) -> str:
    """Why a provider-format match is a piece of base64-encoded binary data ("" when it is not): it sits in an
    unbroken run of base64 characters, ENCODED_RUN or more of them around it, holding `+` or `/` — an image, a video, a
    certificate in a recorded API response. A token's own alphabet stops a format's match at those characters,
    so within such a run one matches wherever a `+` or `/` happens to fence the right letters
    (pydantic/pydantic-ai: a Yandex Cloud key's shape, eight times, in the base64 of an MP4 in test cassettes).
    A key is written delimited by quotes, spaces or `=`, never glued into a run of hundreds of base64
    characters. Looks at most ENCODED_RUN characters each way: linear however long the line."""
    if "+" in text[start:end] or "/" in text[start:end]:
        return ""  # a format whose own alphabet is base64's (an AWS session token): its match is the run
    if start == 0 or end == len(text) or text[start - 1] not in _BASE64_ALPHABET or text[end] not in _BASE64_ALPHABET:
        return ""  # written as a value (after a quote, `=` or a space; red90: a private key pasted on one line)
    # (A JSON string's escaped line break, `\n`, inside the run is the wrap of one: an nbformat 3 notebook holds its
    # image as one string of 76-character lines joined by it — ipython, 12 blocking findings.)
    left = start
    floor = max(0, start - ENCODED_RUN)
    while left > floor and (text[left - 1] in _BASE64_ALPHABET or (text[left - 1] == "\\" and text[left] == "n")):
        left -= 1
    right = end
    ceiling = min(len(text), end + ENCODED_RUN)
    while right < ceiling and (text[right] in _BASE64_ALPHABET or text.startswith("\\n", right)):
        right += 2 if text[right] == "\\" else 1
    around = text[left:start] + text[end:right]
    if "+" not in around and "/" not in around:
        return ""
    if len(around) >= ENCODED_RUN:
        return f"inside a run of {right - left}+ base64 characters: encoded binary data, not a key"
    # A wrapped body: the run is the whole line, a MIME or PEM line's width or more (a notebook's image, 76 characters
    # a line, each a JSON string ending in `\n`: ipython, red129), the line holding nothing else but its quoting.
    if text.endswith("\\n", left, right):
        right -= 2  # (the line's own escaped break, which _JSON_LINE_END reads)
    width = right - left
    if width >= WRAPPED_RUN and (
            (_JSON_LINE_START.fullmatch(text, 0, left) and _JSON_LINE_END.fullmatch(text, right))
            or (width in _WRAP_WIDTHS and not text[:left].strip() and not text[right:].strip())):
        return f"a whole line of {width} base64 characters: a wrapped body of encoded binary data, not a key"
    return ""


WRAPPED_RUN = 60
# A wrapped base64 line as a notebook or a JSON document writes it — a string of its own ending in an escaped line
# break — or bare at a MIME or PEM line's width. (A short quoted value is a value: it is read as one.)
_JSON_LINE_START = lazy(r'[ \t]*"')
_JSON_LINE_END = lazy(r'\\n",?[ \t]*')
_WRAP_WIDTHS = frozenset({60, 64, 72, 76})


ENCODED_RUN = 200
_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _own_name(text: str, match_start: int, value: str, code: bool = False) -> bool:
    """A generic value that is the very name it is assigned to: an enum member or a message key valued by its own
    name (`FEEDBACK$PASSWORD = "FEEDBACK$PASSWORD"`, All-Hands-AI/OpenHands' i18n keys), a test's stand-in spelling its
    variable's name without the separators or in another case (`let password_1 = "password1"`: 32 findings of
    astral-sh/uv's auth tests), or a SQL bind parameter named after its column (`SET password = :password`,
    `@password`: Room, SQLAlchemy, Rails, Dapper; red113), not a credential. Looks back at most as far as a value can
    be long, with its separators (lines are hostile: linear however long the line).
    Also the name after a namespace of names and one `#` or `/`: a Rails route's `controller#action` valued by the
    action its path names (`"/login/forgot_password" => "login#forgot_password"`: lobsters' routes, 16), a Redux action
    type's `domain/actionName` (`SAVE_SEASON_PASS = 'seasonPass/saveSeasonPass'`: Sonarr) — sec150."""
    if value[:1] in ":@":
        value = value[1:]
    # (In source only, where routes and action types are written: in a .env or a config file the value is the
    # password itself — a word, `#` and the key's own name in a .env blocked before sec150; the lead's review.)
    namespaced = _NAMESPACED_NAME.fullmatch(value) if code else None
    dotted = _DOTTED_KEY.fullmatch(value) if code else None
    if dotted is not None:
        # A configuration key's path whose last part is the name's own last word (`val Password =
        # "gatling.ssl.keyStore.password"`, `CONF_HTTP_BASIC_AUTH_PASSWORD = "gatling.http.basicAuth.password"`: 17 of
        # gatling's config-key constants, sec160): words as words are written, three parts at least.
        if not all(_WORD_CASES.fullmatch("".join("U" if c.isupper() else "l" for c in part))
                   for part in value.split(".")):
            return False  # random letters in the path (`Kx.mQzPw.password`)
        name = _NAME_TOKEN.match(text, _name_start(text, match_start, value))
        return name is not None and _bare(name.group(0)).endswith(_bare(dotted.group("last")))
    if namespaced is not None:
        if not all(_WORD_CASES.fullmatch("".join("U" if c.isupper() else "l" for c in word))
                   for word in re.split(r"[/_]+", namespaced.group("space")) if word):
            return False  # random letters before the name (`kJhGfTrEwQ#reset_password`), no namespace
        if _COMPOUND_NAME.search(namespaced.group("name")) is None:
            return False  # one word after the namespace: `Company/password`, `Summer#Password` are passwords (red151)
        value = namespaced.group("name")
    if _NAME_TOKEN.fullmatch(value) is None:
        return False
    name = _NAME_TOKEN.match(text, _name_start(text, match_start, value))
    return name is not None and (name.group(0) == value or _bare(name.group(0)) == _bare(value))


def _name_start(text: str, match_start: int, value: str) -> int:
    """Where the name a generic match starts in begins: back over its letters and separators, at most as far as the
    value is long twice (lines are hostile: linear however long the line)."""
    at = match_start
    floor = max(0, match_start - 2 * len(value))
    while at > floor and (text[at - 1].isalnum() or text[at - 1] in _NAME_PUNCTUATION):
        at -= 1
    return at


def _bare(name: str) -> str:
    return name.translate(_NAME_SEPARATORS).casefold()


_NAME_SEPARATORS = str.maketrans("", "", "_$.-")


_NAME_TOKEN = lazy(r"[A-Za-z_$][\w$.-]{3,255}")
# Names joined by `/` (a controller's or a module's path), then one `#` or `/` and a name (_own_name): in the namespace
# words of letters as words are written (_WORD_CASES: `login`, `admin/users`, `seasonPass`), no digit, no mark.
# (A namespace starts in lower case, as a controller's path and a store's domain are written; the name after it is an
# action's, of two words at least — `forgot_password`, `saveSeasonPass`, `RESET_PASSWORD` —: a person's password of a
# word, a mark and the key's one-word name, `Company/password`, `Summer#Password`, passed in a .env and a
# database.yml, red151.)
_COMPOUND_NAME = lazy(r"[A-Za-z0-9][_.-]+[A-Za-z0-9]|[a-z][A-Z]")
_NAMESPACED_NAME = lazy(r"(?P<space>[a-z_][A-Za-z_]{0,39}(?:/[a-z_][A-Za-z_]{0,39}){0,4})[#/]"
                              r"(?P<name>[A-Za-z_$][\w$.-]{3,255})")
_NAME_PUNCTUATION = frozenset("_$.-")
# A configuration key's dotted path (_own_name): two parts or more of letters, a dot, and the last part, a
# password's word (`gatling.http.ssl.keyStore.password`), each part starting in lower case. Not digits or marks.
_DOTTED_KEY = lazy(r"[a-z][A-Za-z]{0,39}(?:\.[a-z][A-Za-z]{0,39}){1,8}"
                         r"\.(?P<last>(?i:pass(?:word|wd|phrase)?|pwd))")


def _is_field_list(text: str, match_start: int, value_start: int, value: str) -> bool:
    """An unquoted generic value that is prose, markup or a record layout, not an assignment:
    `name:password:UID:GID` (passwd(5) fields, a name glued to `:` and a value that holds more
    colons), `"pwd: getcwd: No such process"` (a label: the value ends with a colon)."""
    if value.endswith(":") or text.startswith(("&lt;", "&gt;", "&quot;", "&amp;"), value_start + len(value)):
        return True  # a label, or a value cut short by HTML-escaped markup (`--api-key x=&lt;key&gt;`)
    operator = text[match_start:value_start].rstrip(" \t")
    glued = operator.endswith(":") and value_start > 0 and text[value_start - 1] == ":"
    return glued and ":" in value


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


FINGERPRINT_KEY_ENV = fingerprint.KEY_ENV
ENGINE_ENV = "GATEKEEPER_SECRETS_ENGINE"  # "re": the portable prefilter, for comparison and tests


def value_digest(value: str, key: str | None = None) -> str:
    """The digest shown in redactions and used for fingerprints.

    Plain sha256 lets anyone who reads a report test guesses of a weak password offline; with
    GATEKEEPER_FINGERPRINT_KEY set (a secret shared by the hook, CI and whoever writes baselines) it is
    an HMAC, which they cannot compute without the key (gatekeeper.fingerprint, the one keyed helper).
    """
    return fingerprint.digest(value, key=key)


def redact(value: str, digest: str, *, prefix: bool = True) -> str:
    """A short, printable prefix (at most 4 characters and a quarter of the value) and a hash."""
    shown = value[: min(4, len(value) // 4)] if prefix else ""
    shown = "".join(c if "!" <= c <= "~" else "?" for c in shown)
    return f"{shown}\u2026[sha256:{digest[:8]}]"


# --- the rules file --------------------------------------------------------------------------------


def parse_rules(text: str, source: str, *, lazily: bool = False, document: Any = None) -> tuple[SecretRule, ...]:
    """Validate a rules document; every problem is a ConfigError naming the rule and the fix.

    `lazily`: the rules' patterns are compiled when a scan first needs each (gatekeeper.lazy_regex), not here —
    for the shipped rules only, which tests/test_lazy_regex.py compiles and checks as this does; a rules file a
    user supplies is compiled, and each of its patterns checked, before anything is scanned. `document`: the text as
    YAML reads it, when the caller has it already (the shipped rules' index); it is validated all the same."""
    if document is not None:
        data = document
    else:
        try:
            data = yamlio.load(text, fast=True)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{source}: not valid YAML: {exc}", "fix the YAML syntax of the rules file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with `version: 1` and `rules:`",
                          "start the file with `version: 1` and list the rules under `rules:`")
    unknown = sorted(str(k) for k in data if k not in ("version", "rules"))
    if unknown:
        raise ConfigError(f"{source}: unknown top-level key {unknown[0]!r}",
                          "only `version` and `rules` are allowed at the top level")
    if data.get("version") != 1:
        raise ConfigError(f"{source}: version must be 1, not {data.get('version')!r}",
                          "set `version: 1`")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: `rules` must be a non-empty list", "list at least one rule under `rules:`")
    rules: list[SecretRule] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rule = _parse_rule(entry, f"{source}: rules[{index}]", lazily)
        if rule.id in seen:
            raise ConfigError(f"{source}: rules[{index}] (id {rule.id!r}): duplicate id",
                              "give every rule a unique id")
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _parse_rule(entry: object, where: str, lazily: bool = False) -> SecretRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a rule must be a mapping", "write each rule as `- id: ...` with its keys")
    rule_id = entry.get("id")
    if isinstance(rule_id, str) and rule_id:
        where = f"{where} (id {rule_id!r})"

    def fail(problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{where}: {problem}", fix)

    allowed = (*_REQUIRED_KEYS, *_OPTIONAL_KEYS)
    for key in entry:
        if key not in allowed:
            raise fail(f"unknown key {str(key)!r}", "allowed keys: " + ", ".join(sorted(allowed)))
    for key in _REQUIRED_KEYS:
        if key not in entry:
            raise fail(f"missing required key {key!r}", "every rule needs " + ", ".join(_REQUIRED_KEYS))
    if not isinstance(rule_id, str) or not _ID.fullmatch(rule_id):
        raise fail(f"invalid id {rule_id!r}", "use lowercase letters, digits and dashes, e.g. `aws-access-key`")
    description = entry["description"]
    if not isinstance(description, str) or not description.strip():
        raise fail("description must be a non-empty string", "describe what the rule finds in one line")
    severity_name = entry["severity"]
    if not isinstance(severity_name, str) or severity_name not in _SEVERITIES:
        raise fail(f"unknown severity {severity_name!r}", "use one of: " + ", ".join(_SEVERITIES))
    regex = _compile(entry["regex"], "regex", fail, lazily)
    if not lazily and "secret" not in regex.groupindex:
        raise fail("regex has no named group 'secret'", "wrap the secret value in (?P<secret>...)")
    keywords = entry.get("keywords", [])
    if not isinstance(keywords, list) or not all(
        isinstance(k, str) and k and k == k.lower() and "\n" not in k for k in keywords
    ):
        raise fail("keywords must be a list of non-empty lowercase strings",
                   "write keywords in lowercase: they are matched against the lowercased line")
    entropy_min = entry.get("entropy_min")
    if entropy_min is not None and (
        isinstance(entropy_min, bool) or not isinstance(entropy_min, int | float) or not 0 <= entropy_min <= 8
    ):
        raise fail(f"entropy_min must be a number between 0 and 8, not {entropy_min!r}",
                   "use bits per character, e.g. `entropy_min: 3.0`, or remove the key")
    allow = entry.get("allow", [])
    if not isinstance(allow, list):
        raise fail("allow must be a list of regexes", "write `allow: ['regex', ...]`")
    prefilter = entry.get("prefilter")
    if prefilter is not None:
        if "keywords" in entry:
            raise fail("a rule has either keywords or a prefilter, not both", "remove one of them")
        if not lazily:
            _compile(prefilter, "prefilter", fail)
    check = entry.get("check")
    if check is not None and check not in CHECKS:
        raise fail(f"unknown check {check!r}", "use one of: " + ", ".join(sorted(CHECKS)))
    for key in ("source", "sample"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise fail(f"{key} must be a non-empty string",
                       "`source`: the URL documenting the format; `sample`: a template like 'hf_{34:letters}'")
    paths = entry.get("paths")
    if paths is not None:
        paths = _compile(paths, "paths", fail, lazily)
    flags: dict[str, bool] = {}
    for key in ("generic", "multiline", "test_values"):
        value = entry.get(key, False)
        if not isinstance(value, bool):
            raise fail(f"{key} must be true or false, not {value!r}", f"write `{key}: true` or remove the key")
        flags[key] = value
    next_line = entry.get("next_line", False)
    if not (isinstance(next_line, bool) or (isinstance(next_line, int) and 1 <= next_line <= MAX_NEXT_LINES)):
        raise fail(f"next_line must be true, false or a number of lines from 1 to {MAX_NEXT_LINES}, not {next_line!r}",
                   "write `next_line: true` (the regex reads the next line too), `next_line: 2`, or remove the key")
    return SecretRule(
        id=rule_id,
        description=description.strip(),
        severity=_SEVERITIES[severity_name],
        regex=regex,
        keywords=tuple(dict.fromkeys(keywords)),
        entropy_min=None if entropy_min is None else float(entropy_min),
        allow=tuple(_compile(a, f"allow[{i}]", fail, lazily) for i, a in enumerate(allow)),
        generic=flags["generic"],
        multiline=flags["multiline"],
        next_line=int(next_line),
        test_values=flags["test_values"],
        check=check,
        source=str(entry.get("source", "")).strip(),
        prefilter=prefilter,
        paths=paths,
    )


def _compile(pattern: object, key: str, fail: Any, lazily: bool = False) -> re.Pattern[str] | LazyPattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise fail(f"{key} must be a non-empty string", f"write the {key} as a quoted Python regex")
    if lazily:
        return LazyPattern(pattern, re.ASCII)
    try:
        # ASCII: token alphabets are ASCII, and \w/\d/\s must not widen to all of Unicode.
        return re.compile(pattern, re.ASCII)
    except re.error as exc:
        raise fail(f"invalid {key}: {exc}", f"fix the {key} (Python `re` syntax)") from None


# --- the detector ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Detector-wide exceptions (a gitleaks `[allowlist]`): a value that matches one of `regexes` or
    holds one of `stopwords`, or a file whose path matches one of `paths`, is not reported — it is
    returned as suppressed, with this allowlist's description as the reason."""

    description: str = "allowlist"
    paths: tuple[Regex, ...] = ()
    regexes: tuple[Regex, ...] = ()
    stopwords: tuple[str, ...] = ()  # lowercase
    target: str = "secret"  # what `regexes` are searched in: secret | match | line

    def path_allowed(self, path: str | None) -> bool:
        return path is not None and any(r.search(path) for r in self.paths)

    def value_allowed(self, value: str, match: str, line: str) -> bool:
        lowered = value.lower()
        if any(w in lowered for w in self.stopwords):
            return True
        subject = {"secret": value, "match": match, "line": line}[self.target]
        return any(r.search(subject) for r in self.regexes)


@dataclass(frozen=True, slots=True)
class _Candidate:
    rule: SecretRule
    start: int
    end: int
    value: str
    material: str  # what is hashed: the value, plus the key body for multiline rules
    reason: str = ""  # why it is not reported; such a match still claims its span
    verified: bool = False
    example_host: bool = False

    @property
    def rejected(self) -> bool:
        return bool(self.reason)


def _shows_prefix(candidate: _Candidate) -> bool:
    """Only machine-made tokens show their first characters (usually the public format prefix):
    generic and short values are often human-chosen passwords, where every character helps a guess."""
    return not candidate.rule.generic and len(candidate.value) >= _MIN_PREFIXED_LENGTH


def _marker(found: re.Match[str] | None, fallback: str) -> str:
    """The placeholder marker that matched, as a short printable label (it is never the secret:
    markers are words like EXAMPLE, runs like xxxx, or template syntax)."""
    if found is None:
        return fallback
    text = "".join(c if "!" <= c <= "~" else "?" for c in found.group()[:12])
    return text or fallback


def _max_width(regex: Regex) -> int | None:
    """The longest text `regex` can match, or None when unbounded or unknown (a foreign engine)."""
    if not isinstance(regex, re.Pattern | LazyPattern):
        return None
    try:
        width = int(sre_parse.parse(regex.pattern, regex.flags).getwidth()[1])
    except (re.error, ValueError, TypeError):  # pragma: no cover - compiled already, so parseable
        return None
    return None if width >= sre_parse.MAXREPEAT else width


# A name to fill in between angle brackets as JSON encoders write them (`\\u003ckey\\u003e`: Go's encoding/json, and
# every HTML-safe encoder, escape `<`, `>` and `&`): beads' issue tracker's `.jsonl` quoting `--api-key=<key>`, 24
# blocking findings (meas149). Only the whole value, in those brackets, with a placeholder inside: `<Abc123!x9Zq>`
# escaped still blocks (stricter than the bare form, which the rules skip), and no other escape is read (a literal
# `\\u0024{…}` in a shell script is the password as written, not a template: decoding every escape would let one
# pass).
_ESCAPED_BRACKETS = lazy(r"\\u003[cC](?P<inner>(?:(?!\\u003[cCeE])[^<>]){1,80})\\u003[eE]")
# (red149) ... and the name a name's shape: words in one case joined by separators, or camelCase, each a word's
# length (`key`, `your-api-key`, `API_KEY`, `apiKey`). The `<[\w .:/@-]+>` marker the bare form meets takes any
# generated value without a mark (`\\u003c` + 16 letters and digits + `\\u003e` passed: a real key quoted with its
# brackets kept, or a password wrapped in them on purpose).
_ESCAPED_NAME = lazy(r"[a-z]{1,12}(?:[-_ .][a-z]{1,12})*|[A-Z]{1,12}(?:[-_ .][A-Z]{1,12})*"
                           r"|[a-z]{1,12}(?:[A-Z][a-z]{1,11})+")


def _escaped_bracket_placeholder(value: str) -> str:
    """Why a value is a name to fill in written between JSON-escaped angle brackets ("" when it is not)."""
    found = _ESCAPED_BRACKETS.fullmatch(value)
    if found is None or _ESCAPED_NAME.fullmatch(found["inner"]) is None:
        return ""
    reason = placeholder_reason("<" + found["inner"] + ">")
    return f"{reason[:-1]}, JSON-escaped)" if reason else ""


def placeholder_reason(value: str) -> str:
    """Why `value` is a placeholder ("" when it is not): the reason recorded for a suppressed match."""
    if len(set(value)) <= 1:
        return "placeholder value (one repeated character)"
    marker = _PLACEHOLDER_MARKERS.search(value)
    if marker is not None and not _generated_before_here(value, marker):
        return f"placeholder value ({_marker(marker, 'marker')})"
    if _PLACEHOLDER_WORDS.fullmatch(value.strip(_QUOTES)):
        return "placeholder value (a dummy word)"
    masked = _MASK.fullmatch(value.strip(_QUOTES))
    if masked is not None and _PLACEHOLDER_WORDS.fullmatch(masked["word"]):
        return "placeholder value (a dummy word between asterisks)"
    if _respelled_word(value.strip(_QUOTES)):
        return "placeholder value (a dummy word, respelt)"
    if _LONG_RUN.search(value):
        return "placeholder value (a long run of one character)"
    bare = value.strip(_QUOTES)
    if "password" in bare and _PASSWORD_PHRASE.fullmatch(bare):
        return "placeholder value (words naming a password)"
    inner = bare.strip(_BRACKETS)
    if inner != bare and inner and (_PLACEHOLDER_WORDS.fullmatch(inner) or _dummy_composition(inner)
                                    or _PLACEHOLDER_MARKERS.search(inner)):
        return "placeholder value (a name to fill in, in brackets)"
    padded = _NUL_PADDING.search(bare)
    if padded is not None and padded.start() and placeholder_reason(bare[:padded.start()]):
        return "placeholder value (a dummy word padded with escaped NULs)"
    return ""


# The instruction's `here` at a value's end (`SET_A_PASSWORD_HERE_123`, `your_token_here`).
_HERE_END = lazy(r"[_-]here(?:[_-]?[0-9]{1,4})?\Z", re.IGNORECASE)
# Words before it: capitals, lower case or camel humps, separated (not a generated run of letters and digits).
_INSTRUCTION_WORD = lazy(r"[A-Z]+|[A-Z]?[a-z]+(?:[A-Z][a-z]+)*")
_WORD_BREAK = lazy(r"[^A-Za-z0-9]+")
# A generated run between separators: ten or more letters and digits, a digit and both cases among them.
_GENERATED_TOKEN = lazy(r"(?=[^0-9]*[0-9])(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])[A-Za-z0-9]{10,}")


def _generated_before_here(value: str, marker: re.Match[str]) -> bool:
    """Whether the marker is `here` (and a counter) ending a generated value: `<generated>_here_7` is a password that
    ends so, not an instruction to fill one in (red165: any generated password with `_here_12` appended passed); or
    `your` inside a value holding a generated run."""
    if marker.start() and marker.group().strip("_-").lower() == "your":
        # (`<generated>_your_<generated>`: the word inside a generated password, not `change_your_password`.)
        return any(_GENERATED_TOKEN.fullmatch(word) for word in _WORD_BREAK.split(value))
    end = _HERE_END.search(value)
    if end is None or marker.start() != end.start():
        return False
    return not all(_INSTRUCTION_WORD.fullmatch(word) for word in _WORD_BREAK.split(value[:end.start()]) if word)


# Escaped NULs at a value's end (`"password\000\000"`: FreeRADIUS' sample policy shows what a client pads the
# password with; kanidm's copies of it, sec160): only the word before them is read.
_NUL_PADDING = lazy(r"(?:\\0{1,3}|\\x00|\\u0000)+\Z")


def _fold_case(text: str) -> str:
    """`text` lowercased with its length kept, so that offsets in it are offsets in `text`.

    `str.lower` changes the length only for U+0130 (capital I with a dot: i + a combining dot), which is
    kept as it is; it lowers U+03A3 (capital sigma) by its context (final sigma at a word's end), which the
    character alone lowers to U+03C3. Where the length changes, the text is split at those two and each
    piece lowered in one call: a Python loop over the characters of a 450 KB line costs ~0.2 s, and it ran
    once per generic rule on the line (firefly-iii's minified bundles hold one Turkish capital I with a dot,
    and are rebuilt in hundreds of commits)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "\u0130".join("\u03c3".join(piece.lower() for piece in part.split("\u03a3"))
                         for part in text.split("\u0130"))


# Hyperscan compiles its database in ~0.05-0.2 s; below this much text the portable prefilter is
# cheaper (a pre-receive push of a few files), above it Hyperscan wins by two orders of magnitude.
HYPERSCAN_AFTER_BYTES = 512 * 1024


class _Prefilter:
    """Which keywords (and keywordless rules' prefilter patterns) occur on which line of a batch.

    Hyperscan once the detector has seen HYPERSCAN_AFTER_BYTES of text (or at once with
    GATEKEEPER_SECRETS_ENGINE=hyperscan): one database of every keyword as a caseless literal plus every
    keywordless rule's pattern in prefilter mode, scanned in one pass. Before that, and on platforms
    without a Hyperscan wheel: one `str.find` per keyword over the lowercased batch and one search
    per pattern. Both give the same candidates (tests compare them); `re` confirms either way.
    """

    def __init__(self, keywords: Sequence[str], patterns: Sequence[str], finders: Sequence[Regex]) -> None:
        self.keywords = tuple(keywords)
        self.patterns = tuple(patterns)  # keywordless rules' prefilter patterns; ids follow the keywords'
        self._finders = tuple(finders)  # the same patterns compiled for the portable path
        self._db: Any = None
        self._lock = threading.Lock()  # a Hyperscan database has one scratch space
        self._unfiltered: tuple[int, ...] = ()  # pattern indexes Hyperscan cannot take (portable path)
        self._seen = 0
        mode = os.environ.get(ENGINE_ENV, "")
        self._hyperscan = mode != "re" and bool(self.keywords or self.patterns) and _hyperscan_module() is not None
        self._threshold = 0 if mode == "hyperscan" else HYPERSCAN_AFTER_BYTES

    @property
    def engine(self) -> str:
        """The prefilter bulk scans use: "hyperscan", or "re" (the portable one)."""
        return "hyperscan" if self._hyperscan else "re"

    def _compile(self) -> None:
        hyperscan = _hyperscan_module()
        assert hyperscan is not None
        expressions = [re.escape(k).encode("utf-8") for k in self.keywords]
        flags = [hyperscan.HS_FLAG_CASELESS] * len(self.keywords)
        ids = list(range(len(self.keywords)))
        regexes = {len(self.keywords) + i: p.encode("utf-8") for i, p in enumerate(self.patterns)}

        def compiled(chosen: Mapping[int, bytes]) -> Any:
            db = hyperscan.Database()
            db.compile(expressions=[*expressions, *chosen.values()], ids=[*ids, *chosen],
                       elements=len(expressions) + len(chosen),
                       flags=[*flags, *[hyperscan.HS_FLAG_PREFILTER] * len(chosen)])
            return db

        try:
            db = compiled(regexes)
            unfiltered: tuple[int, ...] = ()
        except hyperscan.error:
            # A pattern Hyperscan cannot take even as a prefilter (a gitleaks rule): it stays portable.
            accepted = {}
            for pid, pattern in regexes.items():
                try:
                    hyperscan.Database().compile(expressions=[pattern], flags=[hyperscan.HS_FLAG_PREFILTER])
                    accepted[pid] = pattern
                except hyperscan.error:
                    continue
            unfiltered = tuple(pid - len(self.keywords) for pid in regexes if pid not in accepted)
            db = compiled(accepted) if expressions or accepted else None
        self._db, self._unfiltered = db, unfiltered
        if db is None:
            self._hyperscan = False

    def lines(self, texts: Sequence[str], joined: str,
              offsets: dict[int, list[tuple[int, int]]] | None = None) -> dict[int, set[int]]:
        """line index -> ids found on it (keyword index, or len(keywords) + pattern index).

        On lines longer than MAX_GENERIC_LINE, also fills `offsets` (when given) with (id, end) for
        each occurrence, `end` in characters from the line's start: the rules then look only there.
        """
        self._seen += len(joined)
        if self._hyperscan and self._db is None and self._seen >= self._threshold:
            with self._lock:
                if self._db is None:
                    self._compile()
        found: dict[int, set[int]] = {}
        starts: list[int] = []

        def line_of(pos: int) -> int:
            if not starts:
                starts.extend([0, *itertools.accumulate(len(t) + 1 for t in texts)])
            return bisect.bisect_right(starts, pos) - 1

        def record(kid: int, line: int, end: int) -> None:
            found.setdefault(line, set()).add(kid)
            if offsets is not None and len(texts[line]) > MAX_GENERIC_LINE:
                offsets.setdefault(line, []).append((kid, end))

        portable = range(len(self.patterns)) if self._db is None else self._unfiltered
        for index in portable:
            for match in self._finders[index].finditer(joined):
                line = line_of(match.start())
                record(len(self.keywords) + index, line, match.end() - starts[line])
        if self._db is None:
            if self.keywords:
                lowered = [t.lower() for t in texts]  # lower() may change a line's length: offsets use these
                blob = "\n".join(lowered)
                lstarts = [0, *itertools.accumulate(len(t) + 1 for t in lowered)]
                for kid, keyword in enumerate(self.keywords):
                    pos = blob.find(keyword)
                    while pos != -1:
                        line = bisect.bisect_right(lstarts, pos) - 1
                        record(kid, line, pos + len(keyword) - lstarts[line])
                        more = offsets is not None and len(texts[line]) > MAX_GENERIC_LINE
                        pos = blob.find(keyword, pos + 1 if more else lstarts[line + 1])
            return found
        data = joined.encode("utf-8", "surrogatepass")
        hits: list[tuple[int, int]] = []

        def on_match(kid: int, _start: int, end: int, _flags: int, _context: object) -> None:
            hits.append((end, kid))

        with self._lock:
            self._db.scan(data, match_event_handler=on_match)
        hits.sort()
        line = pos = line_start = 0
        long_lines: set[int] = set()
        for end, kid in hits:
            # A prefilter regex may end its match on a newline it consumed ([^...] classes do).
            newlines = data.count(b"\n", pos, end)
            if newlines:
                line += newlines
                line_start = data.rfind(b"\n", pos, end) + 1
            pos = end
            found.setdefault(line, set()).add(kid)
            if offsets is not None and len(texts[line]) > MAX_GENERIC_LINE:
                offsets.setdefault(line, []).append((kid, end - line_start))
                long_lines.add(line)
        for line in long_lines:
            text = texts[line]
            if not text.isascii():  # byte offsets -> character offsets
                raw = text.encode("utf-8", "surrogatepass")
                offsets_line = offsets[line] if offsets is not None else []
                # only the Hyperscan entries are in bytes; the portable ones were added in characters
                in_characters = {len(self.keywords) + index for index in self._unfiltered}
                chars = _char_offsets(raw, [end for kid, end in offsets_line if kid not in in_characters])
                converted = [(kid, end if kid in in_characters else chars[end]) for kid, end in offsets_line]
                if offsets is not None:
                    offsets[line] = converted
        return found


def _char_offsets(raw: bytes, ends: Iterable[int]) -> dict[int, int]:
    """For each byte offset `end` into `raw` (UTF-8), `len(raw[:end].decode("utf-8", "ignore"))`: the
    characters before it. In one pass over the sorted offsets, not a decode of each prefix, which cost
    O(keyword hits x line length) on a long non-ASCII line (a minified bundle: thousands of hits).

    A decode splits at any byte that does not continue a character (UTF-8 synchronises on it; a broken
    sequence before it is dropped without it), so the count is carried from the last such byte."""
    chars: dict[int, int] = {}
    at = count = 0  # a byte offset where a character starts (or the end), and the characters before it
    for end in sorted(set(ends)):
        start = end
        while start > at and start < len(raw) and raw[start] & 0xC0 == 0x80:
            start -= 1  # inside a character: back to where it starts
        count += len(raw[at:start].decode("utf-8", "ignore"))
        at = start
        chars[end] = count + len(raw[start:end].decode("utf-8", "ignore"))
    return chars


def _hyperscan_module() -> Any:
    try:
        import hyperscan
    except ImportError:  # pragma: no cover - platforms without a wheel
        return None
    return hyperscan


class SecretDetector:
    """Scans added lines with a fixed rule set; immutable and safe to share between threads."""

    def __init__(self, rules: Sequence[SecretRule], digest: str = "",
                 allowlists: Sequence[Allowlist] = ()) -> None:
        self.rules: tuple[SecretRule, ...] = tuple(rules)
        self.allowlists: tuple[Allowlist, ...] = tuple(allowlists)
        self._digest = digest or _sha256(
            "\x00".join(f"{r.id}\x01{r.regex.pattern}\x01{r.keywords}\x01{r.entropy_min}\x01{r.check}"
                        for r in self.rules)
        )
        by_keyword: dict[str, set[int]] = {}
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                by_keyword.setdefault(keyword, set()).add(index)
        keywords = sorted(by_keyword)
        # The rules without keywords, by prefilter: rules that share one (a family's password and secret rules) are
        # made candidates by one search, not one each.
        by_pattern: dict[str | int, list[int]] = {}
        for index, rule in enumerate(self.rules):
            if not rule.keywords:
                by_pattern.setdefault(rule.prefilter or index, []).append(index)
        keywordless = [indexes[0] for indexes in by_pattern.values()]
        self._prefilter = _Prefilter(
            keywords,
            [self.rules[i].prefilter or self.rules[i].regex.pattern for i in keywordless],
            [LazyPattern(p, re.ASCII) if (p := self.rules[i].prefilter) else self.rules[i].regex for i in keywordless],
        )
        # prefilter id -> the rules it makes candidates
        self._id_rules = (*(frozenset(by_keyword[k]) for k in keywords),
                          *(frozenset(indexes) for indexes in by_pattern.values()))
        self._reach: dict[int, int | None] = {}  # longest match per rule, computed when a long line needs it
        self._keyword_rules = frozenset(i for i, r in enumerate(self.rules) if r.generic)  # what a stylesheet skips
        self._depth = max((r.next_line for r in self.rules), default=0)

    @classmethod
    def load(cls, path: Path | None = None) -> SecretDetector:
        source = default_rules_path() if path is None else path
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read secrets rules: {exc.strerror or exc}",
                              "check the path of the secrets rules file") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{source}: secrets rules are not UTF-8: {exc}", "save the file as UTF-8") from None
        # The shipped rules are compiled as a scan needs them (a small push reaches a few of them: its keywords), and
        # read from their index's copy of the document when it was made from this very text.
        shipped = path is None
        document = shipped_document(source, text) if shipped else None
        return cls(parse_rules(text, str(source), lazily=shipped, document=document), hashlib.sha256(raw).hexdigest())

    @property
    def digest(self) -> str:
        """sha256 of the rules file: part of every cache key over scan results."""
        return self._digest

    @property
    def engine(self) -> str:
        """The prefilter in use: "hyperscan" or "re"."""
        return self._prefilter.engine

    def scan_text(self, text: str, *, path: str | None = None, with_suppressed: bool = False) -> list[SecretHit]:
        # git's notion of a line: split on "\n" only (str.splitlines would also split on \x0b, \x1c, ...).
        texts = text.split("\n")
        if "\r" in text:
            texts = [t.rstrip("\r") for t in texts]
            text = "\n".join(texts)
        return self._scan(range(1, len(texts) + 1), texts, text, path, with_suppressed)

    def next_line_paths(self, path: str | None) -> bool:
        """Whether a rule that reads a line and the next (next_line) reads this file."""
        return any(r.next_line and (r.paths is None or (path is not None and r.paths.search(path)))
                   for r in self.rules)

    def next_line_keywords(self) -> tuple[str, ...]:
        """The keywords of the rules that read a line and the next: one must be on the first line."""
        return tuple(dict.fromkeys(k for r in self.rules if r.next_line for k in r.keywords))

    def reads_next_line(self, rule_id: str) -> bool:
        """Whether the rule of this hit (`secrets/<id>`) reads a line and the next one."""
        return any(r.next_line and f"{NAMESPACE}/{r.id}" == rule_id for r in self.rules)

    def next_line_depth(self) -> int:
        """The most lines a next_line rule reads after the one its name is on (0: no such rule)."""
        return self._depth

    def scan_lines(self, lines: Iterable[tuple[int, str]], *, path: str | None = None,
                   with_suppressed: bool = False, context: FileContext | None = None) -> list[SecretHit]:
        """Hits on these lines; with `with_suppressed`, also the matches judged placeholders,
        examples or allow-listed (their `suppressed` says why), so callers can record them. With `context`, the
        whole file the lines are part of (`context.lines`) tells what a hunk starts inside; without it, the detector
        sets `context.wanted` when a judgment depended on that (code_text.TextRegions)."""
        pairs = list(lines)
        if not pairs:
            return []
        numbers = [n for n, _ in pairs]
        texts = [t for _, t in pairs]
        joined = "\n".join(texts)
        if "\r" in joined or joined.count("\n") != len(texts) - 1:
            texts = [t.rstrip("\r\n") for t in texts]
            joined = "\n".join(texts)
        return self._scan(numbers, texts, joined, path, with_suppressed, context)

    def _scan(self, numbers: Sequence[int], texts: list[str], joined: str, path: str | None,
              with_suppressed: bool, context: FileContext | None = None) -> list[SecretHit]:
        path_allowed = next((a for a in self.allowlists if a.path_allowed(path)), None)
        hits: list[SecretHit] = []
        offsets: dict[int, list[tuple[int, int]]] = {}
        kind = source_kind(path)
        if kind.example and path is not None and _REQUEST_COLLECTION.search(path) and _remote_host_named(joined):
            # Saved requests to a host on a network (the URL on another line than the body): the logins in use there,
            # not an API's documented example (red139).
            kind = kind._replace(example=False)
        depth = max(1, self._depth)
        # How far a comment, a multi-line string or markup begun on an earlier line reaches into each line: lexed
        # lazily, only when an unquoted value may be code (_code_value).
        regions = (TextRegions(numbers, texts, kind.lexed, context.lines if context is not None else None)
                   if kind.lexed is not None else None)
        for index, rule_indexes in sorted(self._candidate_rules(texts, joined, path, offsets).items()):
            following: list[str] = []  # the added lines right after this one, as far as a rule reads
            while (len(following) < depth and index + len(following) + 1 < len(texts)
                   and numbers[index + len(following) + 1] == numbers[index] + len(following) + 1):
                following.append(texts[index + len(following) + 1])
            windows = self._windows(texts[index], offsets[index]) if index in offsets else None
            seen = self._keywords_seen(texts[index], offsets[index]) if index in offsets else None
            until = functools.partial(regions.until, index) if regions is not None else None
            # A key block's header added without the line after it (a re-indented header, a template's commented
            # example whose `# ...` body was there before): its body is read from the file (authelia's
            # config.template.yml: 22 blocking findings of `# ...` bodies, pocketbase's bundle), asked for when unknown.
            file_next = (context.lines[numbers[index]] if not following and context is not None
                         and context.lines is not None and 0 < numbers[index] < len(context.lines) else None)
            block = functools.partial(_block_after, numbers, texts, index,
                                      context.lines if context is not None else None)
            line_hits = self._scan_line(rule_indexes, numbers[index], texts[index], following, windows, kind, until,
                                        seen, file_next, block, path)
            if (not following and context is not None and context.lines is None
                    and any(h.key_block and not h.suppressed for h in line_hits)):
                context.wanted = True
            elif (context is not None and context.lines is None
                  and any(h.key_block and h.suppressed.startswith("placeholder key body") for h in line_hits)
                  and not any("-----END " in line for line in (texts[index], *block()))):
                # Marks with no END line in the added lines: the material may be the file's lines below (a header and
                # a `...` line added over a body that was there).
                context.wanted = True
            if any(h.rule_id in _REQUEST_HEADER_RULES for h in line_hits):
                # (To an example's host: a documentation page's example; to a host on a network: not a test's value.)
                example, remote = _header_destination(numbers, texts, index)
                line_hits = [dataclasses.replace(h, example_host=example, remote_host=remote)
                             if h.rule_id in _REQUEST_HEADER_RULES else h for h in line_hits]
            hits.extend(line_hits)
        if context is not None and regions is not None and regions.uncertain:
            context.wanted = True
        if any(rule.next_line for rule in self.rules):
            # A value a next_line rule found may be one the next line's own rules found too: one report, the more
            # severe (a provider's format outranks a name seen on the line before).
            best: dict[tuple[int, int], SecretHit] = {}
            for hit in hits:
                held = best.get((hit.line, hit.column))
                if held is None or hit.severity > held.severity:
                    best[(hit.line, hit.column)] = hit
            hits = sorted(best.values(), key=lambda h: (h.line, h.column))
        if path_allowed is not None:
            hits = [dataclasses.replace(h, suppressed=h.suppressed or f"{path_allowed.description} (path)")
                    for h in hits]
        return hits if with_suppressed else [h for h in hits if not h.suppressed]

    def _candidate_rules(self, texts: list[str], joined: str, path: str | None,
                         offsets: dict[int, list[tuple[int, int]]]) -> dict[int, set[int]]:
        """Which rules to try on which line (by index), from keyword occurrences in the whole batch."""
        candidates: dict[int, set[int]] = {}
        for line, ids in self._prefilter.lines(texts, joined, offsets).items():
            rules = candidates.setdefault(line, set())
            for kid in ids:
                rules |= self._id_rules[kid]
        wrong_path: set[int] = set()
        if any(r.paths is not None for r in self.rules):
            wrong_path = {i for i, r in enumerate(self.rules)
                          if r.paths is not None and (path is None or not r.paths.search(path))}
        if path is not None and _STYLESHEET.search(path):
            wrong_path |= self._keyword_rules
        if wrong_path:
            for rules in candidates.values():
                rules -= wrong_path
        return candidates

    def _windows(self, text: str, offsets: list[tuple[int, int]]) -> dict[int, list[list[int]]]:
        """Long lines: for each rule, the merged spans where its keyword (or prefilter regex) ended,
        widened by the longest match the rule can make on either side. A rule's regex then runs on
        those spans only, so a megabyte line costs each rule what its own candidates cost."""
        spans: dict[int, list[list[int]]] = {}
        for kid, end in sorted(offsets, key=lambda item: item[1]):
            for index in self._id_rules[kid]:
                if index not in self._reach:
                    self._reach[index] = _max_width(self.rules[index].regex)
                reach = self._reach[index]
                if reach is None:
                    spans[index] = [[0, len(text)]]
                    continue
                start, stop = max(0, end - reach - 64), min(len(text), end + reach)
                merged = spans.setdefault(index, [])
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], stop)
                else:
                    merged.append([start, stop])
        return spans

    def _keywords_seen(self, text: str, offsets: list[tuple[int, int]]) -> frozenset[str] | None:
        """A long line's keywords as the prefilter found them, for the generic rules' own search to skip the ones
        it did not: each `str.find` of an absent keyword reads the whole line (~0.5 ms a megabyte, x the 100-odd
        generic keywords, x every commit that rebuilds a bundle). Both prefilters find every ASCII keyword that
        _fold_case(text) holds (Hyperscan folds ASCII letters; the portable one searches `str.lower()`), except
        one spelt with U+212A (Kelvin sign), the one non-ASCII character _fold_case makes ASCII: such a line, and
        non-ASCII keywords, are searched in full. None: search every keyword."""
        if "\u212a" in text:
            return None
        keywords = self._prefilter.keywords
        return frozenset(keywords[kid] for kid, _ in offsets if kid < len(keywords))

    def _scan_line(self, rule_indexes: Iterable[int], number: int, text: str, following: Sequence[str] = (),
                   windows: dict[int, list[list[int]]] | None = None, kind: SourceKind = _NO_KIND,
                   text_until: Callable[[], int] | None = None, seen: frozenset[str] | None = None,
                   file_next: str | None = None, block: Callable[[], list[str]] | None = None,
                   path: str | None = None) -> list[SecretHit]:
        found: list[_Candidate] = []
        # next_line rules' values, on a following line (by its index in `following`; offsets there)
        after: dict[int, list[_Candidate]] = {}
        # (A key block's body: the next added line, else the file's next line when the caller has the file.)
        next_text = following[0] if following else (file_next or "")
        # A long line's lowercase form, made once for all the generic rules that look for their keywords in it.
        folded = functools.cache(functools.partial(_fold_case, text))
        for index in rule_indexes:
            rule = self.rules[index]
            if rule.next_line:
                lines = [text, *following[:rule.next_line]]
                if len(lines) > 1 and all(len(line) <= MAX_GENERIC_LINE for line in lines):
                    window = "\n".join(lines)
                    cuts = list(itertools.accumulate(len(line) + 1 for line in lines))  # where each next line starts
                    for match in rule.regex.finditer(window):
                        candidate = self._candidate(rule, match, window, "", kind)
                        if candidate is None:
                            continue
                        if candidate.start < cuts[0]:
                            found.append(candidate)  # a value before its name (`- value: …` then `name: …`)
                            continue
                        at = bisect.bisect_right(cuts, candidate.start) - 1
                        after.setdefault(at, []).append(dataclasses.replace(
                            candidate, start=candidate.start - cuts[at], end=candidate.end - cuts[at]))
                continue
            if windows is not None and not rule.generic:
                matches: Iterable[Any] = (m for start, stop in windows.get(index, [[0, len(text)]])
                                          for m in rule.regex.finditer(text, start, stop))
            else:
                matches = self._matches(index, rule, text, folded, seen)
            for match in matches:
                candidate = self._candidate(rule, match, text, next_text, kind, text_until, block)
                if candidate is not None:
                    found.append(candidate)
        if path is not None and (joined := _fold_literal_joins(text, path)) is not None:
            found.extend(self._joined_candidates(rule_indexes, joined, next_text, kind, text_until))
        if (path is not None and following and _JOIN_ENDS_LINE.search(text) and _JOIN_STARTS_LINE.match(following[0])
                and (joined := _fold_literal_joins(f"{text}\n{following[0]}", path)) is not None):
            # A join broken over two lines (`"…password="` then `+ "<value>"` on the next): only a match across the
            # line break, placed on the line its value starts on.
            folded_text, origin, joins = joined
            cut = len(text)
            joins = [j for j in joins if origin[j - 1] < cut < origin[j]]
            for candidate in self._joined_candidates(rule_indexes, (folded_text, origin, joins), "", kind, None):
                if candidate.start > cut:
                    after.setdefault(0, []).append(dataclasses.replace(
                        candidate, start=candidate.start - cut - 1, end=candidate.end - cut - 1))
                else:
                    found.append(dataclasses.replace(candidate, end=min(candidate.end, cut)))
        hits = self._hits(found, number, text) if found else []
        for at, candidates in sorted(after.items()):
            hits.extend(self._hits(candidates, number + 1 + at, following[at]))
        return hits

    def _joined_candidates(self, rule_indexes: Iterable[int], joined: tuple[str, list[int], list[int]],
                           next_text: str, kind: SourceKind,
                           text_until: Callable[[], int] | None) -> Iterator[_Candidate]:
        """The values the line holds once its joined string literals are one (_fold_literal_joins): only a match that
        runs across a join (the line as written gave the rest), placed back on the line as written."""
        text, origin, joins = joined
        # (How far a comment or string begun above reaches, in the folded line's places.)
        until = (None if text_until is None
                 else functools.partial(lambda ask: bisect.bisect_left(origin, ask()), text_until))
        for index in rule_indexes:
            rule = self.rules[index]
            if rule.next_line or rule.multiline:
                continue
            for match in rule.regex.finditer(text):
                candidate = self._candidate(rule, match, text, next_text, kind, until)
                # (The first join after the match's start, by bisection: a hostile line of thousands of joins and
                # matches costs each match a logarithm, not the whole list.)
                at = bisect.bisect_right(joins, match.start())
                if candidate is None or at == len(joins) or joins[at] >= candidate.end:
                    continue
                yield dataclasses.replace(candidate, start=origin[candidate.start],
                                          end=origin[candidate.end - 1] + 1)

    def _hits(self, found: list[_Candidate], number: int, text: str) -> list[SecretHit]:
        """One hit per value of a line's candidates (`text` is line `number`)."""
        # One report per value: when rules overlap, a provider rule beats a generic one, then the
        # more severe, then the longer match. A provider match rejected as a placeholder still
        # claims its span, so the generic rules do not report the documented example it recognised.
        found.sort(key=lambda c: (c.rule.generic, -c.rule.severity, c.start - c.end, c.start, c.rule.id))
        kept: list[_Candidate] = []  # non-overlapping, ordered by start
        starts: list[int] = []
        for candidate in found:
            at = bisect.bisect_right(starts, candidate.start)
            if (at and kept[at - 1].end > candidate.start) or (at < len(kept) and kept[at].start < candidate.end):
                continue
            kept.insert(at, candidate)
            starts.insert(at, candidate.start)
        hits = []
        key = fingerprint.current_key()
        for c in kept:
            reason = c.reason
            if not reason and self.allowlists:
                allowed = next((a for a in self.allowlists
                                if a.value_allowed(c.value, text[c.start:c.end], text)), None)
                if allowed is not None:
                    reason = allowed.description
            digest = value_digest(c.material, key)
            hits.append(SecretHit(
                rule_id=f"{NAMESPACE}/{c.rule.id}",
                description=c.rule.description,
                severity=c.rule.severity,
                line=number,
                column=c.start + 1,
                redacted=redact(c.material, digest, prefix=_shows_prefix(c)),
                digest=digest,
                verified=c.verified,
                suppressed=reason,
                value=c.value,
                test_value=c.rule.test_values,
                provider=not (c.rule.generic or c.rule.multiline or c.rule.test_values or c.rule.id in _URL_RULES
                              or c.rule.check == "basic-auth"),  # (RFC 7617's header names no issuer)
                key_block=c.rule.multiline,
                example_host=c.example_host,
            ))
        return hits

    def _matches(self, index: int, rule: SecretRule, text: str, folded: Callable[[], str],
                 seen: frozenset[str] | None = None) -> Iterator[Any]:
        if not rule.generic or len(text) <= MAX_GENERIC_LINE:
            yield from rule.regex.finditer(text)
            return
        if not rule.keywords:  # a generic rule without keywords: too costly on a long line
            return
        lowered = folded()
        # `str.find` per keyword, not a `re` alternation: an alternation of literals runs at ~1 MB/s.
        occurrences: list[tuple[int, int]] = []
        for keyword in rule.keywords:
            if seen is not None and keyword not in seen and keyword.isascii():
                continue  # not on the line (_keywords_seen)
            pos = lowered.find(keyword)
            while pos != -1 and len(occurrences) < _MAX_WINDOW_CHARS:
                occurrences.append((pos, pos + len(keyword)))
                pos = lowered.find(keyword, pos + 1)
        occurrences.sort()
        windows: list[list[int]] = []
        budget = _MAX_WINDOW_CHARS
        for found_start, found_end in occurrences:
            start = max(0, found_start - _WINDOW_BEFORE)
            end = min(len(text), found_end + _WINDOW_AFTER)
            if windows and start <= windows[-1][1]:
                if end > windows[-1][1]:
                    budget -= end - windows[-1][1]
                    windows[-1][1] = end
            else:
                budget -= end - start
                windows.append([start, end])
            if budget <= 0:
                break
        for start, end in windows:
            yield from rule.regex.finditer(text, start, end)

    @staticmethod
    def _candidate(rule: SecretRule, match: Any, text: str, next_text: str,
                   kind: SourceKind = _NO_KIND, text_until: Callable[[], int] | None = None,
                   block: Callable[[], list[str]] | None = None) -> _Candidate | None:
        value = match.group(rule.group)
        if not value:
            return None
        start, end = match.span(rule.group)
        verified = False
        if rule.check is not None:
            outcome = CHECKS[rule.check](value)
            if outcome is False:
                # Not the format at all (a JWT-shaped string whose header is not JSON, ...).
                return None if rule.generic else _Candidate(rule, start, end, value, value,
                                                            reason=f"fails the {rule.check} structure test")
            verified = outcome is True
            if (verified and rule.check == "basic-auth" and kind.example and not kind.deployed
                    and (weak := example_password(_basic_password(value)))):
                return _Candidate(rule, start, end, value, value, reason=weak)  # recorded, not reported
        reason = ""
        if any(a.search(value) for a in rule.allow):
            reason = "documented example value"
        elif any(w in value.lower() for w in rule.stopwords):
            reason = "stopword"
        elif not verified:
            # A verified checksum is proof of a machine-made token, whatever it looks like.
            reason = placeholder_reason(value)
            if not reason and "\\u" in value:
                reason = _escaped_bracket_placeholder(value)
            if not reason and rule.id in _URL_RULES and "%" in value and not kind.deployed:
                # A URL's password is percent-encoded (`p%40ss%23word`): the dummy word is in what it decodes to. Only
                # a word: a generator's symbols, encoded, can decode to a template's marks (`${`, `{{`: red135).
                decoded = urllib.parse.unquote(value)
                if _PLACEHOLDER_WORDS.fullmatch(decoded) or _respelled_word(decoded):
                    reason = "placeholder value (a dummy word, percent-encoded)"
            if not reason and rule.generic:
                reason = _encoded_placeholder(value)
            if not reason and rule.entropy_min is not None and shannon_entropy(value) < rule.entropy_min:
                reason = f"low entropy (under {rule.entropy_min:g} bits per character)"
            if not reason and not rule.generic and not rule.multiline:
                reason = _inside_encoded_data(text, start, end)
            if not reason and rule.id in _NAMED_KEY_RULES and _WORD_COUNTER.fullmatch(value):
                reason = "a made-up name (words and a counter)"
            if not reason and rule.id == "gcp-service-account-key":
                reason = _service_account_without_key(text, end, block() if block is not None else [next_text])
            if not reason and rule.id == "database-url-password":
                # (Not a Compose file of a real environment's, `docker-compose.prod.yml`, `deploy/compose/prod.yml`: its
                # database's weak password is that environment's, as red135 holds for a keyword rule's: red142.)
                reason = _local_database(text, end, value, "" if kind.deployed else kind.services)
            if not reason and rule.id in _URL_RULES:
                reason = _own_user(text, start, value)
            elif (not reason and kind.example and not kind.deployed and (weak := example_password(value))
                  and not (kind.hosts_matter and _remote_host_named(text))):
                # Recorded, not reported. (Not a URL's password: `testpass@db.prod.example.net` names the host it
                # opens.)
                return _Candidate(rule, start, end, value, value, reason=weak)
        if not reason and len(value) >= 16 and hashlib.sha256(value.encode()).hexdigest() in _PUBLISHED_KEYS:
            reason = _PUBLISHED_KEYS[hashlib.sha256(value.encode()).hexdigest()]
        if not reason and "password" in rule.id and (_PASSWORD_HASH.fullmatch(value) or _identity_hash(value)):
            # Recorded, not reported: a hash is what a system stores in place of the password (it may still be
            # weak, but it is not the secret itself).
            return _Candidate(rule, start, end, value, value, reason="a password hash, not the password")
        if reason:
            if not rule.generic:
                return _Candidate(rule, start, end, value, value, reason=reason)
            # A generic value that only *names* a secret (a template, an environment look-up, a word)
            # is not one: nothing to record. One that is marked as an example is recorded.
            example = _EXAMPLE_MARKERS.search(value)
            return None if example is None else _Candidate(rule, start, end, value, value,
                                                           reason=f"placeholder value ({_marker(example, 'example')})")
        if rule.generic:
            if rule.id == "cli-password" and ((_REGEX_PIECE.search(value) and len(_REGEX_TOKENS.sub("", value)) <= 3)
                                              or _spec_without_secret(value, kind)):
                return None  # a pattern that finds the option (`--password=\S+`), a spec of names (`--secret id=,env=`)
            if (rule.id == "cli-password" and kind.usage and not kind.deployed
                    and _USAGE_TEMPLATE.search(text, max(0, match.start() - 300), match.start()) is not None):
                return _Candidate(rule, start, end, value, value,
                                  reason="a command's usage example (its program is a CLI framework's help template)")
            if (kind.localized or _MESSAGE_OWNER.search(text, max(0, match.start() - 80), match.start())
                    or (kind.language_named and not kind.deployed
                        and (not value.isascii() or _ASCII_TRANSLATION.fullmatch(value)))
                    or ((kind.bundle or (kind.catalogue and not kind.deployed)) and _label(value))) and (
                    _translated_words(value)):
                return None  # a translation in a localized resource, a form's message under its field
            quoted = start > 0 and text[start - 1] in _QUOTES
            long_line = kind.script and len(text) > _MINIFIED_LINE
            if not quoted and (kind.bundle or long_line) and (
                    _MINIFIED_NAMES.fullmatch(value)
                    or (_MINIFIED_CODE.fullmatch(value) and (kind.bundle or _member_name(text, match.start())))):
                # Minified code (pocketbase's committed `ui/dist/`: 282 blocking findings in 2,453 commits, a member
                # read and a ternary run together after `password=`): a literal there is quoted, as in any script.
                return None
            if quoted and text[start - 1] == "`" and _RST_ROLE.search(text, max(0, start - 42), start - 1):
                return None  # reStructuredText prose: `pass :data:`~flask.current_app`` names an object (flask's docs)
            if (not quoted and kind.syntax == "yaml" and _YAML_ALIAS.fullmatch(value)
                    and _YAML_VALUE_START.search(text, max(0, start - 40), start)):
                return None  # `password: *db-password`: an alias, where a YAML value starts (not `- X=*…`: red139)
            if not quoted and _YAML_TAG.fullmatch(value) and _BLOCK_AFTER_TAG.match(text, end):
                return None  # `db_password: !vault |` in any file: a tag before a block scalar
            sed = _SED_SUBSTITUTION.match(text, start)
            if sed is not None and sed.end() >= end:
                return None  # the rest of `s/NAME=.*/NAME=$VAR/`: a pattern and a variable
            if "s" in text[max(0, match.start() - 90):match.start()] and _sed_default(_sed_replaced(text, match.start(),
                                                                                                 start)):
                return None  # the rest of `s/NAME=<default>/NAME=$VAR/`: a shipped default replaced by a variable
            if (rule.id in _XML_RULES and kind.bound_markup
                    and text[match.start():start].rstrip(" \t").endswith(("=>", "->"))):
                return None  # `:options="['1' => trans('a.b')]"`: PHP's arrow in a bound attribute, not the tag's end
            if (quoted and (bound := _BOUND_ATTRIBUTE.fullmatch(text, match.start(), start)) is not None
                    and (opened := _ATTRIBUTE_OPEN.search(text, max(0, match.start() - 120), match.start())) is not None
                    and opened.group("q") == bound.group("q") and not _RANDOM_SEGMENT.fullmatch(value)):
                return None  # `type="password" :disabled="!data['k']"`: another attribute's bound expression
            if value.startswith("?") and _EXPANSION_CHECK.search(text, max(0, start - 90), start):
                return None  # `${NAME:?message}`
            if (not quoted and match.groupdict().get("eq") == ":=" and _TEMPLATE_FIELDS.fullmatch(value)
                    and _TEMPLATE_VARIABLE.search(text, max(0, match.start() - 80), match.start())
                    and (action := _TEMPLATE_ACTION_END.match(text, end)) is not None
                    and all(not literal or _PLACEHOLDER_WORDS.fullmatch(literal) or _dummy_composition(literal)
                            for found in _TEMPLATE_LITERAL.finditer(action.group())
                            for literal in (found.group(1) or found.group(2) or "",))):
                return None  # `{{- $password := .Values.auth.password }}`: a Go template's field chain, never a literal
            if not quoted and not kind.deployed and value.isascii() and value.isalpha() and (
                    (label := _LABEL_WORDS.fullmatch(text, end)) is not None
                    and label.group("last").lower() in _SECRET_NOUNS
                    and all(_LABEL_WORD.fullmatch(word) for word in (value, *label.group().split()))):
                return None  # `- password: Langfuse Secret Key`: words naming what goes there, not a password
            if not quoted and _code_value(text, match.start(), start, value, kind, text_until):
                return None
            if not quoted and kind.php and _CLASS_CONSTANT.fullmatch(value):
                return None  # `'Password' => Password::class`: PHP's class-name constant (a facade alias: koel, sec161)
            if not quoted and text[end:end + 1] == "`" and _NEGATION.fullmatch(value):
                return None  # code in a code span of prose or a comment: `has_password = !!password`
            if (match.start() > 1 and text[match.start() - 1] == "=" and text[match.start() - 2].isalnum()
                    and _OPTION_VALUE_KEYWORD.match(text, match.start())):
                return None  # the keyword is another option's value: ffmpeg's `eof_action=pass:repeatlast=0` (jellyfin)
            if kind.example and not kind.deployed and _FAKE_VALUE.search(value):
                # `fakeLinkedInPassword`, `Fake-Concur-Pass-24` in seed fixtures: the value says it is made up
                return _Candidate(rule, start, end, value, value, reason="its value says it is made up")
            if not kind.deployed and _NOT_REAL_NAME.search(text, max(0, match.start() - 40), match.start()):
                # `FAKE_PASSWORD = '…'`, `examplePassword`, `mock_pass`: the name says it is not a real one (recorded)
                return _Candidate(rule, start, end, value, value, reason="its name says the value is made up")
            if not (_looks_like_credential(value, quoted, kind) or (
                    "password" in rule.id and (quoted or kind.syntax != "code") and _passphrase(value))) or (
                not quoted and _is_field_list(text, match.start(), start, value)
            ) or _own_name(text, match.start(), value, kind.syntax == "code" or kind.lexed is not None):
                return None
        material = value
        if rule.multiline and _CLOSED_STRING.match(text, match.end()) and not _literal_body(
                next_text, block() if block is not None else [next_text]):
            return None  # a header alone in a string: a constant, a check, a body joined from a variable
        if rule.multiline:
            # The header is the same for every key of a kind; hash the key material after it too.
            rest = text[match.end() : match.end() + _MULTILINE_CONTEXT].strip()
            body = next_text[:_MULTILINE_CONTEXT].strip()
            # Not is_placeholder: key bodies legitimately hold runs like "AAAAAAAA" (OpenSSH).
            if (_PLACEHOLDER_MARKERS.search(rest) or _PLACEHOLDER_MARKERS.search(body)) and not _material_past_marks(
                    text[match.end() :], block() if block is not None else [next_text]):
                return _Candidate(rule, start, end, value, value, reason="placeholder key body")  # "MIIE...", "<key>"
            if _no_key_material(rest, block() if block is not None else [next_text]):
                return _Candidate(rule, start, end, value, value, reason="a key block with no key material")
            if _repeated_material(rest, body):
                return _Candidate(rule, start, end, value, value, reason="placeholder key body (a few characters "
                                                                         "repeated, not base64 key material)")
            material = "\n".join((value, rest, body))
        return _Candidate(rule, start, end, value, material, verified=verified,
                          example_host=rule.id in _URL_RULES and _EXAMPLE_HOST.match(text, end + 1) is not None)
