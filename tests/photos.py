"""Test photos beyond the good document photo of ``bot.sandbox.photos`` (re-exported here):
phone JPEGs with EXIF orientation and GPS, iPhone HEIC."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

from bot.sandbox.photos import document_image, document_photo, encode

__all__ = ["document_image", "document_photo", "encode", "heic", "phone_photo"]

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def phone_photo(width: int = 4032, height: int = 3024, *, orientation: int = 6) -> bytes:
    """A 12 MP phone JPEG: stored sideways with an EXIF orientation, GPS position and a comment.

    With orientation 6 the upright document is ``height`` wide and ``width`` tall.
    """
    upright = (
        document_image(height, width) if orientation in (6, 8) else document_image(width, height)
    )
    stored = upright.rotate(90, expand=True) if orientation == 6 else upright
    if orientation == 8:
        stored = upright.rotate(-90, expand=True)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 5.0)})
    return encode(stored, quality=92, exif=exif, comment=b"shot at home")


def heic(image: Image.Image, quality: int = 80) -> bytes:
    """The image as an iPhone-style HEIC (HEVC encoded fast: the tests need a file, not art)."""
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, quality=quality, enc_params={"preset": "ultrafast"})
    return buffer.getvalue()
