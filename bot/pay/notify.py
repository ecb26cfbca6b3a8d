"""``POST /pay/notify``: WeChat Pay v3 notifications (payments and refunds).

Verified (signature by a trusted key id, timestamp window), decrypted with the APIv3 key,
checked against our records and applied once (``bot.pay.settle``). WeChat gets 204 when the
notification is handled, and 4xx ``{"code", "message"}`` when it is refused — it then retries
on its schedule. Refusals are logged; nothing refused is ever applied. A failure of our own
(e.g. the database) answers 500 so WeChat delivers again later.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.bodies import read_at_most
from bot.config import PaySettings
from bot.logs import get_logger
from bot.pay import crypto, signing
from bot.pay.client import build_verifier
from bot.pay.settle import Mismatch, settle_refund, settle_transaction

log = get_logger(__name__)

PATH = "/pay/notify"
MAX_BODY = 64 * 1024
TRANSACTION_EVENTS = frozenset({"TRANSACTION.SUCCESS"})
REFUND_EVENTS = frozenset({"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"})


def refuse(status: int, code: str, message: str) -> web.Response:
    """The failure answer WeChat Pay expects."""
    return web.json_response({"code": code, "message": message}, status=status)


class PayNotifications:
    """The notify endpoint for one merchant."""

    def __init__(self, config: PaySettings) -> None:
        self.config = config
        self.verifier = build_verifier(config) if config.mch_id else signing.Verifier()

    def routes(self) -> list[web.RouteDef]:
        """The route to add to the application."""
        return [web.post(PATH, self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        """Handle one delivery."""
        body = await read_at_most(request.content, MAX_BODY)
        if len(body) > MAX_BODY:
            return self._refused(413, "PARAM_ERROR", "body too large", request)
        try:
            self.verifier.verify(request.headers, body)
        except signing.SignatureError as exc:
            return self._refused(401, "SIGN_ERROR", str(exc), request)
        envelope = _object(body)
        resource = envelope.get("resource") if envelope is not None else None
        event_type = envelope.get("event_type") if envelope is not None else None
        if envelope is None or not isinstance(resource, dict) or not isinstance(event_type, str):
            return self._refused(400, "PARAM_ERROR", "not a v3 notification", request)
        try:
            data = _object(crypto.decrypt_resource(self.config.api_v3_key, resource))
        except crypto.DecryptError as exc:
            return self._refused(400, "DECRYPT_ERROR", str(exc), request)
        if data is None:
            return self._refused(400, "PARAM_ERROR", "resource is not a JSON object", request)
        event_id = str(envelope.get("id", ""))[:64]
        try:
            if event_type in TRANSACTION_EVENTS:
                outcome = await settle_transaction(
                    self.config, data, source="notify", event_id=event_id
                )
            elif event_type in REFUND_EVENTS:
                outcome = await settle_refund(self.config, data, source="notify")
            else:
                log.info("pay notification ignored", extra={"event_type": event_type[:64]})
                return web.Response(status=204)
        except Mismatch as exc:
            return self._refused(400, exc.code, exc.reason, request)
        log.info(
            "pay notification handled",
            extra={"event_type": event_type, "event_id": event_id, "result": outcome.result},
        )
        return web.Response(status=204)

    @staticmethod
    def _refused(status: int, code: str, reason: str, request: web.Request) -> web.Response:
        log.warning(
            "pay notification refused",
            extra={"code": code, "reason": reason, "remote": request.remote or ""},
        )
        return refuse(status, code, "通知未通过校验" if status != 413 else "请求体过大")


def _object(raw: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None
