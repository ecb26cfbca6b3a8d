"""``/wechat``: the official account's server URL.

GET verifies the URL (plain signature, or safe mode with an encrypted echostr). POST receives a
message or event: signature and timestamp window, safe-mode decryption, parsing (entities and
DTDs refused), de-duplication of WeChat's retries, one message at a time per user, then the
dispatcher's answer — passively if it is ready within the budget, otherwise ``success`` now and
customer-service messages when it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any
from xml.parsers import expat

from aiohttp import web
from wechatpy import replies as wx_replies

from bot import metrics
from bot.bodies import read_at_most
from bot.heartbeat import Heartbeat
from bot.logs import get_logger, log_context
from bot.messages import (
    Answer,
    Dispatcher,
    HandOver,
    ImageReply,
    Inbound,
    LinkReply,
    ReadAhead,
    Reply,
    TextReply,
    pack,
)
from bot.secrets_box import DataCipher
from bot.store import AlreadyClaimed, Claim, Store, StoreError
from bot.texts import SYSTEM_BUSY
from bot.unique import unique_id
from bot.wechat import inbox, late_replies
from bot.wechat.client import WeChatClient
from bot.wechat.crypto import (
    DecryptError,
    MessageCrypto,
    SignatureError,
    check_signature,
    check_timestamp,
)
from bot.wechat.quota import CustomerServiceQuota
from models.jobs import Job

log = get_logger(__name__)

MAX_BODY = 64 * 1024
DEDUPE_TTL = 600.0  # WeChat retries within ~15 s; keep a wide margin
# While a message is handled its "pending" mark is renewed every PENDING_TTL / 3 seconds; if the
# process dies the mark expires within PENDING_TTL, and WeChat's next retry (5 s apart), or a
# retry already waiting for the answer, handles the message instead of losing it.
PENDING_TTL = 3.0
PENDING = "pending:"  # + the handler's own id: the mark of a message being handled
SUCCESS = "success"
USER_LOCK_LEASE = 10.0  # renewed while held: a dead process's lock is free after this
USER_LOCK_WAIT = 120.0


class BadRequest(Exception):
    """The body is not a WeChat message we can read (answered 400)."""


class WeChatChannel:
    """The webhook of one official account."""

    def __init__(
        self,
        *,
        token: str,
        app_id: str,
        encoding_aes_key: str,
        store: Store,
        client: WeChatClient,
        dispatcher: Dispatcher,
        budget: float = 4.0,
        service_phone: str = "",
        cipher: DataCipher | None = None,
        read_ahead: ReadAhead | None = None,
    ) -> None:
        self.token = token
        self.crypto = MessageCrypto(token, encoding_aes_key, app_id) if encoding_aes_key else None
        self.store = store
        self.client = client
        self.dispatcher = dispatcher
        self.budget = budget
        self.service_phone = service_phone
        self.cipher = cipher  # seals messages acknowledged before they were handled (inbox)
        self.read_ahead = read_ahead  # what the dispatcher will read, read with the user's lock
        self.quota = CustomerServiceQuota(store)
        self._background: set[asyncio.Task[Any]] = set()

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the application."""
        return [web.get("/wechat", self.verify_url), web.post("/wechat", self.receive)]

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` as a task that ``drain`` waits for."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def drain(self, within: float = 10.0) -> None:
        """Wait for messages still being handled (graceful shutdown)."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=within)

    # -- GET: URL verification ----------------------------------------------------------------

    async def verify_url(self, request: web.Request) -> web.Response:
        """Echo ``echostr`` when the request is signed with our token."""
        q = request.query
        timestamp, nonce, echostr = q.get("timestamp", ""), q.get("nonce", ""), q.get("echostr", "")
        try:
            if "msg_signature" in q:
                if self.crypto is None:
                    raise SignatureError("safe mode is not configured")
                echostr = self.crypto.decrypt(echostr, q["msg_signature"], timestamp, nonce)
            else:
                check_signature(self.token, q.get("signature", ""), timestamp, nonce)
        except (SignatureError, DecryptError):
            return web.Response(status=403, text="invalid signature")
        return web.Response(text=echostr)

    # -- POST: messages and events --------------------------------------------------------------

    async def receive(self, request: web.Request) -> web.Response:
        """Answer one delivery of a message or event."""
        try:
            body = await _read_body(request)
            inbound, safe_mode = self._open(request, body)
        except SignatureError as exc:
            log.warning("wechat request refused", extra={"reason": str(exc)})
            return web.Response(status=403, text="invalid signature")
        except BadRequest as exc:
            return web.Response(status=400, text=str(exc))
        with log_context(wechat_msg=inbound.dedupe_key[:48]):
            xml = await self._answer_once(inbound)
        if xml == SUCCESS or not xml:
            return web.Response(text=SUCCESS)
        if safe_mode and self.crypto is not None:
            xml = self.crypto.encrypt(xml)
        return web.Response(text=xml, content_type="application/xml")

    def _open(self, request: web.Request, body: bytes) -> tuple[Inbound, bool]:
        q = request.query
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        check_timestamp(timestamp)
        check_signature(self.token, q.get("signature", ""), timestamp, nonce)
        text = _decode(body)
        safe_mode = q.get("encrypt_type", "raw").lower() == "aes"
        if safe_mode:
            if self.crypto is None:
                raise BadRequest("safe mode is not configured")
            encrypted = _xml_fields(text).get("Encrypt")
            if not encrypted:
                raise BadRequest("no Encrypt element")
            try:
                text = self.crypto.decrypt(encrypted, q.get("msg_signature", ""), timestamp, nonce)
            except DecryptError as exc:
                raise BadRequest("cannot decrypt") from exc
        return _to_inbound(text), safe_mode

    async def _answer_once(self, inbound: Inbound) -> str:
        """Handle a message exactly once; a retry gets the first delivery's answer."""
        key = f"wechat:in:{inbound.dedupe_key}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget
        while True:
            slot: asyncio.Future[str | None] = loop.create_future()
            task = self._in_background(self._handle(inbound, key, deadline, slot))
            # Cancelled when the budget runs out: the handler then sends everything later.
            budget = loop.call_at(deadline, slot.cancel)
            try:
                answer = await slot
            except asyncio.CancelledError:
                if _cancelling():  # this request is cancelled, not only the slot
                    raise
                # The task goes on and answers through customer-service messages; WeChat will
                # not deliver the message again, so it is kept until the task has recorded its
                # answer.
                await self._keep_until_handled(inbound, task)
                return SUCCESS
            finally:
                budget.cancel()
            if answer is not None:
                return answer
            answer = await self._wait_for_first(key, deadline)
            if answer is not None:
                return answer
            # The mark expired: whoever was handling the message died. Take it over.

    async def _keep_until_handled(self, inbound: Inbound, task: asyncio.Task[Any]) -> None:
        """Record ``inbound`` in the inbox; close the record when ``task`` has finished."""
        if self.cipher is None:
            return
        try:
            job = await inbox.record(self.cipher, inbound)
        except Exception:
            log.exception("could not keep the message in the inbox")
            return

        async def close_when_done() -> None:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)
                await inbox.close(job)

        self._in_background(close_when_done())

    async def handle_recorded(self, inbound: Inbound, *, within: float) -> bool:
        """Handle a message kept in the inbox unless a delivery already did (or does so within
        ``within`` seconds); answers go as customer-service messages. True if handled here."""
        key = f"wechat:in:{inbound.dedupe_key}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            closed: asyncio.Future[str | None] = loop.create_future()
            closed.cancel()  # nobody waits for a passive reply
            if await self._handle(inbound, key, loop.time(), closed):
                await self.drain()
                return True
            value = await self.store.get(key)
            if value is not None and value.startswith(b"done:"):
                return False
            await asyncio.sleep(0.2)
        raise TimeoutError("the message is still being handled elsewhere")

    async def _wait_for_first(self, key: str, deadline: float) -> str | None:
        """The first delivery's answer; ``success`` if it is still being handled at ``deadline``
        (it will answer through customer-service messages); None if its mark expired."""
        loop = asyncio.get_running_loop()
        while loop.time() < deadline:
            value = await self.store.get(key)
            if value is None:
                return None
            if value.startswith(b"done:"):
                return value[5:].decode("utf-8")
            await asyncio.sleep(0.05)
        return SUCCESS

    async def _handle(
        self, inbound: Inbound, key: str, deadline: float, slot: asyncio.Future[str | None]
    ) -> bool:
        """Claim the message (its pending mark ``key``) and run the dispatcher under the user's
        lock; False if another delivery has it (None goes into ``slot``). The passive reply XML
        (or success) goes into ``slot`` if WeChat still waits for it (``slot`` not cancelled,
        before ``deadline``); everything not given passively is sent as customer-service
        messages.

        The mark is set in the round trip that asks for the lock and renewed until the answer
        for retries and the customer-service window the message opened are written, in the round
        trip that releases the lock (before anything is sent through that window, and before the
        user's next message is handled). The passive reply goes out as that round trip starts:
        the user cannot answer it before the lock is free, and WeChat delivers a message again
        only when no reply came.
        """
        loop = asyncio.get_running_loop()
        replies: list[Reply] = []
        rest: list[Reply] = []
        passive = ""
        job: Job | None = None
        keepers: list[Heartbeat] = []
        pending = PENDING + unique_id()
        answered = False  # the passive reply (or success) is in ``slot``

        def claimed() -> None:
            keepers.append(Heartbeat(lambda: self._renew_pending(key, pending), PENDING_TTL / 3))

        claim = Claim(key, pending, PENDING_TTL, on_claimed=claimed)
        try:
            async with self.store.lock(
                f"wechat:user:{inbound.openid}",
                lease=USER_LOCK_LEASE,
                wait=USER_LOCK_WAIT,
                claim=claim,
                read=self.read_ahead(inbound) if self.read_ahead is not None else (),
            ) as held:
                delivered = replace(inbound, read_ahead=held.read) if held.read else inbound
                replies = pack((await self._dispatch(delivered)).replies)
                if replies and not slot.done() and loop.time() < deadline - 0.2:
                    passive = await self._render_passive(inbound, replies[0])
                if slot.done():  # WeChat stopped waiting while it was rendered
                    passive = ""
                rest = replies[1:] if passive else replies
                job = await self._record_late(inbound, rest)
                for keeper in keepers:
                    await keeper.stop()  # no pending mark may follow the answer
                held.set_on_release(key, "done:" + (passive or SUCCESS), DEDUPE_TTL)
                window = self.quota.window(inbound)
                if window is not None:
                    held.set_on_release(*window)
                if not slot.done():
                    slot.set_result(passive or SUCCESS)
                    answered = True
        except AlreadyClaimed:
            if not slot.done():
                slot.set_result(None)
            return False
        except StoreError as exc:  # the store is down: WeChat will deliver the message again
            if not slot.done():
                slot.set_exception(exc)
            raise
        finally:
            for keeper in keepers:
                await keeper.stop()
        if passive and not answered:  # too late after all: it goes with the rest
            rest = [replies[0], *rest]
        if rest:
            self._in_background(self._send_later(inbound.openid, rest, job))
        return True

    async def _record_late(self, inbound: Inbound, rest: list[Reply]) -> Job | None:
        """Record the replies to send later before WeChat is told ``success`` (see
        ``late_replies``); None when there are none, or the database cannot take them."""
        if not rest or self.cipher is None:
            return None
        try:
            return await late_replies.record(self.cipher, inbound, rest)
        except Exception:
            log.exception("could not record the late replies; sending them without a net")
            return None

    async def _renew_pending(self, key: str, pending: str) -> bool:
        """Renew the pending mark of a message being handled (a Heartbeat's beat), only while
        it is this handler's: a mark that expired (the store was unreachable for longer than
        its ttl) and was taken over by a retry, or replaced by that retry's answer, is left
        alone. False (renewal stops) once it is not this handler's any more."""
        try:
            if await self.store.extend(key, pending, PENDING_TTL):
                return True
        except StoreError:
            log.warning("could not renew the pending mark")
            return True
        log.warning("the pending mark expired while the message was handled")
        return False

    async def _dispatch(self, inbound: Inbound) -> Answer:
        """The dispatcher's answer; never raises."""
        try:
            return await self.dispatcher(inbound)
        except Exception:
            metrics.labelled(metrics.ERRORS, "wechat.dispatch").inc()
            log.exception("dispatcher failed", extra={"kind": inbound.kind})
            return Answer([TextReply(SYSTEM_BUSY.format(phone=self.service_phone))])

    async def _render_passive(self, inbound: Inbound, reply: Reply) -> str:
        source = {"source": inbound.openid, "target": _account_id(inbound)}
        if isinstance(reply, TextReply):
            return str(wx_replies.TextReply(content=reply.text, **_swap(source)).render())
        if isinstance(reply, HandOver):
            return str(wx_replies.TransferCustomerServiceReply(**_swap(source)).render())
        if isinstance(reply, LinkReply):
            article = {
                "title": reply.title,
                "description": reply.description,
                "url": reply.url,
                "image": reply.picurl,
            }
            return str(wx_replies.ArticlesReply(articles=[article], **_swap(source)).render())
        media_id = await self._media_id(reply)
        if not media_id:
            return ""
        return str(wx_replies.ImageReply(media_id=media_id, **_swap(source)).render())

    async def _media_id(self, reply: ImageReply) -> str:
        return await late_replies.media_id(self.client, reply)

    async def _send_later(self, openid: str, replies: list[Reply], job: Job | None) -> None:
        """Deliver the replies not given passively; then close the job that would resend them."""
        await late_replies.send(self.client, self.quota, openid, replies)
        if job is not None:
            try:
                await late_replies.close(job)
            except Exception:  # the worker will resend; better twice than never
                log.exception("could not close the late-reply job")


def _cancelling() -> bool:
    """Whether the current task is being cancelled (rather than a future it awaited)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _swap(source: dict[str, str]) -> dict[str, str]:
    # wechatpy's reply: source = our account, target = the user
    return {"source": source["target"], "target": source["source"]}


def _account_id(inbound: Inbound) -> str:
    return inbound.to_user or "certdesk"


async def _read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BadRequest("body too large")
    body = await read_at_most(request.content, MAX_BODY)
    if len(body) > MAX_BODY:
        raise BadRequest("body too large")
    return body


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("body is not UTF-8") from exc


class _Refused(Exception):
    """The XML declares a document type (and so could declare entities)."""


class _FlatXml:
    """Collects the text of each child of the root element in one expat pass (as
    ElementTree's ``child.text``: up to the child's first element)."""

    def __init__(self) -> None:
        self.root = ""
        self.fields: dict[str, str] = {}
        self._depth = 0
        self._tag = ""
        self._text: list[str] = []
        self._leading = False

    def start(self, tag: str, _attributes: dict[str, str]) -> None:
        self._depth += 1
        if self._depth == 1:
            self.root = tag
        elif self._depth == 2:
            self._tag = tag
            self._text = []
            self._leading = True
        else:
            self._leading = False  # a child's text is what precedes its first element

    def end(self, _tag: str) -> None:
        if self._depth == 2:
            self.fields[self._tag] = "".join(self._text).strip()
        self._depth -= 1

    def text(self, data: str) -> None:
        if self._depth == 2 and self._leading:
            self._text.append(data)


def _refuse_dtd(*_args: object) -> None:
    raise _Refused


_XML_SPACE = " \t\n"
# Characters XML 1.0 does not allow (besides surrogates, which strict UTF-8 never decodes to).
_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_FLAT_ELEMENT = re.compile(
    rf"[{_XML_SPACE}]*<([A-Za-z_][A-Za-z0-9_.-]*)>"
    # CDATA up to the first "]]>" (unrolled: no backtracking over long base64), or plain text
    rf"(?:<!\[CDATA\[([^\]{_NOT_XML}]*(?:\](?!\]>)[^\]{_NOT_XML}]*)*)\]\]>"
    rf"|([^<&\]{_NOT_XML}]*))</\1>",
)


def _plain_fields(text: str) -> dict[str, str] | None:
    """The children of <xml> as ``_xml_fields`` reads them, for a document made only of <xml>
    and children that each hold CDATA or text without markup (``&``, ``<``, ``]``), spaces
    between them, no carriage return (XML would normalise it): what WeChat sends. None for
    anything else, which the XML parser then reads (or refuses).

    Such a document has no DTD, entity, comment or processing instruction by construction.
    """
    body = text.strip(_XML_SPACE)
    if not (body.startswith("<xml>") and body.endswith("</xml>")) or "\r" in body:
        return None
    end = len(body) - len("</xml>")
    fields: dict[str, str] = {}
    position = len("<xml>")
    while position < end:
        element = _FLAT_ELEMENT.match(body, position, end)
        if element is None:
            return None if body[position:end].strip(_XML_SPACE) else fields
        tag, cdata, plain = element.groups()
        fields[tag] = (plain if cdata is None else cdata).strip()
        position = element.end()
    return fields


def _xml_fields(text: str) -> dict[str, str]:
    """The children of <xml> as {tag: text}; a DTD (so any entity declaration) is refused.

    WeChat's messages are flat, so one pass of expat (C) reads them (a message of plain
    elements only, one regular expression: ``_plain_fields``); with no DTD nothing can be
    declared, so a reference to an entity other than XML's five is a parse error, and no
    external resource is ever fetched. "<!DOCTYPE" typed by a user sits in CDATA and is text.
    """
    plain = _plain_fields(text)
    return plain if plain is not None else _parsed_fields(text)


def _parsed_fields(text: str) -> dict[str, str]:
    """``_xml_fields`` by expat, for any document."""
    collected = _FlatXml()
    parser = expat.ParserCreate()
    parser.StartElementHandler = collected.start
    parser.EndElementHandler = collected.end
    parser.CharacterDataHandler = collected.text
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(text, True)
    except (expat.ExpatError, _Refused, ValueError) as exc:
        raise BadRequest("not valid XML (DTDs and entities are not accepted)") from exc
    if collected.root != "xml":
        raise BadRequest("no <xml> root")
    return collected.fields


def _to_inbound(text: str) -> Inbound:
    """Parse the (decrypted) XML into a channel-neutral ``Inbound``."""
    fields = _xml_fields(text)
    openid = fields.get("FromUserName")
    if not openid or len(openid) > 64:
        raise BadRequest("no FromUserName")
    if not fields.get("MsgType"):
        raise BadRequest("no MsgType")
    create_time = fields.get("CreateTime", "0").strip()
    if not create_time.isdigit() or len(create_time) > 12:
        raise BadRequest("not a WeChat message")
    common: dict[str, Any] = {
        "openid": openid,
        "to_user": fields.get("ToUserName", "")[:64],
        "create_time": int(create_time),
        "msg_id": fields["MsgId"][:32] if fields.get("MsgId") else None,
    }
    msg_type = fields["MsgType"].lower()
    if msg_type == "text":
        return Inbound(kind="text", text=fields.get("Content", ""), **common)
    if msg_type == "image":
        return Inbound(
            kind="image",
            media_id=fields.get("MediaId", ""),
            pic_url=fields.get("PicUrl", ""),
            **common,
        )
    if msg_type == "event":
        event = fields.get("Event", "").upper()
        key = fields.get("EventKey", "")
        if key.startswith("qrscene_"):
            key = key[len("qrscene_") :]
        return Inbound(kind="event", event=event, event_key=key[:128], **common)
    kind = msg_type if msg_type in {"voice", "video", "location", "link"} else "other"
    return Inbound(kind=kind, **common)  # type: ignore[arg-type]
