"""The servers certdesk's webhook is measured against, each run as its own process.

- ``bare``: an aiohttp handler that answers ``success`` (the HTTP floor);
- ``wechatpy``: signature check, safe-mode decryption, wechatpy parse and an encrypted
  passive reply, no state (the protocol floor);
- ``werobot``: a stateful WeRoBot bot (Redis session storage) under gunicorn, the peer: each
  text answer is stored in the session and the next question returned, as a form bot does.

Run: ``python -m bench.peers bare|wechatpy PORT`` (werobot: ``gunicorn bench.peers:werobot_app``).
"""

from __future__ import annotations

import os
import sys

TOKEN = "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxbench000000001"


def run_aiohttp_floor(kind: str, port: int) -> None:
    """Serve one of the two aiohttp floors until killed."""
    from aiohttp import web
    from wechatpy import parse_message
    from wechatpy.replies import TextReply

    from bot.wechat.crypto import MessageCrypto, check_signature

    crypto = MessageCrypto(TOKEN, AES_KEY, APP_ID)

    async def bare(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="success")

    async def protocol(request: web.Request) -> web.Response:
        q = request.query
        body = (await request.read()).decode()
        check_signature(TOKEN, q["signature"], q["timestamp"], q["nonce"])
        encrypted = body.split("<Encrypt><![CDATA[", 1)[1].split("]]>", 1)[0]
        xml = crypto.decrypt(encrypted, q["msg_signature"], q["timestamp"], q["nonce"])
        message = parse_message(xml)
        reply = TextReply(content="收到", message=message).render()
        return web.Response(text=crypto.encrypt(reply), content_type="application/xml")

    app = web.Application()
    app.router.add_post("/wechat", bare if kind == "bare" else protocol)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def werobot_app():  # type: ignore[no-untyped-def]
    """The WeRoBot peer (WSGI), configured from BENCH_REDIS_URL."""
    import redis
    import werobot
    from werobot.session.redisstorage import RedisStorage

    client = redis.Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    robot = werobot.WeRoBot(
        token=TOKEN,
        encoding_aes_key=AES_KEY,
        app_id=APP_ID,
        session_storage=RedisStorage(client, prefix="bench_ws_"),
    )

    @robot.text
    def answer(message, session):  # type: ignore[no-untyped-def]
        step = int(session.get("step", 0)) + 1
        session["step"] = step
        session[f"answer_{step}"] = message.content
        return f"第 {step + 1} 步：请输入下一项。"

    @robot.click
    def click(message, session):  # type: ignore[no-untyped-def]
        session["step"] = 0
        return "第 1 步：请选择认证方式。"

    return robot.wsgi


if __name__ == "__main__":
    run_aiohttp_floor(sys.argv[1], int(sys.argv[2]))
