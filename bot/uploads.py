"""Receiving a material photo: check that it is a real image, store it, record it.

The seed accepts jpg/png/jpeg; phones also send WebP and HEIC. Anything that does not decode
as an image, is too large or too small is refused with a Chinese message saying what to send.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from bot.validators import Invalid
from models.materials import Material
from models.orders import Order

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 12 MP phone photo is far below; bombs are far above
MIN_SIDE = 300
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "MPO": ("jpg", "image/jpeg"),
}

NOT_AN_IMAGE = "收到的文件不是照片，请发送 jpg、png 格式的照片（拍照或从相册选择）。"
TOO_LARGE = "照片太大了（超过 20 MB），请换一张或截图后发送。"
TOO_SMALL = "照片太小（{width}×{height}），看不清内容，请靠近一些重新拍摄。"
BOMB = "这张图片的尺寸异常，无法处理，请重新拍摄后发送。"


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed the checks."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage:
    """Identify and sanity-check an uploaded image without decoding its pixels."""
    if len(data) > MAX_BYTES:
        raise Invalid(TOO_LARGE)
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Invalid(BOMB)
            image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise Invalid(NOT_AN_IMAGE) from exc
    if fmt not in FORMATS:
        raise Invalid(NOT_AN_IMAGE)
    if min(width, height) < MIN_SIDE:
        raise Invalid(TOO_SMALL.format(width=width, height=height))
    extension, content_type = FORMATS[fmt]
    return CheckedImage(data, extension, content_type, width, height)


async def store_material(
    storage_root: str, order: Order, slot: str, data: bytes, source: str
) -> Material:
    """Check the image, write it under the order's folder and record it."""
    image = check_image(data)
    digest = hashlib.sha256(image.data).hexdigest()
    relative = Path("orders") / order.order_no / f"{slot}-{digest[:12]}.{image.extension}"
    target = Path(storage_root) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(image.data)
    return await Material.create(
        order=order,
        slot=slot,
        path=str(relative),
        content_type=image.content_type,
        size=len(image.data),
        sha256=digest,
        width=image.width,
        height=image.height,
        source=source,
    )
