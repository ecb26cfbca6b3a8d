"""Review of material photos: which photo of a slot is in use, its history, and its status.

An upload step's answer is the id of the material in use; every other photo of that slot
(a retake, a version the reviewer rejected) is history, kept and shown to the reviewer. A
review decision marks the photos in use: the ones sent back ``rejected`` with the reason,
the others ``accepted``. A re-upload is a new ``pending`` material that replaces the rejected
one as the slot's answer; the rejected one stays, with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.flows import Flow, Step, StepKind
from bot.outbox import utcnow
from models.materials import Material, MaterialStatus
from models.orders import Order


@dataclass(frozen=True)
class MaterialSlot:
    """One upload step of an order: the photo in use and the earlier ones, newest first."""

    step: Step
    current: Material | None
    history: list[Material] = field(default_factory=list)


def _in_use_id(answers: Mapping[str, str], slot: str) -> int | None:
    value = answers.get(slot, "")
    return int(value) if value.isdigit() else None


async def material_slots(
    order: Order, flow: Flow, answers: Mapping[str, str]
) -> list[MaterialSlot]:
    """The order's applicable upload steps with their photo in use and its history."""
    by_slot: dict[str, list[Material]] = {}
    for material in await Material.filter(order=order).order_by("-id"):
        by_slot.setdefault(material.slot, []).append(material)
    slots = []
    for step in flow.applicable(dict(answers)):
        if step.kind is not StepKind.UPLOAD:
            continue
        stored = by_slot.get(step.key, [])
        wanted = _in_use_id(answers, step.key)
        current = next((m for m in stored if m.id == wanted), None)
        if current is None and wanted is None and stored:
            current = stored[0]  # not taken yet (a photo awaiting "仍然使用"): the newest
        history = [m for m in stored if m is not current]
        slots.append(MaterialSlot(step, current, history))
    return slots


async def record_decision(
    order: Order, reviewer: str, rejected: Mapping[str, str] | None = None
) -> list[Material]:
    """Mark the photos in use: those of ``rejected`` slots rejected with their reason, the
    others accepted. Call inside the decision's transaction; returns the photos marked."""
    rejected = rejected or {}
    marked = []
    now = utcnow()
    for material in await Material.filter(order=order):
        if _in_use_id(order.answers, material.slot) != material.id:
            continue  # history, or a photo not taken
        reason = rejected.get(material.slot)
        material.status = MaterialStatus.REJECTED if reason else MaterialStatus.ACCEPTED
        material.reason = (reason or "")[:200]
        material.reviewed_by = reviewer
        material.reviewed_at = now
        await material.save()
        marked.append(material)
    return marked
