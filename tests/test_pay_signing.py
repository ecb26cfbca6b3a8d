"""WeChat Pay v3 primitives against fixed public vectors: request signature, paySign,
response verification, AES-GCM resource decryption; plus the timestamp window and key choice.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.pay import crypto, signing
from bot.sandbox.crypto import aes_gcm_encrypt, cached_rsa_private_key_pem
from tests.pay_vectors import (
    DOC_BODY,
    DOC_MCHID,
    DOC_PAY_SIGN,
    DOC_PRIVATE_KEY,
    DOC_SERIAL,
    DOC_SIGNATURE,
    RESPONSE_BODY,
    RESPONSE_NONCE,
    RESPONSE_PUBLIC_KEY,
    RESPONSE_SIGNATURE,
    RESPONSE_TIMESTAMP,
)

RESPONSE_HEADERS = {
    "Wechatpay-Timestamp": RESPONSE_TIMESTAMP,
    "Wechatpay-Nonce": RESPONSE_NONCE,
    "Wechatpay-Signature": RESPONSE_SIGNATURE,
    "Wechatpay-Serial": "PUB_KEY_ID_0000000000000000000000000001",
}


def test_request_signature_matches_the_official_vector() -> None:
    key = signing.load_private_key(DOC_PRIVATE_KEY)
    header = signing.authorization(
        mchid=DOC_MCHID,
        serial_no=DOC_SERIAL,
        private_key=key,
        method="POST",
        path="/v3/pay/transactions/jsapi",
        body=DOC_BODY.encode(),
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900007291",')
    assert f'signature="{DOC_SIGNATURE}"' in header
    assert 'timestamp="1554208460"' in header
    assert 'serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"' in header


def test_pay_sign_matches_the_official_vector() -> None:
    key = signing.load_private_key(DOC_PRIVATE_KEY)
    params = signing.jsapi_params(
        key,
        "wx2421b1c4370ec43b",
        "wx201410272009395522657a690389285100",
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert params["paySign"] == DOC_PAY_SIGN
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    assert params["signType"] == "RSA" and params["timeStamp"] == "1554208460"


def _verifier() -> signing.Verifier:
    verifier = signing.Verifier()
    verifier.add(RESPONSE_HEADERS["Wechatpay-Serial"], RESPONSE_PUBLIC_KEY)
    return verifier


def test_response_signature_vector_verifies_inside_the_window() -> None:
    _verifier().verify(RESPONSE_HEADERS, RESPONSE_BODY.encode(), now=1722850421 + 299)


@pytest.mark.parametrize(
    ("change", "now", "reason"),
    [
        ({}, 1722850421 + 301, "window"),
        ({}, 1722850421 - 301, "window"),
        ({"Wechatpay-Serial": "PUB_KEY_ID_OTHER"}, 1722850421, "unknown"),
        ({"Wechatpay-Nonce": "d824f2e086d3c1df967785d13fcd22ee"}, 1722850421, "verify"),
        ({"Wechatpay-Signature": "WECHATPAY/SIGNTEST/abc"}, 1722850421, "probe"),
        ({"Wechatpay-Signature": "%%%not-base64"}, 1722850421, "verify"),
        ({"Wechatpay-Timestamp": "-1722850421"}, 1722850421, "Timestamp"),
        ({"Wechatpay-Nonce": ""}, 1722850421, "missing"),
    ],
)
def test_a_response_is_refused_when_stale_forged_or_of_an_unknown_key(
    change: dict[str, str], now: int, reason: str
) -> None:
    with pytest.raises(signing.SignatureError, match=reason):
        _verifier().verify({**RESPONSE_HEADERS, **change}, RESPONSE_BODY.encode(), now=now)


def test_a_changed_body_does_not_verify() -> None:
    with pytest.raises(signing.SignatureError):
        _verifier().verify(
            RESPONSE_HEADERS, RESPONSE_BODY.encode().replace(b"JyC91", b"JyC92"), now=1722850421
        )


def test_gcm_vector_of_wechatpay_go_decrypts() -> None:
    # wechatpay-go utils/aes_test.go (a 16-byte key: AES-128-GCM, same format).
    plain = crypto.decrypt(
        "testAPIv3Key0000",
        "wCq51qZv4Yfg",
        "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC",
        "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
    )
    assert plain == b"Hello World"


def test_resource_decrypts_with_the_apiv3_key_and_only_with_it() -> None:
    key = "certdeskFakeApiV3Key0123456789ab"
    resource = {
        "algorithm": "AEAD_AES_256_GCM",
        "nonce": "abcdefghijkl",
        "associated_data": "transaction",
        "ciphertext": aes_gcm_encrypt(key, "abcdefghijkl", "transaction", b'{"a":1}'),
    }
    assert crypto.decrypt_resource(key, resource) == b'{"a":1}'
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt_resource("X" * 32, resource)
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt_resource(key, {**resource, "associated_data": "refund"})
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt_resource(key, {**resource, "algorithm": "AES"})


@given(
    nonce=st.text(max_size=20),
    ciphertext=st.text(max_size=60),
    associated=st.one_of(st.text(max_size=20), st.integers(), st.none()),
)
def test_any_malformed_resource_is_a_decrypt_error(
    nonce: str, ciphertext: str, associated: object
) -> None:
    resource = {
        "algorithm": "AEAD_AES_256_GCM",
        "nonce": nonce,
        "ciphertext": ciphertext,
        "associated_data": associated,
    }
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt_resource("certdeskFakeApiV3Key0123456789ab", resource)


@given(st.binary(max_size=300), st.text(max_size=400))
def test_verify_never_raises_on_garbage(body: bytes, signature: str) -> None:
    key = signing.load_private_key(cached_rsa_private_key_pem("wechatpay-platform"))
    assert signing.verify(key.public_key(), body, signature) is False
    assert signing.verify(key.public_key(), body, base64.b64encode(body).decode()) is False


def test_certificate_keys_are_selected_by_their_serial() -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = signing.load_private_key(cached_rsa_private_key_pem("wechatpay-platform"))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1825))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    serial = signing.certificate_serial(pem)
    assert serial == "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    verifier = signing.Verifier()
    verifier.add(serial, pem)
    body = b'{"ok":true}'
    headers = {
        "Wechatpay-Timestamp": "1700000000",
        "Wechatpay-Nonce": "n",
        "Wechatpay-Signature": signing.sign(key, signing.message("1700000000", "n", body)),
        "Wechatpay-Serial": serial.lower(),
    }
    verifier.verify(headers, body, now=1700000000)


@given(st.text(max_size=300))
def test_any_pay_page_token_is_refused_unless_we_signed_it(token: str) -> None:
    from bot.pay.h5 import read_token

    assert read_token(b"k" * 32, token, now=0) is None


@given(st.integers(1, 2**40), st.text(min_size=1, max_size=40).filter(lambda s: "." not in s))
def test_pay_page_tokens_round_trip_and_expire(order_id: int, openid: str) -> None:
    from bot.pay.h5 import PayLink, make_token, read_token

    key = b"k" * 32
    link = PayLink(order_id, openid, 2_000_000_000)
    token = make_token(key, link)
    assert read_token(key, token, now=1_999_999_999) == link
    assert read_token(key, token, now=2_000_000_000) is None
    assert read_token(b"x" * 32, token, now=0) is None


def test_payment_states_move_only_along_the_state_machine() -> None:
    from models.payments import PAYMENT_TRANSITIONS, PaymentState

    assert PAYMENT_TRANSITIONS[PaymentState.REFUNDED] == frozenset()
    assert PaymentState.UNPAID not in set().union(*PAYMENT_TRANSITIONS.values())
    assert [s.label for s in PaymentState] == ["待支付", "已支付", "已关闭", "已退款"]
