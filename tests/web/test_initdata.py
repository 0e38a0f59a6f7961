"""The Mini App initData check: a published vector, our own signature, and the attacks."""

from __future__ import annotations

import pytest

from bot.web.initdata import InitDataError, WebAppSession, sign_init_data, verify_init_data

# Published known-good vector: aiogram's tests (tests/test_utils/test_web_app.py), token 42:TEST.
AIOGRAM_TOKEN = "42:TEST"
AIOGRAM_INIT_DATA = (
    "auth_date=1650385342"
    "&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
    "&query_id=test"
    "&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
)
AIOGRAM_AUTH = 1650385342

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOW = 1_800_000_000
USER = {"id": 7001, "first_name": "Bu Ratna", "language_code": "en"}


def signed(**overrides) -> str:
    return sign_init_data(TOKEN, overrides.pop("user", USER), auth_date=overrides.pop("at", NOW))


def test_published_vector_is_accepted():
    session = verify_init_data(AIOGRAM_INIT_DATA, AIOGRAM_TOKEN, now=AIOGRAM_AUTH + 10)
    assert session == WebAppSession(42, "Test", None, AIOGRAM_AUTH)


def test_published_vector_with_another_token_is_refused():
    with pytest.raises(InitDataError):
        verify_init_data(AIOGRAM_INIT_DATA, "42:INVALID", now=AIOGRAM_AUTH + 10)


def test_our_own_signature_is_accepted():
    session = verify_init_data(signed(), TOKEN, now=NOW + 5)
    assert (session.user_id, session.first_name, session.language_code) == (7001, "Bu Ratna", "en")


def test_order_of_the_raw_string_does_not_matter():
    parts = AIOGRAM_INIT_DATA.split("&")
    shuffled = "&".join([parts[3], parts[1], parts[0], parts[2]])
    assert verify_init_data(shuffled, AIOGRAM_TOKEN, now=AIOGRAM_AUTH).user_id == 42


def test_values_are_url_decoded_once():
    user = {"id": 5, "first_name": "A%20b & c=d 100%"}
    session = verify_init_data(signed(user=user), TOKEN, now=NOW)
    assert session.first_name == "A%20b & c=d 100%"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.replace("7001", "7002"),  # a changed field
        lambda s: s.replace("Ratna", "Ratnb"),
        lambda s: s[:-4] + ("0000" if not s.endswith("0000") else "1111"),  # a changed hash
        lambda s: "&".join(p for p in s.split("&") if not p.startswith("hash=")),  # no hash
        lambda s: s + "&hash=" + s.rsplit("hash=", 1)[1],  # the hash twice
        lambda s: s + "&user=%7B%22id%22%3A1%7D",  # a second user smuggled in
        lambda s: s.replace("auth_date=", "auth_date=1"),
        lambda s: "garbage",
        lambda s: "",
        lambda s: "%%%&&&==",
        lambda s: s + "&extra=1",  # a field the signature did not cover
    ],
)
def test_tampered_init_data_is_refused(tamper):
    with pytest.raises(InitDataError):
        verify_init_data(tamper(signed()), TOKEN, now=NOW)


def test_wrong_token_is_refused():
    with pytest.raises(InitDataError, match="hash"):
        verify_init_data(signed(), "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsax", now=NOW)


def test_older_than_an_hour_is_refused():
    assert verify_init_data(signed(), TOKEN, now=NOW + 3600).user_id == 7001
    with pytest.raises(InitDataError, match="expired"):
        verify_init_data(signed(), TOKEN, now=NOW + 3601)


def test_from_the_future_beyond_the_skew_is_refused():
    assert verify_init_data(signed(at=NOW + 30), TOKEN, now=NOW).user_id == 7001
    with pytest.raises(InitDataError, match="future"):
        verify_init_data(signed(at=NOW + 600), TOKEN, now=NOW)


def test_signed_without_a_user_is_refused():
    import hashlib
    import hmac

    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, f"auth_date={NOW}".encode(), hashlib.sha256).hexdigest()
    with pytest.raises(InitDataError, match="user"):
        verify_init_data(f"auth_date={NOW}&hash={digest}", TOKEN, now=NOW)


def test_error_is_a_value_error():
    assert issubclass(InitDataError, ValueError)


def test_signature_field_stays_in_the_checked_string():
    """Telegram's newer initData carries ``signature`` (Ed25519, for third parties): the bot's
    hash covers it, so it cannot be dropped or changed."""
    import hashlib
    import hmac

    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    fields = {"auth_date": str(NOW), "signature": "abc-_x", "user": '{"id":9,"first_name":"S"}'}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    raw = "user=%7B%22id%22%3A9%2C%22first_name%22%3A%22S%22%7D&signature=abc-_x"
    assert verify_init_data(f"{raw}&auth_date={NOW}&hash={digest}", TOKEN, now=NOW).user_id == 9
    without = raw.replace("&signature=abc-_x", "")
    with pytest.raises(InitDataError):
        verify_init_data(f"{without}&auth_date={NOW}&hash={digest}", TOKEN, now=NOW)
