"""Material photos: decode safely, check quality, normalise to a small clean JPEG.

Pure and synchronous (bytes in, bytes out): callers run ``normalise`` off the event loop.

- Accepted: JPEG (and MPO), PNG, WebP, HEIC/HEIF (pillow-heif). Anything else — PDF, GIF,
  animations, text renamed ``.jpg``, truncated files, images carrying a web page or PDF — is
  refused with ``ImageRefused(code)``; nothing else ever escapes for bad input.
- Bounded work and memory: a byte limit, a pixel limit read from the header before any pixel is
  decoded, and JPEG draft mode (DCT-domain scaling), so a 12 MP photo is decoded at half size
  when the result is at most 2000 px anyway.
- The result is upright (EXIF orientation applied), RGB, without EXIF (GPS!), XMP, ICC or
  comments, long side ≤ 2000 px and ≤ 1 MB, at the best quality that fits.
- Quality warnings (the applicant may still keep the photo): too small, dark, overexposed,
  blurred.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Final

import pillow_heif
from PIL import Image, ImageCms, ImageFilter, ImageOps, ImageStat

MAX_INPUT_BYTES: Final = 20 * 1024 * 1024
MAX_PIXELS: Final = 50_000_000  # JPEG: a 48 MP phone photo fits, decoded at 1/4 (~3 MP)
# PNG, WebP and HEIF cannot be decoded scaled: at most 25 MP (a 24 MP iPhone HEIC fits), so one
# photo never takes more than ~100 MB of pixels even as RGBA.
MAX_PIXELS_UNSCALED: Final = 25_000_000
MAX_LONG_SIDE: Final = 2000
MAX_OUTPUT_BYTES: Final = 1_000_000  # the seed's "at most 1 MB", with no rounding doubt
MIN_SIDE: Final = 300  # below this nothing on a licence is readable: refused
SMALL_SIDE: Final = 600  # below this a licence is hard to read: a warning
QUALITY_START: Final = 88
QUALITY_FLOOR: Final = 60  # below this JPEG artefacts blur small print
QUALITY_STEPS: Final = 4  # binary search steps between the floor and the start
SHRINK_STEPS: Final = 3  # extra downscales when even the floor quality is too big
TRIM_SHARE: Final = 0.01  # see _fit

# Pillow's own bomb guard, set explicitly (it raises above twice this, we refuse above it).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Reason codes of a refusal.
TOO_LARGE: Final = "too_large"
NOT_AN_IMAGE: Final = "not_an_image"
UNSUPPORTED: Final = "unsupported_format"
ANIMATED: Final = "animated"
TRUNCATED: Final = "truncated"
BOMB: Final = "bomb"
TOO_SMALL: Final = "too_small"
FOREIGN_CONTENT: Final = "foreign_content"

# Warning codes.
SMALL: Final = "small"
DARK: Final = "dark"
OVEREXPOSED: Final = "overexposed"
BLURRED: Final = "blurred"
WARNINGS: Final = (SMALL, DARK, OVEREXPOSED, BLURRED)

ACCEPTED_FORMATS: Final = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
ANIMATABLE: Final = frozenset({"PNG", "WEBP"})  # APNG, animated WebP (GIF is refused anyway)
# Signatures of content that has no business inside a photo: a file that decodes as an image
# but also carries one of these is a polyglot (e.g. a JPEG that is also a PDF or a web page).
# Signatures are at least 5 bytes, so compressed pixel data matches one by chance about once in
# 10^11 bytes. Re-encoding drops any such payload anyway; refusing says clearly what happened.
FOREIGN_SIGNATURES: Final = (b"%PDF-", b"<script", b"<html", b"<?php", b"<!DOCTYPE")

pillow_heif.register_heif_opener()  # once, at import: Image.open then reads HEIC/HEIF


class ImageRefused(Exception):
    """The file is not a photo certdesk accepts; ``code`` says why (see the codes above)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Quality:
    """The measures behind the warnings (on a grey copy at most ``METER_SIDE`` px long)."""

    mean: float  # mean luminance 0..255
    dark_share: float  # share of pixels at or below ``CLIP_LOW``
    bright_share: float  # share of pixels at or above ``CLIP_HIGH``
    ink: float  # luminance of the darkest 2 % (print, on a readable document)
    sharpness: float  # variance of the Laplacian


@dataclass(frozen=True)
class NormalisedImage:
    """A normalised photo: the JPEG to store and what was found on the way."""

    jpeg: bytes
    width: int
    height: int
    warnings: tuple[str, ...]
    original_format: str
    original_size: int  # bytes
    original_width: int
    original_height: int
    decoded_width: int  # what was actually decoded (smaller than the original in draft mode)
    decoded_height: int
    quality: int
    measures: Quality = field(repr=False, compare=False, default=Quality(0, 0, 0, 0, 0))


