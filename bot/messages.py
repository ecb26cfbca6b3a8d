"""Channel-neutral messages: what a user sent (``Inbound``) and what certdesk answers (``Reply``).

Channels (the official-account webhook, the mini-program API, the dev console) translate their
wire formats to and from these; the conversation engine and handlers only see these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.images import NormalisedImage

InboundKind = Literal["text", "image", "voice", "video", "location", "link", "event", "other"]


@dataclass(frozen=True)
class Inbound:
    """One message or event from one user."""

    openid: str
    kind: InboundKind
    create_time: int
    msg_id: str | None = None
    text: str = ""
    media_id: str = ""
    pic_url: str = ""
    event: str = ""  # subscribe, unsubscribe, SCAN, CLICK, VIEW, ... (upper-cased)
    event_key: str = ""  # CLICK key, or QR scene (without WeChat's "qrscene_" prefix)
    channel: str = "wechat"
    to_user: str = ""  # our account's id (gh_...) as WeChat addressed it
    data: bytes = b""  # the file itself, for channels that upload it directly (mini-program)
    fetch_error: int | None = None  # errcode of a failed download of ``media_id``, if tried
    photo: NormalisedImage | None = None  # ``data`` normalised before the turn (bot.uploads)
    photo_refused: str = ""  # why ``data`` is no usable photo, found before the turn
    read_ahead: Mapping[str, bytes | None] = field(default_factory=dict, compare=False, hash=False)
    """Store values the channel read with the user's lock (``ReadAhead``), by key."""

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime (+ event) for events, as WeChat advises."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}:{self.event}:{self.event_key}"


@dataclass(frozen=True)
class TextReply:
    """Plain text (WeChat renders <a href> links in text)."""

    text: str


@dataclass(frozen=True)
class ImageReply:
    """An image: either already uploaded (``media_id``) or bytes to upload first."""

    media_id: str = ""
    data: bytes = b""
    filename: str = "image.jpg"
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class LinkReply:
    """A link card (news message with one article)."""

    title: str
    description: str
    url: str
    picurl: str = ""


@dataclass(frozen=True)
class HandOver:
    """Hand the conversation to WeChat's human customer service (transfer_customer_service)."""

    note: str = ""


Reply = TextReply | ImageReply | LinkReply | HandOver


@dataclass
class Answer:
    """Everything certdesk answers to one inbound message, in order."""

    replies: list[Reply] = field(default_factory=list)

    def add(self, reply: Reply) -> Answer:
        """Append a reply; returns self for chaining."""
        self.replies.append(reply)
        return self


def pack(replies: Sequence[Reply]) -> list[Reply]:
    """Merge consecutive texts into one message (WeChat quotas count messages, not lines)."""
    packed: list[Reply] = []
    for reply in replies:
        if isinstance(reply, TextReply) and packed and isinstance(packed[-1], TextReply):
            packed[-1] = TextReply(packed[-1].text + "\n\n" + reply.text)
        else:
            packed.append(reply)
    return packed


Dispatcher = Callable[[Inbound], Awaitable[Answer]]
ReadAhead = Callable[[Inbound], Sequence[str]]
"""The store keys a message's handlers will read, which only the user's own messages write:
read in the round trip that takes the user's lock, handed over as ``Inbound.read_ahead``."""
