"""The people certdesk talks to: WeChat users of the official account and the mini-program."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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
