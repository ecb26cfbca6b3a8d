"""``/api/mp/v1/orders/{order_no}/fixes``: fixing a rejected order in the mini-program, by the
same rules as in chat (``handlers.review_fixes``).

- ``GET fixes`` → the items the reviewer sent back (``key``, ``label``, ``kind`` material or
  field, ``reason``, ``fixed``, the field's schema and its current value, masked, and a signed
  link to the photo sent back);
- ``PATCH fixes`` ``{"key", "value"}`` → correct one field;
- ``POST fixes/{key}`` with a multipart ``file`` → a new photo for one material (its quality
  warnings in ``material``, as for a draft's photo).

When the last item is fixed the order returns to the review queue as a resubmission, without a
second payment (``"resubmitted": true``). A refused value is 422 with the field's message;
nothing is recorded.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from tortoise.transactions import in_transaction

from bot import texts as T
from bot.engine import Engine, Reprompt, decrypt_answers
from bot.messages import Inbound
from bot.mp_api import (
    BAD_REQUEST,
    CHANNEL,
    PREFIX,
    UPLOAD_HOW,
    MiniProgramApi,
    error,
    read_json,
    read_upload,
    step_schema,
)
from bot.uploads import describe_material, material_for, prepare_inbound
from bot.validators import Invalid
from handlers.review_fixes import (
    fix_item,
    fix_turn,
    locked_for_fixing,
    rejected_order,
    rejected_photo_url,
    wants_photo,
)
from models.orders import Order
from models.staff import Fulfilment


class MiniProgramFixes:
    """The fix routes of the mini-program API."""

    def __init__(self, api: MiniProgramApi, engine: Engine) -> None:
        self.api = api
        self.engine = engine

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the application."""
        base = f"{PREFIX}/orders/{{order_no}}/fixes"
        return [
            web.get(base, self.listing),
            web.patch(base, self.fix_field),
            web.post(f"{base}/{{key}}", self.fix_material),
        ]

    async def listing(self, request: web.Request) -> web.Response:
        """What the reviewer sent back and what is still to fix."""
        openid = await self._openid(request)
        order = await rejected_order(openid, request.match_info["order_no"][:32])
        record = await Fulfilment.get_or_none(order=order) if order is not None else None
        if order is None or record is None:
            return error(404, "no_fixes", T.FIX_NOTHING)
        return web.json_response(await self._fixes(order, record))

    async def fix_field(self, request: web.Request) -> web.Response:
        """Correct one field: ``{"key": "legal_name", "value": "王五"}``."""
        openid = await self._openid(request)
        body = await read_json(request)
        key = body.get("key") if isinstance(body, dict) else None
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(key, str) or not isinstance(value, str) or len(value) > 500:
            return error(400, "bad_request", BAD_REQUEST)
        inbound = Inbound(
            openid=openid, kind="text", create_time=int(time.time()), text=value, channel=CHANNEL
        )
        return await self._apply(request, key, inbound)

    async def fix_material(self, request: web.Request) -> web.Response:
        """A new photo for one material, as multipart field ``file``."""
        openid = await self._openid(request)
        data = await read_upload(request)
        if data is None:
            return error(400, "bad_request", UPLOAD_HOW)
        inbound = Inbound(
            openid=openid, kind="image", create_time=int(time.time()), data=data, channel=CHANNEL
        )
        inbound = await prepare_inbound(inbound)  # image work before the transaction
        return await self._apply(request, request.match_info["key"], inbound)

    async def _openid(self, request: web.Request) -> str:
        return (await self.api.session(request))[0]

    async def _apply(self, request: web.Request, key: str, inbound: Inbound) -> web.Response:
        order_no = request.match_info["order_no"][:32]
        async with in_transaction():
            found = await rejected_order(inbound.openid, order_no)
            locked = await locked_for_fixing(found) if found is not None else None
            if locked is None:
                return error(404, "no_fixes", T.FIX_NOTHING)
            order, record = locked
            turn = fix_turn(self.engine, inbound, order)
            step = turn.flow.steps_by_key.get(key)
            open_keys = {i["key"] for i in record.rejection if not i.get("fixed")}
            if step is None or key not in open_keys:
                return error(422, "not_an_item", T.FIX_NOT_AN_ITEM)
            if wants_photo(step) != (inbound.kind == "image"):
                how = T.FIX_UPLOAD_PHOTO if wants_photo(step) else T.FIX_FILL_VALUE
                return error(422, "wrong_kind", how.format(label=step.label))
            try:
                fixed = await fix_item(self.engine, turn, record, key, inbound)
            except (Reprompt, Invalid) as exc:
                message = exc.text if isinstance(exc, Reprompt) else exc.reason
                return web.json_response(
                    {"error": "invalid", "message": message, **await self._fixes(order, record)},
                    status=422,
                )
            done = T.FIX_DONE.format(order_no=order.order_no) if fixed.resubmitted else ""
            material = await material_for(order.order_no, key) if wants_photo(step) else None
            return web.json_response(
                {
                    "message": fixed.echo or "",
                    "material": describe_material(self.engine.services, material, order.order_no)
                    if material
                    else None,
                    "resubmitted": fixed.resubmitted,
                    "done_message": done,
                    **await self._fixes(order, record),
                }
            )

    async def _fixes(self, order: Order, record: Fulfilment) -> dict[str, Any]:
        flow = self.engine.flows[order.kind]
        answers = decrypt_answers(self.engine.services, flow, order)
        items = []
        for item in record.rejection:
            step = flow.step(item["key"])
            photo = None
            if wants_photo(step) and not item.get("fixed"):
                photo = await rejected_photo_url(self.engine.services, order, step)
            items.append(
                {
                    "key": item["key"],
                    "label": item["label"],
                    "kind": item.get("kind", "material" if wants_photo(step) else "field"),
                    "reason": item["reason"],
                    "fixed": bool(item.get("fixed")),
                    "field": step_schema(step),
                    "current": "" if wants_photo(step) else self.engine.display(step, answers),
                    "sent_back_photo": photo,  # signed, expiring link (bot.file_links)
                }
            )
        return {
            "order_no": order.order_no,
            "status": order.status.value,
            "items": items,
            "remaining": sum(1 for i in items if not i["fixed"]),
        }
