"""AWS Signature V4 checked against the values AWS publishes (S3 API reference examples,
"Signature Calculations for the Authorization Header", and the SigV4 test suite)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from multidict import CIMultiDict

from bot.sigv4 import EMPTY_SHA256, Credentials, sign_headers, signature, signing_key, uri_encode
from tests.fakes import s3 as fake_s3
from tests.fakes.s3 import expected_signature

S3_EXAMPLE = Credentials(
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"
)
S3_HOST = "examplebucket.s3.amazonaws.com"
S3_DATE = "20130524T000000Z"


def s3_headers(**extra: str) -> dict[str, str]:
    return {"Host": S3_HOST, "x-amz-date": S3_DATE, **extra}


def test_the_derived_signing_key_is_awss_example() -> None:
    key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


def test_get_vanilla_of_the_sigv4_test_suite() -> None:
    credentials = Credentials(
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service"
    )
    headers = {"Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"}
    sig, signed = signature(credentials, "20150830T123600Z", "GET", "/", [], headers, EMPTY_SHA256)
    assert signed == "host;x-amz-date"
    assert sig == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "payload", "expected"),
    [
        (  # GET Object with a Range header
            "GET",
            "/test.txt",
            [],
            {"Range": "bytes=0-9"},
            b"",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ),
        (  # PUT Object: a "$" in the key, a body, a storage class and a Date header
            "PUT",
            "/test$file.text",
            [],
            {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
            b"Welcome to Amazon S3.",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (  # GET Bucket lifecycle: a subresource without a value
            "GET",
            "/",
            [("lifecycle", "")],
            {},
            b"",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (  # GET Bucket (list objects): query parameters sorted
            "GET",
            "/",
            [("prefix", "J"), ("max-keys", "2")],
            {},
            b"",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ],
)
def test_the_s3_reference_examples(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    payload: bytes,
    expected: str,
) -> None:
    payload_hash = hashlib.sha256(payload).hexdigest()
    all_headers = s3_headers(**headers, **{"x-amz-content-sha256": payload_hash})
    sig, _ = signature(S3_EXAMPLE, S3_DATE, method, path, query, all_headers, payload_hash)
    assert sig == expected


def test_sign_headers_gives_the_authorization_header_of_the_example() -> None:
    headers = sign_headers(
        S3_EXAMPLE,
        "GET",
        S3_HOST,
        "/test.txt",
        headers={"range": "bytes=0-9"},
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    assert headers["x-amz-date"] == S3_DATE and headers["x-amz-content-sha256"] == EMPTY_SHA256


# -- the signer against the S3 fake's own computation, for any key and query ----------------------

object_keys = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), min_size=1),
    min_size=1,
    max_size=4,
).map("/".join)
queries = st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=3)


@given(object_keys, queries, st.binary(max_size=64))
def test_what_certdesk_signs_is_what_s3_computes_from_the_request_as_sent(
    key: str, query: list[tuple[str, str]], payload: bytes
) -> None:
    credentials = Credentials(fake_s3.ACCESS_KEY, fake_s3.SECRET_KEY, fake_s3.REGION)
    path = f"/{fake_s3.BUCKET}/{key}"
    sent = sign_headers(credentials, "PUT", "127.0.0.1:9000", path, query, payload=payload)
    names, given_signature = sent["Authorization"].split("SignedHeaders=")[1].split(",Signature=")
    arrived = CIMultiDict({**sent, "Host": "127.0.0.1:9000"})
    raw_path = uri_encode(path, keep_slash=True)  # what the store puts on the wire
    assert given_signature == expected_signature(
        fake_s3.SECRET_KEY, fake_s3.REGION, "PUT", raw_path, query, arrived, names.split(";")
    )
