"""Messages acknowledged to WeChat before they were handled, kept until they are.

When the reply budget runs out the webhook answers ``success`` and goes on handling the message;
WeChat will not deliver it again. So the message is first written as a job (``wechat.inbound``,
encrypted: it may hold an ID number being typed), due after ``late_replies.GRACE`` seconds, and
closed once the process recorded its answer. If the process dies before that, the worker
handles the message (unless another delivery already did) and sends the answer as
customer-service messages.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.messages import Inbound
from bot.outbox import enqueue, job_handler
from bot.wechat.late_replies import GRACE
from models.jobs import Job, JobStatus

if TYPE_CHECKING:
    from bot.secrets_box import DataCipher
    from bot.services import Services

JOB = "wechat.inbound"
WAIT_FOR_OTHERS = 60.0  # how long the worker waits for a live process still handling it


def _context(dedupe_key: str) -> str:
    return f"wechat-inbound:{dedupe_key}"


async def record(cipher: DataCipher, inbound: Inbound) -> Job:
    """Write ``inbound`` as a job the worker handles if nobody closes it in time."""
    fields = {k: v for k, v in asdict(inbound).items() if k not in {"data", "read_ahead"}}
    sealed = cipher.encrypt(json.dumps(fields), context=_context(inbound.dedupe_key))
    payload = {"key": inbound.dedupe_key, "sealed": sealed}
    return await enqueue(JOB, payload, delay=GRACE, dedupe_key=f"{JOB}:{inbound.dedupe_key}"[:128])


async def close(job: Job) -> None:
    """The message was handled by the process that acknowledged it."""
    await Job.filter(id=job.id, status=JobStatus.PENDING).update(status=JobStatus.DONE, payload={})


def opened(cipher: DataCipher, payload: dict[str, Any]) -> Inbound:
    """The message a job holds."""
    key = str(payload["key"])
    fields = json.loads(cipher.decrypt(str(payload["sealed"]), context=_context(key)))
    return Inbound(**fields)


@job_handler(JOB)
async def handle_recorded(payload: dict[str, Any], services: Services) -> None:
    """The worker's side: handle a message whose process died before answering it."""
    from bot.wechat.webhook import WeChatChannel
    from handlers.applications import build_engine
    from handlers.router import build_dispatcher, read_ahead

    inbound = opened(services.cipher, payload)
    config = services.settings.wechat
    channel = WeChatChannel(
        token=config.token,
        app_id=config.app_id,
        encoding_aes_key=config.encoding_aes_key,
        store=services.store,
        client=services.wechat,
        dispatcher=build_dispatcher(services, build_engine(services)),
        budget=config.reply_budget,
        service_phone=services.settings.service.phone,
        cipher=services.cipher,
        read_ahead=read_ahead,
    )
    await channel.handle_recorded(inbound, within=WAIT_FOR_OTHERS)
