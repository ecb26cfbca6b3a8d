"""``/api/mp/v1/subscriptions``: the mini-program's subscribe-message consent.

- ``GET subscriptions`` → ``{"template_ids": [...], "kinds": {notice kind: template id},
  "remaining": {template id: n}}``: what to pass to ``wx.requestSubscribeMessage``;
- ``POST subscriptions`` with its result (``{"<template id>": "accept"|"reject"|"ban"|"filter",
  "errMsg": ...}``, as is or under ``"results"``) → each ``accept`` allows one more notice of that
  template; answers like the ``GET``.
"""

from __future__ import annotations

from aiohttp import web

from bot.mp_api import BAD_REQUEST, PREFIX, MiniProgramApi, error, read_json
from bot.subscribe_quota import quotas, record_results


class MiniProgramSubscriptions:
    """``GET/POST /api/mp/v1/subscriptions``: which templates to ask for, what was accepted."""

    def __init__(self, api: MiniProgramApi) -> None:
        self.api = api
        self.services = api.services

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the application."""
        return [
            web.get(f"{PREFIX}/subscriptions", self.listing),
            web.post(f"{PREFIX}/subscriptions", self.record),
        ]

    def _templates(self) -> dict[str, str]:
        return dict(self.services.settings.notices.subscribe_templates)

    async def listing(self, request: web.Request) -> web.Response:
        """The template ids to pass to ``wx.requestSubscribeMessage`` and what is left of each."""
        openid = (await self.api.session(request))[0]
        left = await quotas(openid)
        templates = self._templates()
        return web.json_response(
            {
                "template_ids": sorted(set(templates.values())),
                "kinds": templates,
                "remaining": {tid: left.get(tid, 0) for tid in sorted(set(templates.values()))},
            }
        )

    async def record(self, request: web.Request) -> web.Response:
        """Record a ``wx.requestSubscribeMessage`` result (``{template id: accept|reject|…}``)."""
        openid = (await self.api.session(request))[0]
        body = await read_json(request)
        if not isinstance(body, dict):
            return error(400, "bad_request", BAD_REQUEST)
        results = body.get("results", body)
        if not isinstance(results, dict):
            return error(400, "bad_request", BAD_REQUEST)
        await record_results(openid, results, set(self._templates().values()))
        return await self.listing(request)
