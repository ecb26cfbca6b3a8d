"""The USB Keys the CA issued, as far as the server must know them: the unblock key (PUK) and the
management key of each Key, which never stay on the user's PC.

The PUK is stored encrypted (``bot.key_secrets``). It is released to the user's bridge only for
one unlock, after the user proved who they are, and replaced right after (``puk_next`` holds the
new one while the card is being changed, so an interrupted change loses nothing). The management
key never leaves the server: the bridge relays the Key's challenge and the server answers it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class KeySecret(Model):
    """The admin secrets of one Key, by the serial printed on it (``Certificate.key_serial``)."""

    id = fields.BigIntField(primary_key=True)
    key_serial = fields.CharField(max_length=64, unique=True)
    puk = fields.TextField()  # encrypted, context key:<serial>:puk
    # encrypted; a rotation whose outcome is unknown
    puk_next: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    puk_blocked = fields.BooleanField(default=False)  # the card refused it for good
    # encrypted, context key:<serial>:management (hex); answers the Key's admin challenges
    management_key: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    rotated_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "key_secret"

    def __str__(self) -> str:
        return f"KeySecret({self.key_serial})"
