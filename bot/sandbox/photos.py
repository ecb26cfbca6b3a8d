"""Realistic document photos generated with Pillow: a document on a desk, as a phone shoots it.

A flat single-colour picture is not what an applicant sends (and the quality check rightly calls
it unreadable), so the development console's sample photos and the tests use ``document_photo``.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont


def document_image(
    width: int = 1600,
    height: int = 1200,
    *,
    seed: int = 1,
    brightness: float = 1.0,
    blur: float = 0.0,
    wash: float = 0.0,
) -> Image.Image:
    """A sheet of paper with a title and lines of text on a darker desk, with sensor noise.

    ``brightness`` < 1 darkens (a dim room), ``wash`` blends towards white (overexposed),
    ``blur`` is a Gaussian blur radius in pixels (out of focus, shaken).
    """
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (96, 84, 72))  # the desk
    draw = ImageDraw.Draw(image)
    margin_x, margin_y = width // 12, height // 14
    draw.rectangle((margin_x, margin_y, width - margin_x, height - margin_y), fill=(236, 234, 228))
    size = max(12, height // 40)
    font = ImageFont.load_default(size=size)
    title = ImageFont.load_default(size=size * 2)
    draw.text(
        (margin_x * 2, margin_y * 2), "BUSINESS LICENCE 91110000", font=title, fill=(150, 20, 20)
    )
    y = margin_y * 2 + size * 4
    while y < height - margin_y * 2:
        words = " ".join(
            "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(rng.randint(2, 9))
            )
            for _ in range(rng.randint(4, 12))
        )
        draw.text((margin_x * 2, y), words, font=font, fill=(30, 30, 35))
        y += int(size * 1.8)
    noise = Image.effect_noise((width, height), 6).convert("RGB")
    image = Image.blend(image, noise, 0.04)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if brightness != 1.0:
        image = ImageEnhance.Brightness(image).enhance(brightness)
    if wash:
        image = Image.blend(image, Image.new("RGB", image.size, (255, 255, 255)), wash)
    return image


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    """The image saved in ``fmt`` as bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def document_photo(width: int = 1600, height: int = 1200, **kwargs: float) -> bytes:
    """A well-lit, sharp document photo as JPEG bytes."""
    return encode(document_image(width, height, **kwargs), quality=90)  # type: ignore[arg-type]
