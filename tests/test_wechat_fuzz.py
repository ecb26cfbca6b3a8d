"""Fuzzing ``POST /wechat``: 10,000+ generated and mutated deliveries, only 200/400/403 answers.

Half the cases carry a valid signature over a mutated body, so the parser and the decryption
behind the signature check are exercised, not only the signature check itself.
"""

from __future__ import annotations

import random
import tracemalloc

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.config import Settings
from bot.messages import Answer, Inbound, TextReply
from bot.sandbox.wechat_api import WeChatApiFake
from bot.wechat.simulator import Delivery, WeChatSimulator
from tests.conftest import with_wechat

TOKEN = "fuzz-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CASES = 10_000
ALLOWED = {200, 400, 403}

SEEDS = [
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-1]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[你好]]></Content><MsgId>123</MsgId></xml>",
    "<xml><ToUserName>gh_1</ToUserName><FromUserName>o-2</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_x</EventKey></xml>",
    "<xml><FromUserName>o-3</FromUserName><MsgType>image</MsgType><MediaId>m</MediaId>"
    "<PicUrl>http://x</PicUrl><MsgId>9</MsgId><CreateTime>2</CreateTime></xml>",
    '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    "<xml><FromUserName>&b;</FromUserName><MsgType>text</MsgType></xml>",
]
TOKENS = [
    "<",
    ">",
    "</",
    "<![CDATA[",
    "]]>",
    "&",
    "&amp;",
    "<xml>",
    "</xml>",
    "\x00",
    "\ud7ff",
    "MsgType",
    "event",
    "text",
    "<MsgId>",
    "99999999999999999999999999",
    "-1",
    "é",
    "😀",
]


def mutate(rng: random.Random, text: str) -> str:
    """Apply a few random edits: delete, duplicate, insert a token, swap, truncate."""
    for _ in range(rng.randint(1, 6)):
        if not text:
            text = rng.choice(SEEDS)
        i = rng.randrange(len(text))
        j = min(len(text), i + rng.randint(1, 40))
        op = rng.randrange(5)
        if op == 0:
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:j] + text[i:j] + text[j:]
        elif op == 2:
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == 3:
            text = text[:i] + "".join(rng.sample(text[i:j], len(text[i:j]))) + text[j:]
        else:
            text = text[:i]
    return text


async def echo(inbound: Inbound) -> Answer:
    return Answer([TextReply(inbound.text[:100] or inbound.kind)])


def fuzz_settings(settings: Settings, fake: WeChatApiFake) -> Settings:
    return with_wechat(settings, fake, token=TOKEN, aes_key=AES_KEY)


async def test_ten_thousand_mutated_deliveries(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client, backend: str
) -> None:  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        return await _run(settings, wechat_api, aiohttp_client, cases=1_000)
    return await _run(settings, wechat_api, aiohttp_client, cases=CASES)


async def _run(settings: Settings, fake: WeChatApiFake, aiohttp_client, cases: int) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(fuzz_settings(settings, fake), run_worker=False, dispatcher=echo)
    )
    rng = random.Random(20261125)
    plain = WeChatSimulator(token=TOKEN, app_id=fake.app_id)
    safe = WeChatSimulator(token=TOKEN, app_id=fake.app_id, encoding_aes_key=AES_KEY)
    statuses: dict[int, int] = {}
    tracemalloc.start()
    try:
        for case in range(cases):
            body = mutate(rng, rng.choice(SEEDS))
            kind = case % 4
            if kind == 0:  # signed plain body
                delivery = plain.raw(body)
            elif kind == 1:  # signed, encrypted body
                delivery = safe.raw(body)
            elif kind == 2:  # valid envelope around a mutated ciphertext / params
                good = safe.raw(body)
                delivery = Delivery(
                    {**good.params, "msg_signature": mutate(rng, "a" * 40)}, mutate(rng, good.body)
                )
            else:  # unsigned garbage and broken query strings
                delivery = Delivery(
                    {"signature": mutate(rng, "abc"), "timestamp": mutate(rng, "1"), "nonce": "n"},
                    body,
                )
            response = await client.post(
                "/wechat", params=delivery.params, data=body_bytes(rng, delivery.body)
            )
            await response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            assert response.status in ALLOWED, (case, response.status, delivery.body[:200])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"peak traced memory {peak} bytes"
    assert statuses.get(200, 0) > 0 and statuses.get(400, 0) > 0 and statuses.get(403, 0) > 0


def body_bytes(rng: random.Random, text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.05:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=500))
@example("<!DOCTYPE html>")  # what a user typed is not a DTD
@example("<!ENTITY x]]>")
def test_simulated_messages_with_any_text_round_trip(text: str) -> None:
    """Any text a user can type survives encryption, signing and parsing unchanged."""
    from bot.wechat.webhook import _to_inbound

    sim = WeChatSimulator(token=TOKEN, app_id="wx0000000000000000")
    delivery = sim.text("o-user", text)
    if (
        "\x00" in text
        or any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        or any(ord(c) < 0x20 and c not in "\t\n\r" for c in text)
    ):
        return  # not representable in XML 1.0; WeChat never sends it
    inbound = _to_inbound(delivery.body)
    assert inbound.text == text.replace("\r\n", "\n").replace("\r", "\n").strip()


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_the_message_parser_reads_what_elementtree_reads_and_refuses_any_dtd(seed: int) -> None:
    """The webhook's one-pass parser against the standard library's ElementTree on mutated
    messages: the same fields where ElementTree reads a DTD-less document, a refusal where it
    does not; any document with a DTD is refused outright."""
    from xml.etree import ElementTree

    from bot.wechat.webhook import BadRequest, _xml_fields

    rng = random.Random(seed)
    text = mutate(rng, rng.choice(SEEDS))
    try:
        ours: dict[str, str] | None = _xml_fields(text)
    except BadRequest:
        ours = None
    if "<!DOCTYPE" in text.split("<xml", 1)[0]:
        assert ours is None
        return
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        assert ours is None
        return
    if root.tag != "xml":
        assert ours is None
        return
    assert ours == {child.tag: (child.text or "").strip() for child in root}


XML_TAGS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(
            XML_TAGS, st.text(max_size=40), st.booleans(), st.sampled_from(["", " ", "\n", "\t "])
        )
    ),
    st.sampled_from(["", " ", "\n"]),
)
def test_plain_messages_read_as_the_xml_parser_reads_them(
    children: list[tuple[str, str, bool, str]], around: str
) -> None:
    """The regular expression that reads WeChat's plain messages gives what expat gives, or
    leaves the document to expat; it takes every document of CDATA and plain text children."""
    from bot.wechat.webhook import BadRequest, _parsed_fields, _plain_fields

    parts = []
    takeable = True
    for tag, text, cdata, space in children:
        parts.append(f"{space}<{tag}>{f'<![CDATA[{text}]]>' if cdata else text}</{tag}>")
        forbidden = "\r" in text or any(
            (ord(c) < 0x20 and c not in "\t\n") or c in "\ufffe\uffff" for c in text
        )
        takeable &= not forbidden and ("]]>" not in text if cdata else not set(text) & set("<&]"))
    document = f"{around}<xml>{''.join(parts)}{around}</xml>{around}"
    fast = _plain_fields(document)
    try:
        parsed: dict[str, str] | None = _parsed_fields(document)
    except BadRequest:
        parsed = None
    if fast is not None:
        assert fast == parsed
    if takeable:
        assert fast is not None
