"""Receiving a material photo: normalise it off the event loop, store it, record it.

Normalising happens before the turn's database transaction (:func:`prepare_inbound`, called
by each channel once the bytes are there), so no row lock is held while a photo is decoded.
Decoding and re-encoding (``bot.images``) run in a small dedicated thread pool — Pillow releases
the GIL, and at most ``IMAGE_WORKERS`` photos are processed at once so a burst of uploads does
not starve the event loop or every core. Files are written off the loop too, atomically, under
a key made of the slot and the content's sha256 (``bot.storage``; never anything the user
chose).
"""

from __future__ import annotations

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot import texts
from bot.file_links import material_url
from bot.images import ImageRefused, NormalisedImage, normalise
from bot.messages import Inbound
from bot.services import Services
from bot.storage import FileStore
from bot.validators import Invalid
from models.materials import Material
from models.orders import Order

IMAGE_WORKERS = 2
_POOL = ThreadPoolExecutor(max_workers=IMAGE_WORKERS, thread_name_prefix="images")
ORIGINAL_TYPES = {  # what the applicant sent, by Pillow format, as it is kept
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}


async def prepare_photo(data: bytes) -> NormalisedImage:
    """The normalised photo, or ``Invalid`` with a Chinese reason saying what to send."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(_POOL, normalise, data)
    except ImageRefused as exc:
        raise Invalid(
            texts.PHOTO_REFUSED.get(exc.code, texts.PHOTO_REFUSED["not_an_image"])
        ) from exc


async def prepare_inbound(inbound: Inbound) -> Inbound:
    """An image message with its bytes normalised (or refused, with the reason) already, so
    the turn that records it does no image work inside its database transaction."""
    if inbound.kind != "image" or not inbound.data or inbound.photo or inbound.photo_refused:
        return inbound
    try:
        return dataclasses.replace(inbound, photo=await prepare_photo(inbound.data))
    except Invalid as exc:
        return dataclasses.replace(inbound, photo_refused=exc.reason)


def warning_text(codes: list[str]) -> str:
    """Why a retake is asked for, one line per warning, in Chinese."""
    reasons = "\n".join(
        f"· {texts.PHOTO_WARNINGS[code]}" for code in codes if code in texts.PHOTO_WARNINGS
    )
    return texts.PHOTO_RETAKE.format(reasons=reasons)


async def store_material(
    files: FileStore,
    order: Order,
    slot: str,
    data: bytes,
    source: str,
    *,
    image: NormalisedImage | None = None,
    keep_original: bool = False,
) -> Material:
    """Store the normalised photo (normalised here unless ``image`` is given) in the order's
    folder, and the original beside it when ``keep_original``; record it with its warnings."""
    if image is None:
        image = await prepare_photo(data)
    folder = f"orders/{order.order_no}"
    stored = await files.put(folder, slot, image.jpeg, "image/jpeg")
    original_type = ORIGINAL_TYPES.get(image.original_format, "")
    original_path = None
    if keep_original and original_type:
        original_path = (await files.put(folder, f"{slot}.original", data, original_type)).key
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
        original_path=original_path,
        original_content_type=original_type if original_path else "",
    )


async def latest_material(order: Order, slot: str) -> Material | None:
    """The newest photo received for ``slot`` of ``order``."""
    return await Material.filter(order=order, slot=slot).order_by("-id").first()


async def material_for(order_no: str, slot: str) -> Material | None:
    """The newest photo received for ``slot`` of the order ``order_no``."""
    return await Material.filter(order__order_no=order_no, slot=slot).order_by("-id").first()


def describe_material(services: Services, material: Material, order_no: str) -> dict[str, Any]:
    """What the applicant's app shows of a stored photo: size, the warnings explained, the
    review status and reason, and a signed link to see it (valid ``LINK_MINUTES``)."""
    return {
        "id": str(material.id),
        "slot": material.slot,
        "status": material.status.value,
        "status_label": texts.MATERIAL_STATUS[material.status.value],
        "reason": material.reason,
        "url": material_url(services, material, order_no),
        "width": material.width,
        "height": material.height,
        "size": material.size,
        "warnings": [
            {"code": code, "message": texts.PHOTO_WARNINGS.get(code, "")}
            for code in material.warnings
        ],
    }
