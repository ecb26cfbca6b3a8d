"""Official-account signatures and safe mode, checked against public vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.wechat.crypto import (
    DecryptError,
    MessageCrypto,
    SignatureError,
    check_signature,
    check_timestamp,
    sign,
)

# Tencent's official WXBizMsgCrypt sample (official-account mode).
TENCENT = {
    "token": "spamtest",
    "aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "app_id": "wx2c2769f8efd9abc2",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "encrypt": (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8"
        "PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jis"
        "a+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6"
        "X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl"
        "9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
    ),
}
TENCENT_PLAINTEXT = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
    "<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>"
)

# wechatpy's echostr vector (same algorithm).
ECHO = {
    "token": "123456",
    "aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "app_id": "wx49f0ab532d5d035a",
    "signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "timestamp": "1411443780",
    "nonce": "437374425",
    "echostr": (
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    ),
}


def test_plain_signature_vector() -> None:
    check_signature("test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "1410685589", "test")
    with pytest.raises(SignatureError):
        check_signature("test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe", "1410685589", "test")
    assert sign("789", "456", "123") == "f7c3bc1d808e04732adf679965ccc34ca7ae3441"


def test_tencent_safe_mode_sample_decrypts() -> None:
    crypto = MessageCrypto(TENCENT["token"], TENCENT["aes_key"], TENCENT["app_id"])
    text = crypto.decrypt(
        TENCENT["encrypt"], TENCENT["msg_signature"], TENCENT["timestamp"], TENCENT["nonce"]
    )
    assert text == TENCENT_PLAINTEXT


def test_safe_mode_rejects_wrong_signature_and_wrong_app() -> None:
    crypto = MessageCrypto(TENCENT["token"], TENCENT["aes_key"], TENCENT["app_id"])
    with pytest.raises(SignatureError):
        crypto.decrypt(
            TENCENT["encrypt"], TENCENT["msg_signature"], TENCENT["timestamp"], "1320562133"
        )
    other_app = MessageCrypto(TENCENT["token"], TENCENT["aes_key"], "wx0000000000000000")
    with pytest.raises(DecryptError):
        other_app.decrypt(
            TENCENT["encrypt"], TENCENT["msg_signature"], TENCENT["timestamp"], TENCENT["nonce"]
        )


def test_echostr_vector() -> None:
    crypto = MessageCrypto(ECHO["token"], ECHO["aes_key"], ECHO["app_id"])
    assert (
        crypto.decrypt(ECHO["echostr"], ECHO["signature"], ECHO["timestamp"], ECHO["nonce"])
        == "5927782489442352469"
    )
    with pytest.raises(SignatureError):
        crypto.decrypt(ECHO["echostr"], ECHO["signature"], ECHO["timestamp"], "437374424")


@given(st.text(min_size=0, max_size=300))
def test_encrypt_then_decrypt_round_trips(text: str) -> None:
    crypto = MessageCrypto(TENCENT["token"], TENCENT["aes_key"], TENCENT["app_id"])
    envelope = crypto.encrypt(text, timestamp="1409735669", nonce="abc")
    encrypted = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert crypto.decrypt(encrypted, signature, "1409735669", "abc") == text


@pytest.mark.parametrize("timestamp", ["", "abc", "-5", "99999999999999", "1000"])
def test_timestamp_must_be_recent(timestamp: str) -> None:
    with pytest.raises(SignatureError):
        check_timestamp(timestamp, now=1_700_000_000)


def test_timestamp_window_is_five_minutes() -> None:
    check_timestamp("1700000299", now=1_700_000_000)
    check_timestamp("1699999701", now=1_700_000_000)
    with pytest.raises(SignatureError):
        check_timestamp("1700000301", now=1_700_000_000)


def test_bad_aes_key_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="encoding_aes_key"):
        MessageCrypto("t", "short", "wx")
