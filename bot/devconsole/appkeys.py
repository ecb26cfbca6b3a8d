"""What the development console's route modules share: the application keys and the form of
a simulated user's openid."""

from __future__ import annotations

import re

from aiohttp import web

from bot.devconsole.bridge import SimulatedBridge
from bot.devconsole.factory import KeyFactory
from bot.devconsole.sandbox import DevSandbox
from bot.services import Services

SANDBOX: web.AppKey[DevSandbox] = web.AppKey("dev_sandbox", DevSandbox)
BRIDGE: web.AppKey[SimulatedBridge] = web.AppKey("dev_bridge", SimulatedBridge)
FACTORY: web.AppKey[KeyFactory] = web.AppKey("dev_key_factory", KeyFactory)
DEV_SERVICES: web.AppKey[Services] = web.AppKey("dev_services", Services)
OPENID = re.compile(r"o[A-Za-z0-9_-]{1,40}")
