"""WeChat Pay v3 primitives against fixed public vectors: request signature, paySign,
response verification, AES-GCM resource decryption; plus the timestamp window and key choice.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.pay import crypto, signing
from tests.fakes._crypto import aes_gcm_encrypt, cached_rsa_private_key_pem

# The official "带Body参数如何计算签名" test key (merchant 1900007291).
DOC_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCm2mb6q8gMKH/3
CNTbpJAIrbqiBiQGEOtjGcBrDYltsGynWgNscqT7WvfzU14FQbYcQUC5T4Wvva7m
i3fIp3OgX8VqMDNA0qebnr38Pe6kqiLyZgFpJPXlSKDyPyqhRbVTbXssvSMQeVKc
dXeVxoNNeoOlNFHgF/P0io6AmAVnz+hN8SiZKuOsth5/zUTLGvtkgxBcQooQrtXh
RcpLT798OyIb9xeJ2HO3xRtMv2+perEzb4gMibI74UBz+2QEbnkubPE+2jU2rRZu
dnNEz/BPOt3Qj/w2V6/G0VumGDh6+UeMU0jv4aupHztWITC4Akn0l7lBCNy3lgl8
VFaJnkIxAgMBAAECggEAYGL8aESB7NwciDWW2UdoWUsa7GxFtSdjAz2mFXGdeTsY
mVh7b9OOkRGM+Qio4LqEHDBp1mMk5E/cUJwy1zw8pGGO5nfvs7u9TT3XnHaefIs4
YvUgTYAneIuLRkXNN5rQU+CD7mVYczTSz0Vgjqo9wa1LjUz7G0xbBmJgTdMEFGJs
eJjy6AbJo0CGIwp6HJbTm4CmOUgXnnDAIbEGTIRImkZFH/rzneIeR7oZ77FVwxr1
CZB2gfRCov/yRPbw8vnryYkmvQ7D/ze3j5097vRg/MoDGBSdoOwcmo75vyofr0AS
zytMjmHYyifqkf5slPropSiJeGf4p/7gtKyF6dE/XQKBgQDVAlJ+4U5ZVGOuDc3+
sAhz8CTzgFNlq9vKuSoFK6hOz2L+cwj+E7NXGkOe2DsHHZNy2Xqxk7caKhPEp1z9
hhpMpyLVMoFt6CKemyoRBWDCQwLLwem9SZF/IAyovBkLiH36P42Jm26gUkNMKC/5
Zhtqxf6RZgRQzbVudJi47vIRCwKBgQDIh0+v27Oo+DM3fhObH4I1NrXpWOEGH7OQ
G1dEsMuFYF4hjGhg0kBEP3w9vVdl2+mRllZKTsx9oqjb8OibPLLIH8xsdbAB0WLf
JvjLu4wl/ILUzN1RI03dWnnv2EnEeQn6c3hizvrJ9wR5U4ue9RPVnQooJ0hZF1PU
uCL5fWK3MwKBgElReU/PAYbh80WP3t3Rfbdaa32dKBeQ5iCLR5lsA4zM+YgX1HqQ
EWTj126vgvHaDkyz6vWAoL/Sx+cirHFfXWIRDX5Q2hgYlQH+6qXdMgbrxeSYpHnQ
/tHBGFpkFELSAnrGsVMyOwvYBO4LzyeLK9i+ufcWJFoj1FVmsMLHDG8tAoGARdbi
iQQCoYG4DMarO2aQ6cmhN6EN1h0qY7EyBqlwaIZ0okiNfdMcMOjPc41DKCWcRmlO
qlihXcxN9TQFPzO3rH1urAOdBjUPs1qWYhZyrDQyuLyVBBJApyxAtajloDjrob+f
mQIvVDHk7ACN6xG+E7K6+9salnTKbJapD618uQMCgYBNy6XUvzLkP/A1U/UZdtcx
l8GwU/dturLxz4CyGbqDw4ubaYY2e13lnqHUqQgPtiSyH51nq3tdo8G0YAJdfkSv
KvnfslW91fyEBUKnkdW1o3/1UFU/wprZ7ixVL/F42A4xDu7OFE8EnweJOZ0jWceE
OdhCkaIGBCfRnlECRK8UyQ==
-----END PRIVATE KEY-----
"""
REQUEST_BODY = (
    '{"appid":"wxd678efh567hg6787","mchid":"1900007291","description":"Image形象店-深圳腾大-QQ公仔",'
    '"out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php",'
    '"amount":{"total":100,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}'
)
REQUEST_SIGNATURE = "jnks4dlrPw3ZX+ozVvSK39oa0t7OMBsg83BHAwd8BRdUFiVaQNTLTvci+wURgP1OQBbKYhFGvt7iqYpDSTQkp7Uq1sltaQKyncCyrA1g88m5bsKERQfPyT0ahSwKTYJ1CAn9QiJuSJRq1QsQs07eehbU/k9BCS51jTyc1Jpsi2H77HF9f/BnjXAOP3/sPObg6V5Ee4EzwLox684hhuMuIwHo7D8KFk3LIHOKDcNI4It1aCXydFWNpNK+SG86VUDe5kwoDpw4Ulqfu9z8OFDGbDs9TCxEv8iqQzbpxOlEVoOe2kalSYM5kApQb3nZcxdUtoE0liJGW3RGUNE0t4v01A=="  # noqa: E501
PAY_SIGN = "mI35pfNEQV6777ke/1T+LJLQDNTm7yeoUJH+j/adPGhmCCi0PbgkvYQTRcXH0uibcLVtvFLdGLpmoYO9FV6lBBsTAjuhh5YOvQi0e2g3e0yytitiNET9FEuqM0pjnKfRW4K6LIZDdbWJv9KhZUx3DrJa5TL7OJ7VdADVivxVySIlPVKjGwuCXzuXSJes0UcILgWQUMyha5/3nYofuHtS7r+KYyMuxD+oJ9VM1Qdxk4UIG59CP5Y3wtYIFybyF3bdu1caHTRRX+DLyMXyYA/IrTmiW01c4RPjpHBX5Dk1sZyY1zVsWNsvMHr2e1NTWtBxKJ+qk5N61J7caYoepHFaxw=="  # noqa: E501
RESPONSE_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwXNI6sdlknHBnK8Fu2U6
Cwor9qY747jP8KAfeBMeveEt1TqaHkLfaSD07trZLhGpfs8/AHqjhgSMO1O10YQW
OrrJ4hjIWPKqxbgrYMkBQc+mwdiWp4W3ByCqxBRagCveCXRWCmuJYovl9H/bsDI0
iGbpVtEOghJtfciisYSgxcLufUDTRkvwxjIBK1pCRjk33jJ5YTBWTHMRtMAOcFLN
F6hdEYdX8SPsgHHeLZ5Lv2T/686w1xtgCHef/sd4uSfWmyzsalQdHG/e4IyYmrhx
+O3VBoNDzE3nx23bFeV/RVNCG7cV6VhmYokJNHa/erIPkEmEFID6A5wQOXuxUkmJ
WwIDAQAB
-----END PUBLIC KEY-----
"""
RESPONSE_SIGNATURE = "mfI1CPqvBrgcXfgXMFjdNIhBf27ACE2YyeWsWV9ZI7T7RU0vHvbQpu9Z32ogzc+k8ZC5n3kz7h70eWKjgqNdKQF0eRp8mVKlmfzMLBVHbssB9jEZEDXThOX1XFqX7s7ymia1hoHQxQagPGzkdWxtlZPZ4ZPvr1RiqkgAu6Is8MZgXXrRoBKqjmSdrP1N7uxzJ/cjfSiis9FiLjuADoqmQ1P7p2N876YPAol7Rn0+GswwAwxldbdLrmVSjfytfSBJFqTMHn4itojgxSWWN1byuckQt8hSTEv/Lg97QoeGniYP17T80pJeQyL3b+295FPHSO2AtvCgyIbKMZ0BALilAA=="  # noqa: E501
RESPONSE_HEADERS = {
    "Wechatpay-Timestamp": "1722850421",
    "Wechatpay-Nonce": "d824f2e086d3c1df967785d13fcd22ef",
    "Wechatpay-Signature": RESPONSE_SIGNATURE,
    "Wechatpay-Serial": "PUB_KEY_ID_0000000000000000000000000001",
}
RESPONSE_BODY = b'{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}'


def test_request_signature_matches_the_official_vector() -> None:
    key = signing.load_private_key(DOC_KEY)
    header = signing.authorization(
        mchid="1900007291",
        serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",
        private_key=key,
        method="POST",
        path="/v3/pay/transactions/jsapi",
        body=REQUEST_BODY.encode(),
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900007291",')
    assert f'signature="{REQUEST_SIGNATURE}"' in header
    assert 'timestamp="1554208460"' in header
    assert 'serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"' in header


def test_pay_sign_matches_the_official_vector() -> None:
    key = signing.load_private_key(DOC_KEY)
    params = signing.jsapi_params(
        key,
        "wx2421b1c4370ec43b",
        "wx201410272009395522657a690389285100",
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert params["paySign"] == PAY_SIGN
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    assert params["signType"] == "RSA" and params["timeStamp"] == "1554208460"


def _verifier() -> signing.Verifier:
    verifier = signing.Verifier()
    verifier.add(RESPONSE_HEADERS["Wechatpay-Serial"], RESPONSE_PUBLIC_KEY)
    return verifier


def test_response_signature_vector_verifies_inside_the_window() -> None:
    _verifier().verify(RESPONSE_HEADERS, RESPONSE_BODY, now=1722850421 + 299)


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
        _verifier().verify({**RESPONSE_HEADERS, **change}, RESPONSE_BODY, now=now)


def test_a_changed_body_does_not_verify() -> None:
    with pytest.raises(signing.SignatureError):
        _verifier().verify(
            RESPONSE_HEADERS, RESPONSE_BODY.replace(b"JyC91", b"JyC92"), now=1722850421
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
