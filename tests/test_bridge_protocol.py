"""The bridge wire protocol: frame validation (examples and fuzz) and the live endpoint's answer
to frames a broken or hostile bridge sends: an error reply or a close, never a crash."""

from __future__ import annotations

import json
import random
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from key_bridge.client import Backoff, bridge_url
from key_bridge.protocol import (
    MAX_BAD_FRAMES,
    MAX_FRAME,
    ProtocolError,
    encode,
    parse_client_frame,
    parse_server_frame,
)
from tests.test_bridge_hub import bridge_settings, hub_of, server_url, start_app

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
frame_like = st.fixed_dictionaries(
    {"v": st.sampled_from([1, 1, 2, "1", True, None])},
    optional={
        "type": st.sampled_from(
            [
                "hello",
                "pair",
                "ping",
                "pong",
                "result",
                "event",
                "command",
                "welcome",
                "paired",
                "x",
            ]
        ),
        "id": json_values | st.from_regex(r"[A-Za-z0-9_-]{1,70}", fullmatch=True),
        "ok": json_values,
        "data": json_values,
        "error": json_values,
        "name": json_values | st.sampled_from(["card_removed", "pin_wrong"]),
        "resume": json_values,
        "op": json_values | st.sampled_from(["sign_csr", "card_status"]),
        "args": json_values,
        "session": json_values,
        "heartbeat": json_values,
        "user": json_values,
        "url": json_values,
    },
)


@pytest.fixture
async def app_client(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> TestClient:  # type: ignore[type-arg]
    return await start_app(bridge_settings(settings, wechat_api), aiohttp_client)


def test_valid_frames_are_read() -> None:
    hello = parse_client_frame(encode("hello", resume=None, client="key-bridge/1"))
    assert hello.type == "hello" and hello.get("resume") is None
    ok = parse_client_frame(encode("result", id="abc_1", ok=True, data={"x": 1}))
    assert ok.get("data") == {"x": 1}
    failed = parse_client_frame(
        encode(
            "result", id="abc", ok=False, error={"code": "card_removed", "message": "Key 已拔出"}
        )
    )
    assert failed.get("code") == "card_removed" and failed.get("message") == "Key 已拔出"
    event = parse_client_frame(encode("event", name="pin_wrong", data={"tries_left": 2}))
    assert event.get("name") == "pin_wrong"
    command = parse_server_frame(encode("command", id="c1", op="sign_csr", args={"a": 1}))
    assert command.get("op") == "sign_csr" and command.get("args") == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"type": "ping"}', "bad_version"),
        ('{"v": true, "type": "ping"}', "bad_version"),
        ('{"v": 2, "type": "ping"}', "bad_version"),
        ('{"v": 1, "type": "command"}', "bad_type"),  # a server frame from a bridge
        ('{"v": 1, "type": "result", "id": "a b", "ok": true}', "bad_field"),
        ('{"v": 1, "type": "result", "id": "a", "ok": 1}', "bad_field"),
        (
            '{"v": 1, "type": "result", "id": "a", "ok": false, "error": {"code": "X!"}}',
            "bad_field",
        ),
        ('{"v": 1, "type": "result", "id": "a", "ok": true, "data": []}', "bad_field"),
        ('{"v": 1, "type": "event", "name": "format_disk"}', "bad_field"),
        ('{"v": 1, "type": "hello", "resume": "../../etc"}', "bad_field"),
        ('{"v": 1, "type": "hello", "client": "' + "x" * 500 + '"}', "bad_field"),
        ("[" * 100_000, "too_large"),
        ("[" * 50_000, "bad_json"),  # nesting deeper than the parser allows
    ],
)
def test_invalid_frames_are_refused_with_a_code(raw: str, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw)
    assert caught.value.code == code


@fuzz_settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_fuzz_any_text_is_a_frame_or_a_protocol_error(raw: str | bytes) -> None:
    for parse in (parse_client_frame, parse_server_frame):
        try:
            frame = parse(raw)
        except ProtocolError:
            continue
        assert isinstance(frame.type, str)


@fuzz_settings(max_examples=500, deadline=None)
@given(frame_like)
def test_fuzz_any_json_object_is_a_frame_or_a_protocol_error(data: dict[str, Any]) -> None:
    raw = json.dumps(data)
    for parse in (parse_client_frame, parse_server_frame):
        try:
            frame = parse(raw)
        except ProtocolError as exc:
            code = exc.code
        else:
            json.dumps(frame.body)
            continue
        assert code in {
            "bad_json",
            "bad_version",
            "bad_type",
            "bad_field",
        }  # what is accepted is plain data


def test_bridge_url_requires_tls_except_on_this_machine() -> None:
    assert bridge_url("https://ca.example.cn") == "wss://ca.example.cn/bridge"
    assert bridge_url("ca.example.cn") == "wss://ca.example.cn/bridge"
    assert bridge_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/bridge"
    with pytest.raises(ValueError, match="TLS"):
        bridge_url("http://ca.example.cn")
    with pytest.raises(ValueError, match="not a server address"):
        bridge_url("ftp://ca.example.cn")


def test_backoff_grows_with_jitter_and_resets() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    delays = [backoff.next_delay() for _ in range(10)]
    assert all(0.1 <= d <= 30.0 for d in delays)
    assert delays[0] <= 1.0 and max(delays[5:]) > 2.0
    backoff.reset()
    assert backoff.next_delay() <= 1.0


