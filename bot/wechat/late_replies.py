"""Answers WeChat did not get passively, sent as customer-service messages, without loss.

When the webhook acknowledges a message with ``success`` (the answer was not ready within the
reply budget, or it has several parts), the parts still to send are first written as a job
(``wechat.late_reply``, due after ``GRACE`` seconds), then sent at once by the process; when they
are out, the job is closed. If the process dies in between, the worker sends them when the job
falls due: an acknowledged answer is delivered at least once.
"""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.logs import get_logger
from bot.messages import HandOver, ImageReply, Inbound, LinkReply, Reply, TextReply
from bot.outbox import enqueue, job_handler
from bot.wechat.client import WeChatAPIError, WeChatClient
from bot.wechat.quota import CustomerServiceQuota
from models.jobs import Job, JobStatus

if TYPE_CHECKING:
    from bot.secrets_box import DataCipher
    from bot.services import Services

log = get_logger(__name__)

JOB = "wechat.late_reply"
GRACE = 10.0  # seconds the process has to send the parts itself before the worker does


def dump(reply: Reply) -> dict[str, str] | None:
    """A reply as JSON for the job's payload (None: a hand-over, which only a passive reply can
    make)."""
    if isinstance(reply, TextReply):
        return {"kind": "text", "text": reply.text}
    if isinstance(reply, LinkReply):
        return {
            "kind": "link",
            "title": reply.title,
            "description": reply.description,
            "url": reply.url,
            "picurl": reply.picurl,
        }
    if isinstance(reply, ImageReply):
        return {
            "kind": "image",
            "media_id": reply.media_id,
            "data": base64.b64encode(reply.data).decode("ascii"),
            "filename": reply.filename,
            "content_type": reply.content_type,
        }
    return None


def load(item: dict[str, Any]) -> Reply:
    """The reply ``dump`` wrote."""
    if item["kind"] == "text":
        return TextReply(item["text"])
    if item["kind"] == "link":
        return LinkReply(item["title"], item["description"], item["url"], item["picurl"])
    return ImageReply(
        media_id=item["media_id"],
        data=base64.b64decode(item["data"]),
        filename=item["filename"],
        content_type=item["content_type"],
    )


async def record(cipher: DataCipher, inbound: Inbound, replies: list[Reply]) -> Job | None:
    """Write the parts still to send as a job due after ``GRACE``, encrypted (an answer may
    carry a PUK or a password), keyed by the message's de-duplication key (a message handled
    twice records its answer once), with the customer-service window the message opened: a
    process that dies before it writes the window (when it releases the user's lock) leaves
    the worker able to send."""
    items = [item for reply in replies if (item := dump(reply)) is not None]
    if not items:
        return None
    dedupe_key = f"{JOB}:{inbound.dedupe_key}"[:128]
    sealed = cipher.encrypt(json.dumps(items), context=dedupe_key)
    payload: dict[str, Any] = {"openid": inbound.openid, "key": dedupe_key, "sealed": sealed}
    window = CustomerServiceQuota.window(inbound)
    if window is not None:
        key, count, ttl = window
        payload["window"] = {"key": key, "count": count, "until": time.time() + ttl}
    return await enqueue(JOB, payload, delay=GRACE, dedupe_key=dedupe_key)


async def close(job: Job) -> None:
    """The parts were sent by the process: the worker has nothing left to do."""
    await Job.filter(id=job.id, status=JobStatus.PENDING).update(status=JobStatus.DONE, payload={})


async def send(
    client: WeChatClient, quota: CustomerServiceQuota, openid: str, replies: list[Reply]
) -> None:
    """Deliver replies through the customer-service API, within WeChat's quota."""
    for reply in replies:
        if isinstance(reply, HandOver):
            continue  # only a passive reply can transfer to human service
        if not await quota.take(openid):
            metrics.labelled(metrics.NOTICES, "customer_service", "over_quota").inc()
            log.warning("customer-service quota used up; reply not sent")
            return
        try:
            await _send_one(client, openid, reply)
            metrics.labelled(metrics.NOTICES, "customer_service", "sent").inc()
        except WeChatAPIError as exc:
            metrics.labelled(metrics.NOTICES, "customer_service", "failed").inc()
            log.warning(
                "customer-service message failed",
                extra={"errcode": exc.errcode, "errmsg": exc.errmsg},
            )
            return


async def media_id(client: WeChatClient, reply: ImageReply) -> str:
    """The media id of an image reply, uploading it when needed ("" when that fails)."""
    if reply.media_id:
        return reply.media_id
    try:
        return await client.upload_image(reply.data, reply.filename, reply.content_type)
    except WeChatAPIError:
        log.exception("image upload failed")
        return ""


async def _send_one(client: WeChatClient, openid: str, reply: Reply) -> None:
    if isinstance(reply, TextReply):
        await client.send_text(openid, reply.text)
    elif isinstance(reply, LinkReply):
        await client.send_news(openid, reply.title, reply.description, reply.url, reply.picurl)
    elif isinstance(reply, ImageReply):
        found = await media_id(client, reply)
        if found:
            await client.send_image(openid, found)


@job_handler(JOB)
async def send_recorded(payload: dict[str, Any], services: Services) -> None:
    """The worker's side: send the parts a process recorded but did not close."""
    items = json.loads(services.cipher.decrypt(payload["sealed"], context=payload["key"]))
    replies = [load(item) for item in items]
    window = payload.get("window")
    left = float(window["until"]) - time.time() if window else 0.0
    if window and left > 0:  # opened by the message; unless its process wrote it already
        await services.store.set_if_absent(str(window["key"]), str(window["count"]), ttl=left)
    quota = CustomerServiceQuota(services.store)
    await send(services.wechat, quota, str(payload["openid"]), replies)
