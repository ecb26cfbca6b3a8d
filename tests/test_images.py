"""Photo normalisation on real generated photos: what a phone sends, what a reviewer gets."""

from __future__ import annotations

import io
import random
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from bot import images, texts
from bot.images import ImageRefused, normalise
from tests.photos import GPS_IFD, document_image, document_photo, encode, heic, phone_photo


@pytest.fixture(scope="module")
def phone() -> bytes:
    """A 12 MP phone JPEG stored sideways (EXIF orientation 6) with GPS and a comment."""
    return phone_photo()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes) -> str:
    with pytest.raises(ImageRefused) as caught:
        normalise(data)
    return caught.value.code


def red_centre(image: Image.Image) -> tuple[float, float]:
    """Where the red title of the generated document is, as fractions of width and height."""
    small = image.convert("RGB").resize((image.width // 8, image.height // 8))
    pixels = small.tobytes()
    xs, ys = [], []
    for index in range(small.width * small.height):
        r, g, b = pixels[index * 3 : index * 3 + 3]
        if r > 110 and g < 80 and b < 80:
            xs.append(index % small.width)
            ys.append(index // small.width)
    assert xs, "the red title is visible"
    return sum(xs) / len(xs) / small.width, sum(ys) / len(ys) / small.height


# -- normalising ---------------------------------------------------------------------------------


def test_a_sideways_phone_photo_comes_out_upright_without_any_metadata(phone: bytes) -> None:
    source = opened(phone)
    assert source.size == (4032, 3024) and source.getexif()[0x0112] == 6
    assert source.getexif().get_ifd(GPS_IFD) and b"shot at home" in phone
    result = normalise(phone)
    out = opened(result.jpeg)
    assert out.format == "JPEG" and out.mode == "RGB"
    assert (out.width, out.height) == (result.width, result.height) == (1512, 2000)  # portrait
    x, y = red_centre(out)
    upright_x, upright_y = red_centre(document_image(3024, 4032))  # as it was written
    assert y < 0.3 and abs(x - upright_x) < 0.08 and abs(y - upright_y) < 0.05
    assert not out.getexif() and "exif" not in out.info
    for key in ("icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
        assert key not in out.info
    for trace in (b"Exif", b"PhoneMaker", b"shot at home", b"GPS"):
        assert trace not in result.jpeg
    assert (result.original_width, result.original_height) == (3024, 4032)
    assert result.original_format == "JPEG" and result.original_size == len(phone)
    assert result.warnings == ()


def test_a_12_mp_photo_is_decoded_at_half_size_and_fits_2000_px_and_1_mb(phone: bytes) -> None:
    result = normalise(phone)
    assert (result.decoded_width, result.decoded_height) == (1512, 2016)  # DCT scale 1/2
    assert max(result.width, result.height) <= 2000
    assert len(result.jpeg) <= 1_000_000 and len(phone) > len(result.jpeg)
    full = normalise(phone, draft=False)
    assert (full.decoded_width, full.decoded_height) == (3024, 4032)
    assert (full.width, full.height) == (1512, 2000)  # halved, then trimmed like the draft


def test_a_photo_too_detailed_for_1_mb_gets_a_lower_quality_not_a_bigger_file() -> None:
    noisy = Image.effect_noise((2000, 1500), 90).convert("RGB")
    data = encode(noisy, quality=95)
    assert len(data) > 1_000_000
    result = normalise(data)
    assert len(result.jpeg) <= 1_000_000
    assert result.quality < images.QUALITY_START
    assert result.quality >= images.QUALITY_FLOOR or max(result.width, result.height) < 2000


def test_small_photos_are_not_scaled_up() -> None:
    result = normalise(document_photo(900, 700))
    assert (result.width, result.height) == (900, 700) and result.quality == images.QUALITY_START


def test_an_iphone_heic_is_accepted() -> None:
    data = heic(document_image(1600, 1200))
    assert data[4:12] == b"ftypheic"
    result = normalise(data)
    assert result.original_format == "HEIF" and (result.width, result.height) == (1600, 1200)
    assert result.warnings == ()


def test_a_sideways_heic_comes_out_upright() -> None:
    upright = document_image(1200, 1600)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    upright.rotate(90, expand=True).save(
        buffer, "HEIF", exif=exif.tobytes(), quality=70, enc_params={"preset": "ultrafast"}
    )
    out = opened(normalise(buffer.getvalue()).jpeg)
    assert out.size == (1200, 1600)
    x, y = red_centre(out)
    upright_x, upright_y = red_centre(upright)
    assert abs(x - upright_x) < 0.08 and abs(y - upright_y) < 0.05


def test_webp_and_png_with_alpha_become_rgb_jpeg_on_white() -> None:
    webp = normalise(encode(document_image(1200, 900), "WEBP", quality=85))
    assert webp.original_format == "WEBP" and opened(webp.jpeg).mode == "RGB"
    sheet = document_image(1200, 900).convert("RGBA")
    sheet.putalpha(Image.new("L", sheet.size, 0).point(lambda _: 0))  # fully transparent
    sheet.paste(document_image(600, 450), (300, 225))  # an opaque photo in the middle
    result = normalise(encode(sheet, "PNG"))
    out = opened(result.jpeg).convert("RGB")
    assert result.original_format == "PNG" and out.getpixel((10, 10)) >= (250, 250, 250)


def test_colour_profiles_are_not_kept_and_cmyk_becomes_rgb() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = normalise(encode(document_image(1200, 900), quality=90, icc_profile=profile))
    assert "icc_profile" not in opened(result.jpeg).info
    cmyk = normalise(encode(document_image(1200, 900).convert("CMYK"), quality=90))
    out = opened(cmyk.jpeg)
    assert out.mode == "RGB" and cmyk.warnings == ()
    assert out.getpixel((600, 450))[0] > 150  # the paper is still light, not inverted


# -- refusals ------------------------------------------------------------------------------------


def test_things_that_are_not_photos_are_refused_with_a_reason() -> None:
    assert refusal(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF") == images.NOT_AN_IMAGE
    assert refusal("营业执照.jpg 其实是一段文字".encode() * 100) == images.NOT_AN_IMAGE
    assert refusal(b"") == images.NOT_AN_IMAGE
    still = encode(document_image(800, 600).convert("P"), "GIF")
    assert refusal(still) == images.UNSUPPORTED
    frames = [document_image(800, 600, seed=n).convert("P") for n in range(3)]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert refusal(animated.getvalue()) == images.ANIMATED
    webp = io.BytesIO()
    document_image(800, 600).save(
        webp, "WEBP", save_all=True, append_images=[document_image(800, 600, seed=2)]
    )
    assert refusal(webp.getvalue()) == images.ANIMATED
    assert refusal(encode(document_image(800, 600), "TIFF")) == images.UNSUPPORTED


def test_truncated_files_are_refused_as_truncated() -> None:
    jpeg = document_photo(1200, 900)
    assert refusal(jpeg[: len(jpeg) // 2]) == images.TRUNCATED
    png = encode(document_image(1200, 900), "PNG")
    assert refusal(png[: len(png) // 2]) in {images.TRUNCATED, images.NOT_AN_IMAGE}


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = encode(Image.new("1", (20_000, 20_000)), "PNG")  # 400 MP in a few kB
    assert len(bomb) < 100_000
    assert refusal(bomb) == images.BOMB
    # The same with a forged header: a tiny PNG claiming 60000 x 60000 pixels.
    small = bytearray(encode(Image.new("L", (400, 400)), "PNG"))
    small[16:24] = (60_000).to_bytes(4, "big") * 2
    small[29:33] = zlib.crc32(bytes(small[12:29])).to_bytes(4, "big")
    assert refusal(bytes(small)) == images.BOMB


def test_a_large_jpeg_is_decoded_scaled_but_a_png_that_large_is_refused() -> None:
    big = Image.new("RGB", (6400, 4800), (235, 233, 228))  # 30.7 MP
    result = normalise(encode(big, quality=80))
    assert (result.decoded_width, result.decoded_height) == (3200, 2400)  # DCT scale 1/2
    assert (result.width, result.height) == (2000, 1500)
    assert refusal(encode(big.convert("1"), "PNG")) == images.BOMB


def test_huge_and_tiny_inputs_are_refused() -> None:
    assert refusal(b"\xff\xd8" + b"\0" * (images.MAX_INPUT_BYTES + 1)) == images.TOO_LARGE
    assert refusal(document_photo(200, 150)) == images.TOO_SMALL


def test_polyglots_are_refused() -> None:
    photo = document_photo(1200, 900)
    assert refusal(photo + b"\n<html><script>alert(1)</script></html>") == images.FOREIGN_CONTENT
    assert refusal(photo + b"%PDF-1.4\n1 0 obj<<>>endobj") == images.FOREIGN_CONTENT


# -- quality -------------------------------------------------------------------------------------


def test_a_sharp_well_lit_document_photo_has_no_warnings() -> None:
    for seed in range(3):
        assert normalise(document_photo(1600, 1200, seed=seed)).warnings == ()
    assert normalise(document_photo(1600, 1200, brightness=0.5)).warnings == ()  # dim, legible
    assert normalise(document_photo(1600, 1200, blur=2)).warnings == ()  # soft, still legible


@pytest.mark.parametrize(
    ("variant", "warning"),
    [
        ({"brightness": 0.3}, images.DARK),
        ({"brightness": 0.12}, images.DARK),
        ({"wash": 0.65}, images.OVEREXPOSED),
        ({"wash": 0.75, "brightness": 1.3}, images.OVEREXPOSED),
        ({"blur": 3}, images.BLURRED),
        ({"blur": 6}, images.BLURRED),
    ],
)
def test_bad_photos_are_flagged(variant: dict[str, float], warning: str) -> None:
    assert normalise(document_photo(1600, 1200, **variant)).warnings == (warning,)


def test_a_small_photo_is_flagged_and_a_blank_one_is_blurred() -> None:
    assert normalise(document_photo(560, 420)).warnings == (images.SMALL,)
    blank = encode(Image.new("RGB", (1200, 900), (200, 180, 160)))
    assert images.BLURRED in normalise(blank).warnings


# -- fuzzing -------------------------------------------------------------------------------------


def _samples() -> list[bytes]:
    base = document_image(320, 320)
    return [
        heic(base, 60),
        encode(base, quality=70),
        encode(base, "PNG"),
        encode(base, "WEBP", quality=60),
        encode(base.convert("P"), "GIF"),
    ]


SAMPLES = _samples()
REFUSALS = {
    images.NOT_AN_IMAGE,
    images.UNSUPPORTED,
    images.ANIMATED,
    images.TRUNCATED,
    images.BOMB,
    images.TOO_SMALL,
    images.FOREIGN_CONTENT,
}


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 12))):
        action = rng.randrange(4)
        position = rng.randrange(len(data))
        if action == 0:
            data[position] = rng.randrange(256)
        elif action == 1:
            del data[position : position + rng.randrange(1, 64)]
        elif action == 2:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        else:
            data = data[:position]
        if not data:
            break
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2048), mutated()))
def test_the_decoder_only_ever_refuses_bad_bytes(data: bytes) -> None:
    code = ""
    try:
        result = normalise(data)
    except ImageRefused as exc:
        code = exc.code
    if code:
        assert code in REFUSALS
    else:
        assert opened(result.jpeg).format == "JPEG"
        assert len(result.jpeg) <= images.MAX_OUTPUT_BYTES


def test_every_refusal_and_warning_has_a_chinese_explanation() -> None:
    assert set(texts.PHOTO_REFUSED) == REFUSALS | {images.TOO_LARGE}
    assert set(texts.PHOTO_WARNINGS) == set(images.WARNINGS)
