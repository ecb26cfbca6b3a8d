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