# -- the live endpoint -----------------------------------------------------------------------


async def _hello(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    await ws.send_str(encode("hello", resume=None, client="test"))
    welcome: dict[str, Any] = json.loads((await ws.receive(timeout=5)).data)
    return welcome


async def test_first_frame_must_be_hello(app_client: TestClient) -> None:  # type: ignore[type-arg]
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await ws.send_str(encode("ping"))
        reply = json.loads((await ws.receive(timeout=5)).data)
        assert reply["type"] == "error" and reply["code"] == "bad_state"
        assert (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 1008


async def test_silent_connection_is_closed(app_client: TestClient) -> None:  # type: ignore[type-arg]
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        message = await ws.receive(timeout=10)  # no hello within the limit
        assert message.type == aiohttp.WSMsgType.CLOSE


async def test_oversized_frame_closes_the_socket(app_client: TestClient) -> None:  # type: ignore[type-arg]
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        await ws.send_str(encode("event", name="pin_wrong", data={"x": "a" * MAX_FRAME}))
        message = await ws.receive(timeout=5)
        while message.type == aiohttp.WSMsgType.TEXT:
            message = await ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 1009


async def test_garbage_gets_error_replies_then_a_close_and_the_server_lives_on(
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    rng = random.Random(9)
    garbage: list[str | bytes] = [
        "{}",
        "null",
        '{"v": 1, "type": "result", "id": "nope", "ok": true}',
        bytes(rng.randrange(256) for _ in range(64)),
        json.dumps({"v": 1, "type": "event", "name": {"$gt": ""}}),
    ]
    for _round in range(3):
        async with app_client.session.ws_connect(server_url(app_client)) as ws:
            welcome = await _hello(ws)
            assert welcome["type"] == "welcome" and welcome["paired"] is False
            codes = []
            for raw in garbage + [rng.randbytes(40).decode("latin-1") for _ in range(5)]:
                if ws.closed:
                    break
                await (ws.send_bytes(raw) if isinstance(raw, bytes) else ws.send_str(raw))
                message = await ws.receive(timeout=5)
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                codes.append(json.loads(message.data)["code"])
            assert "unknown_command" in codes  # answered, not counted as abuse
            assert len([c for c in codes if c != "unknown_command"]) == MAX_BAD_FRAMES
            assert ws.closed or (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 1008
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        await ws.send_str(encode("ping"))
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "pong"
    assert (await app_client.get("/healthz")).status == 200


async def test_a_result_for_another_bridges_command_is_refused(
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    store = hub_of(app_client).services.store
    await store.set("bridge:pending:cmd-of-other", "another-bridge", ttl=30)
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        await ws.send_str(encode("result", id="cmd-of-other", ok=True, data={"forged": True}))
        reply = json.loads((await ws.receive(timeout=5)).data)
        assert reply["code"] == "unknown_command"
    assert await store.get("bridge:pending:cmd-of-other") == b"another-bridge"


async def test_plain_http_get_is_refused(app_client: TestClient) -> None:  # type: ignore[type-arg]
    response = await app_client.get("/bridge")
    assert response.status == 400


async def _frames_until(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads((await ws.receive(timeout=5)).data)
        if frame["type"] in (kind, "error"):
            return frame


async def test_pairing_when_wechat_fails_is_an_error_frame_and_a_retry_works(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
) -> None:
    wechat_api.errcode_next("/cgi-bin/qrcode/create", 45009, times=1)  # API quota reached
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        await ws.send_str(encode("pair"))
        failed = await _frames_until(ws, "pairing")
        assert failed["type"] == "error" and failed["code"] == "pairing_unavailable"
        await ws.send_str(encode("pair"))
        assert (await _frames_until(ws, "pairing"))["url"].startswith("http://weixin.qq.com/q/")


async def test_pairing_requests_are_limited(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
) -> None:
    from bot.bridge.hub import MAX_PAIRINGS_PER_HOUR

    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        for _ in range(MAX_PAIRINGS_PER_HOUR):
            await ws.send_str(encode("pair"))
            assert (await _frames_until(ws, "pairing"))["type"] == "pairing"
        await ws.send_str(encode("pair"))
        assert (await _frames_until(ws, "pairing"))["code"] == "too_many"
    assert len(wechat_api.qrcodes) == MAX_PAIRINGS_PER_HOUR


@fuzz_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(frame_like.map(json.dumps) | st.text(max_size=50), min_size=1, max_size=8))
async def test_fuzz_the_live_endpoint_answers_or_closes_and_keeps_serving(
    app_client: TestClient,  # type: ignore[type-arg]
    frames: list[str],
) -> None:
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await _hello(ws)
        for raw in frames:
            if ws.closed:
                break
            await ws.send_str(raw)
        await ws.send_str(encode("ping"))
        while (message := await ws.receive(timeout=5)).type == aiohttp.WSMsgType.TEXT:
            frame = json.loads(message.data)
            assert frame["type"] in {"error", "pong", "pairing"}
            if frame["type"] == "pong":
                break
        else:
            assert ws.close_code in (1008, 1009)
    assert (await app_client.get("/healthz")).status == 200
