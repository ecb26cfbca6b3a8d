"""The people certdesk talks to: WeChat users of the official account and the mini-program."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from tortoise import fields
from tortoise.models import Model

from models import parameter_marks
from models.statements import fetch_row


class WeChatUser(Model):
    """One openid of the official account (or of the mini-program, channel ``mp``)."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64)
    channel = fields.CharField(max_length=8, default="oa")  # oa | mp
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    subscribed = fields.BooleanField(default=False)
    subscribed_at = fields.DatetimeField(null=True)
    unsubscribed_at = fields.DatetimeField(null=True)
    last_scene = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "wechat_user"
        unique_together = (("channel", "openid"),)

    def __str__(self) -> str:
        return f"WeChatUser({self.channel}:{self.openid[:6]}…)"


@cache
def _remember_sql(dialect: str) -> str:
    """Insert or update a user of the official account; the last scene (built once)."""
    marks = ", ".join(parameter_marks(dialect, 8))
    # only parameter marks are formatted in; every value is a parameter
    return (
        "INSERT INTO wechat_user (openid, channel, subscribed, subscribed_at, unsubscribed_at, "  # noqa: S608
        f"last_scene, created_at, updated_at) VALUES ({marks}) "
        "ON CONFLICT (channel, openid) DO UPDATE SET subscribed = excluded.subscribed, "
        "subscribed_at = COALESCE(excluded.subscribed_at, wechat_user.subscribed_at), "
        "unsubscribed_at = COALESCE(excluded.unsubscribed_at, wechat_user.unsubscribed_at), "
        "last_scene = COALESCE(excluded.last_scene, wechat_user.last_scene), "
        "updated_at = excluded.updated_at RETURNING last_scene"
    )


async def remember_follower(
    openid: str,
    *,
    subscribed: bool,
    now: datetime,
    followed: bool = False,
    scene: str | None = None,
) -> str | None:
    """Record that a user of the official account follows it or not (``followed``: they have
    just followed; ``scene``: the QR scene they came from), in one statement whether or not they
    are known yet; their last QR scene."""
    db = WeChatUser._meta.db
    row = await fetch_row(
        db,
        _remember_sql(db.capabilities.dialect),
        [
            openid,
            "oa",
            subscribed,
            now if followed else None,
            None if subscribed else now,
            scene[:64] if scene else None,
            now,
            now,
        ],
    )
    return row["last_scene"] if row is not None else None


class SubscribeQuota(Model):
    """Mini-program subscribe messages a user allowed for one template: each time they accept
    in ``wx.requestSubscribeMessage`` one more message may be sent, and each send uses one."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64)  # the mini-program openid
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "mp_subscribe_quota"
        unique_together = (("openid", "template_id"),)
