"""Receiving a material photo: normalise it off the event loop, store it, record it.

Decoding and re-encoding (``bot.images``) run in a small dedicated thread pool — Pillow releases
the GIL, and at most ``IMAGE_WORKERS`` photos are processed at once so a burst of uploads does
not starve the event loop or every core. Files are written off the loop too, atomically, under
a key made of the slot and the content's sha256 (``bot.storage``; never anything the user
chose).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot import texts
from bot.images import ImageRefused, NormalisedImage, normalise
from bot.storage import FileStore
from bot.validators import Invalid
from models.materials import Material
from models.orders import Order

IMAGE_WORKERS = 2
_POOL = ThreadPoolExecutor(max_workers=IMAGE_WORKERS, thread_name_prefix="images")


async def prepare_photo(data: bytes) -> NormalisedImage:
    """The normalised photo, or ``Invalid`` with a Chinese reason saying what to send."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_POOL, normalise, data)
    except ImageRefused as exc:
        raise Invalid(
            texts.PHOTO_REFUSED.get(exc.code, texts.PHOTO_REFUSED["not_an_image"])
        ) from exc


def warning_text(codes: list[str]) -> str:
    """Why a retake is asked for, one line per warning, in Chinese."""
    reasons = "\n".join(
        f"· {texts.PHOTO_WARNINGS[code]}" for code in codes if code in texts.PHOTO_WARNINGS
    )
    return texts.PHOTO_RETAKE.format(reasons=reasons)


async def store_material(
    files: FileStore, order: Order, slot: str, data: bytes, source: str
) -> Material:
    """Normalise the photo, store it in the order's folder and record it with its warnings."""
    image = await prepare_photo(data)
    stored = await files.put(f"orders/{order.order_no}", slot, image.jpeg, "image/jpeg")
    return await Material.create(
        order=order,
        slot=slot,
        path=stored.key,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        width=image.width,
        height=image.height,
        source=source,
        warnings=list(image.warnings),
        original_format=image.original_format,
        original_size=image.original_size,
        original_width=image.original_width,
        original_height=image.original_height,
    )


async def latest_material(order: Order, slot: str) -> Material | None:
    """The newest photo received for ``slot`` of ``order``."""
    return await Material.filter(order=order, slot=slot).order_by("-id").first()


async def material_for(order_no: str, slot: str) -> Material | None:
    """The newest photo received for ``slot`` of the order ``order_no``."""
    return await Material.filter(order__order_no=order_no, slot=slot).order_by("-id").first()


def describe_material(material: Material) -> dict[str, Any]:
    """What the applicant's app shows of a stored photo: size and the warnings, explained."""
    return {
        "id": str(material.id),
        "slot": material.slot,
        "width": material.width,
        "height": material.height,
        "size": material.size,
        "warnings": [
            {"code": code, "message": texts.PHOTO_WARNINGS.get(code, "")}
            for code in material.warnings
        ],
    }
