"""Optional live validation of found credentials (policy `secrets.validate: true`; off by default).

For providers with a read-only identity call, ask whether the credential works: `live` (it
authenticates — rotate it now), `revoked` (the provider refuses it) or `unknown` (no answer, a rate
limit, a server error, a timeout). Nothing is changed at the provider; only identity endpoints are
called: AWS STS GetCallerIdentity (SigV4-signed, needs the key id and the secret from the same
line), GitHub `GET /user`, Slack `auth.test`, Stripe `GET /v1/balance`, OpenAI `GET /v1/models`.

Never runs in pre-receive (a hook must not wait on the internet and must not send pushed secrets
anywhere while the push is pending); the Action and local checks run it when the policy says so.
Every request has a timeout, carries the credential only in the header the provider documents, and
the value never reaches a log or an exception message. Base URLs are parameters, so tests point
them at a local HTTP server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import requests

LIVE = "live"
REVOKED = "revoked"
UNKNOWN = "unknown"
TIMEOUT = 5.0

DEFAULT_BASES = {
    "github": "https://api.github.com",
    "slack": "https://slack.com/api",
    "stripe": "https://api.stripe.com",
    "openai": "https://api.openai.com",
    "aws": "https://sts.amazonaws.com",
}


class Validator(Protocol):
    def check(self, rule_id: str, value: str) -> str | None:
        """live / revoked / unknown, or None when there is no identity call for this rule.
        For `secrets/aws-access-key` the value is "KEY_ID:SECRET_KEY" (the pair found in one file)."""


def _status(code: int) -> str:
    if 200 <= code < 300:
        return LIVE
    if code in (401, 403):
        return REVOKED
    return UNKNOWN


@dataclass
class HttpValidator:
    """Identity calls over `requests`; `bases` overrides provider URLs (tests, GHES, proxies)."""

    bases: Mapping[str, str] = field(default_factory=dict)
    timeout: float = TIMEOUT
    session: requests.Session = field(default_factory=requests.Session)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    def base(self, provider: str) -> str:
        return self.bases.get(provider, DEFAULT_BASES[provider]).rstrip("/")

    def check(self, rule_id: str, value: str) -> str | None:
        name = rule_id.removeprefix("secrets/")
        try:
            if name in ("github-pat", "github-fine-grained-pat", "github-oauth-token", "github-app-token"):
                return self._get("github", "/user", {"Authorization": f"Bearer {value}",
                                                     "Accept": "application/vnd.github+json"})
            if name == "slack-token":
                response = self.session.post(f"{self.base('slack')}/auth.test",
                                             headers={"Authorization": f"Bearer {value}"}, timeout=self.timeout)
                if response.status_code != 200:
                    return _status(response.status_code)
                body = response.json()
                if body.get("ok") is True:
                    return LIVE
                return REVOKED if body.get("error") in ("invalid_auth", "token_revoked", "account_inactive",
                                                        "not_authed", "token_expired") else UNKNOWN
            if name in ("stripe-secret-key", "stripe-test-key"):
                return self._get("stripe", "/v1/balance", {"Authorization": f"Bearer {value}"})
            if name == "openai-api-key":
                return self._get("openai", "/v1/models", {"Authorization": f"Bearer {value}"})
            if name == "aws-access-key":
                # AWS needs the pair: the scanner passes "KEY_ID:SECRET" when both are in one file.
                key_id, sep, secret = value.partition(":")
                return self._aws(key_id, secret) if sep and secret else None
        except (requests.RequestException, ValueError):
            # Never let the exception text (which can quote the request) escape: the value is in it.
            return UNKNOWN
        return None

    def _get(self, provider: str, path: str, headers: Mapping[str, str]) -> str:
        response = self.session.get(f"{self.base(provider)}{path}", headers=dict(headers), timeout=self.timeout,
                                    allow_redirects=False)
        return _status(response.status_code)

    def _aws(self, key_id: str, secret: str) -> str:
        """STS GetCallerIdentity, signed with AWS Signature Version 4 (no SDK needed for one call)."""
        body = "Action=GetCallerIdentity&Version=2011-06-15"
        url = self.base("aws") + "/"
        host = url.split("://", 1)[1].split("/", 1)[0]
        now = self.now()
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        region, service = "us-east-1", "sts"
        canonical = "\n".join(["POST", "/", "", f"content-type:application/x-www-form-urlencoded\nhost:{host}\n"
                               f"x-amz-date:{stamp}\n", "content-type;host;x-amz-date",
                               hashlib.sha256(body.encode()).hexdigest()])
        scope = f"{day}/{region}/{service}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = f"AWS4{secret}".encode()
        for part in (day, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Amz-Date": stamp,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                             f"SignedHeaders=content-type;host;x-amz-date, Signature={signature}",
        }
        response = self.session.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        return _status(response.status_code)
