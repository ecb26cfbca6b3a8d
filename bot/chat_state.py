"""The short-lived state of a chat that is not a flow (unlock, renewal), kept in the store.

One state per conversation kind, channel and user, expiring after the kind's time to live. It is
encrypted with the data keys (bound to its store key): it may hold identity information being
typed. States are dataclasses; fields listed in ``transient`` are not kept.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Generic, TypeVar

from bot.services import Services

State = TypeVar("State")


class ChatStates(Generic[State]):
    """The states of one conversation kind (``name``), e.g. ``unlock``."""

    def __init__(
        self,
        services: Services,
        name: str,
        state_type: type[State],
        ttl: float,
        transient: frozenset[str] = frozenset(),
    ) -> None:
        self.services = services
        self.name = name
        self.state_type = state_type
        self.ttl = ttl
        self.transient = transient

    def key(self, channel: str, openid: str) -> str:
        """The store key of one user's state."""
        return f"{self.name}:session:{channel}:{openid}"

    async def save(self, channel: str, openid: str, state: State) -> None:
        """Keep ``state`` (sealed) for the time to live, from now."""
        kept = {
            field.name: getattr(state, field.name)
            for field in dataclasses.fields(state)  # type: ignore[arg-type]
            if field.name not in self.transient
        }
        key = self.key(channel, openid)
        sealed = self.services.cipher.encrypt(json.dumps(kept, ensure_ascii=False), context=key)
        await self.services.store.set(key, sealed, ttl=self.ttl)

    async def load(self, channel: str, openid: str) -> State | None:
        """The user's state; None when there is none (or it expired)."""
        key = self.key(channel, openid)
        raw = await self.services.store.get(key)
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(self.services.cipher.decrypt(raw.decode(), context=key))
        names = {field.name for field in dataclasses.fields(self.state_type)}  # type: ignore[arg-type]
        return self.state_type(**{name: value for name, value in data.items() if name in names})

    async def delete(self, channel: str, openid: str) -> None:
        """Forget the user's state."""
        await self.services.store.delete(self.key(channel, openid))
