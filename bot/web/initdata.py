"""Telegram Mini App ``initData``: checked as Telegram documents it
(https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

secret = HMAC_SHA256(key="WebAppData", msg=token); hash = hex HMAC_SHA256(key=secret,
msg=data_check_string), the data-check-string being every field but ``hash`` (``signature``
stays in it), sorted by key, ``key=value`` joined by newlines, the values URL-decoded once
from the raw string the client sent. Nothing here trusts a field before the hash matches.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

#: A client's clock may run a little ahead of ours.
FUTURE_SKEW = 60


class InitDataError(ValueError):
    """The initData is missing, forged, stale or malformed; ``str()`` is a short reason."""


@dataclass(frozen=True)
class WebAppSession:
    user_id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def _fields(init_data: str) -> dict[str, str]:
    """The raw ``a=1&b=2`` string as a dict, values URL-decoded once; a repeated key, an empty
    key or a part without ``=`` is refused (a second value could smuggle a field in)."""
    if not init_data or len(init_data) > 8192:
        raise InitDataError("empty or too long")
    fields: dict[str, str] = {}
    for part in init_data.split("&"):
        key, sep, value = part.partition("=")
        key = unquote(key.replace("+", " "))
        if not sep or not key:
            raise InitDataError("malformed")
        if key in fields:
            raise InitDataError(f"duplicated field {key}")
        fields[key] = unquote(value.replace("+", " "), errors="strict")
    return fields


def verify_init_data(
    init_data: str, token: str, *, now: float | None = None, max_age: int = 3600
) -> WebAppSession:
    """The person the initData names, once its hash matches ``token`` and it is at most
    ``max_age`` seconds old; InitDataError otherwise."""
    try:
        fields = _fields(init_data)
    except UnicodeDecodeError:
        raise InitDataError("malformed") from None
    given = fields.get("hash", "")
    if not given:
        raise InitDataError("no hash")
    expected = hmac.new(_secret(token), _check_string(fields).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.lower()):
        raise InitDataError("hash does not match")
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError:
        raise InitDataError("no auth_date") from None
    now = time.time() if now is None else now
    if auth_date < now - max_age:
        raise InitDataError("expired")
    if auth_date > now + FUTURE_SKEW:
        raise InitDataError("from the future")
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, TypeError, ValueError):
        raise InitDataError("no user") from None
    language = user.get("language_code")
    return WebAppSession(
        user_id=user_id,
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
    )


def sign_init_data(token: str, user: dict, *, auth_date: int, query_id: str = "AAEAAAE") -> str:
    """An initData string as a Telegram client would pass it (tests, the demo)."""
    fields = {
        "query_id": query_id,
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(auth_date),
    }
    digest = hmac.new(_secret(token), _check_string(fields).encode(), hashlib.sha256).hexdigest()
    fields["hash"] = digest
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in fields.items())