def normalise(data: bytes, *, draft: bool = True) -> NormalisedImage:
    """Decode, check and re-encode a photo; ``draft=False`` only for the benchmark."""
    if len(data) > MAX_INPUT_BYTES:
        raise ImageRefused(TOO_LARGE, f"{len(data)} bytes")
    image, fmt, original = _decode(data, draft)
    if any(signature in data for signature in FOREIGN_SIGNATURES):
        raise ImageRefused(FOREIGN_CONTENT)
    decoded = image.size
    image = _to_rgb(image)
    image = _fit(image, MAX_LONG_SIDE)
    measures = measure(image)
    warnings = quality_warnings(measures, min(original))
    jpeg, quality, image = _encode_within(image, MAX_OUTPUT_BYTES)
    return NormalisedImage(
        jpeg=jpeg,
        width=image.width,
        height=image.height,
        warnings=warnings,
        original_format=fmt,
        original_size=len(data),
        original_width=original[0],
        original_height=original[1],
        decoded_width=decoded[0],
        decoded_height=decoded[1],
        quality=quality,
        measures=measures,
    )


# -- decoding -------------------------------------------------------------------------------------


def _decode(data: bytes, draft: bool) -> tuple[Image.Image, str, tuple[int, int]]:
    """The decoded, upright image, its format and its original (upright) size."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageRefused(BOMB, str(exc)) from exc
    except Exception as exc:  # hostile input may upset any parser: every failure is a refusal
        raise ImageRefused(NOT_AN_IMAGE, type(exc).__name__) from exc
    try:
        return _load(image, draft)
    except ImageRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageRefused(BOMB, str(exc)) from exc
    except (OSError, EOFError, SyntaxError) as exc:
        raise ImageRefused(TRUNCATED if _truncated(exc) else NOT_AN_IMAGE, str(exc)) from exc
    except Exception as exc:  # see above
        raise ImageRefused(NOT_AN_IMAGE, type(exc).__name__) from exc


def _load(image: Image.Image, draft: bool) -> tuple[Image.Image, str, tuple[int, int]]:
    fmt = image.format or ""
    if fmt == "GIF":
        raise ImageRefused(ANIMATED if getattr(image, "is_animated", False) else UNSUPPORTED)
    if fmt not in ACCEPTED_FORMATS:
        raise ImageRefused(UNSUPPORTED, fmt)
    if fmt in ANIMATABLE and getattr(image, "is_animated", False):
        raise ImageRefused(ANIMATED, fmt)
    width, height = image.size
    scalable = draft and fmt in {"JPEG", "MPO"}
    limit = MAX_PIXELS if scalable else MAX_PIXELS_UNSCALED
    if width <= 0 or height <= 0 or width * height > limit:
        raise ImageRefused(BOMB, f"{width}x{height}")
    if min(width, height) < MIN_SIDE:
        raise ImageRefused(TOO_SMALL, f"{width}x{height}")
    if scalable:
        # DCT-domain scaling: decode at 1/2, 1/4 or 1/8 while staying at least MAX_LONG_SIDE.
        scale = min(1.0, MAX_LONG_SIDE / max(width, height))
        image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
    image.load()
    decoded = image.size
    ImageOps.exif_transpose(image, in_place=True)
    original = (height, width) if image.size != decoded else (width, height)
    return image, fmt, original


def _truncated(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("truncated", "broken data", "premature", "not enough"))


# -- normalising ----------------------------------------------------------------------------------


_SRGB = ImageCms.createProfile("sRGB")


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB: CMYK profiles applied, transparency on white paper, no metadata kept."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        image = paper
    elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if icc and image.mode == "CMYK":
        # CMYK without its profile comes out garish. An RGB profile (Display P3 on iPhones,
        # Adobe RGB) is dropped instead: read as sRGB the colours are slightly duller, which
        # does not matter for reading a document, and converting costs ~70 ms per photo.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the plain conversion below is good enough for a document
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    rgb.info = {}  # none of the source's EXIF, XMP, ICC or comments is saved again
    return rgb


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    """Scaled down (never up) so the long side is at most ``long_side``.

    First by an integer factor (box average: cheap, what JPEG draft mode does while decoding),
    then the rest. A long side at most ``TRIM_SHARE`` too long (a 4032 px photo halved is
    2016 px) is trimmed at both ends instead: resampling by 1 % softens every stroke of the
    print for nothing, while the few pixels at the edge of the frame carry no content.
    """
    factor = max(image.size) // long_side
    if factor >= 2:
        image = image.reduce(factor)
    if max(image.size) <= long_side:
        return image
    if max(image.size) - long_side <= max(image.size) * TRIM_SHARE:
        width, height = min(image.width, long_side), min(image.height, long_side)
        left, top = (image.width - width) // 2, (image.height - height) // 2
        return image.crop((left, top, left + width, top + height))
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _encode_within(image: Image.Image, limit: int) -> tuple[bytes, int, Image.Image]:
    """The best quality (bounded binary search) whose JPEG fits ``limit``; smaller if none does."""
    for _ in range(SHRINK_STEPS + 1):
        best = _jpeg(image, QUALITY_START)
        if len(best) <= limit:
            return best, QUALITY_START, image
        low, high, found = QUALITY_FLOOR, QUALITY_START - 1, 0
        for _ in range(QUALITY_STEPS):
            if low > high:
                break
            middle = (low + high) // 2
            attempt = _jpeg(image, middle)
            if len(attempt) <= limit:
                best, found, low = attempt, middle, middle + 1
            else:
                high = middle - 1
        if found:
            return best, found, image
        floor = _jpeg(image, QUALITY_FLOOR)
        if len(floor) <= limit:
            return floor, QUALITY_FLOOR, image
        # Even the floor is too big (extreme detail or noise): fewer pixels, not worse pixels.
        shrink = max(0.5, min(0.9, (limit / len(floor)) ** 0.5))
        image = _fit(image, int(max(image.size) * shrink))
    return _jpeg(image, QUALITY_FLOOR), QUALITY_FLOOR, image


# -- quality --------------------------------------------------------------------------------------

METER_SIDE: Final = 1000
METER_MARGIN: Final = 0.15  # sharpness is measured on the middle 70 % x 70 %
CLIP_LOW: Final = 20
CLIP_HIGH: Final = 250
INK_SHARE: Final = 0.02
# Thresholds, chosen on the generated photos of the tests (a document on a desk, see
# tests/photos.py) and their dim, washed-out and blurred variants, measured at ≤ 1000 px:
# - dark: the good photo's mean luminance is ≈ 180; at 50 % light ≈ 90 (still readable), at
#   30 % ≈ 54 (print and paper too close) → below 70, or when most pixels are clipped black;
# - overexposed: what matters is whether the print survived. The darkest 2 % ("ink") is ≈ 50
#   on the good photo and stays dark on a white page with black print; blending the photo 50 %
#   towards white gives ink ≈ 153 (faint but readable), 60 % ≈ 174 (washed out) → a bright
#   picture (mean > 215) whose ink is lighter than 160, or one almost entirely clipped white;
# - blurred: Laplacian variance (middle of the frame) of the sharp photo ≈ 3000, Gaussian blur
#   radius 1.5 ≈ 1000 and radius 2 ≈ 400 (soft but readable), radius 3 ≈ 130, radius 3.5
#   ≈ 100, a flat picture ≈ 25 (JPEG noise) → below 200.
DARK_MEAN: Final = 70.0
DARK_SHARE: Final = 0.6
BRIGHT_MEAN: Final = 215.0
INK_LIGHTEST: Final = 160.0
BRIGHT_SHARE: Final = 0.9
BLUR_VARIANCE: Final = 200.0
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


def measure(image: Image.Image) -> Quality:
    """Brightness, clipping and sharpness of a (downscaled) grey copy."""
    grey = image.convert("L")
    if max(grey.size) > METER_SIDE:
        factor = -(-max(grey.size) // METER_SIDE)  # ceil: integer box reduce is cheap
        grey = grey.reduce(factor)
    histogram = grey.histogram()
    total = max(1, grey.width * grey.height)
    mean = sum(value * count for value, count in enumerate(histogram)) / total
    dark = sum(histogram[: CLIP_LOW + 1]) / total
    bright = sum(histogram[CLIP_HIGH:]) / total
    ink, seen = 0, 0
    for ink, count in enumerate(histogram):  # noqa: B007 (the level is the result)
        seen += count
        if seen >= total * INK_SHARE:
            break
    # Sharpness where the document is: the middle of the frame (the edges are often desk).
    margin_x, margin_y = int(grey.width * METER_MARGIN), int(grey.height * METER_MARGIN)
    centre = grey.crop((margin_x, margin_y, grey.width - margin_x, grey.height - margin_y))
    sharpness = float(ImageStat.Stat(centre.filter(_LAPLACIAN)).var[0])
    return Quality(mean, dark, bright, float(ink), sharpness)


def quality_warnings(measures: Quality, short_side: int) -> tuple[str, ...]:
    """The warning codes for these measures, in a fixed order."""
    found: list[str] = []
    if short_side < SMALL_SIDE:
        found.append(SMALL)
    if measures.mean < DARK_MEAN or measures.dark_share > DARK_SHARE:
        found.append(DARK)
    elif (
        measures.mean > BRIGHT_MEAN and measures.ink > INK_LIGHTEST
    ) or measures.bright_share > BRIGHT_SHARE:
        found.append(OVEREXPOSED)
    if measures.sharpness < BLUR_VARIANCE:
        found.append(BLURRED)
    return tuple(found)
