"""bot.secrets_box: AES-GCM tokens with key rotation, config key decoding, look-up hashes."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.secrets_box import (
    RECENT_PLAINTEXTS,
    DataCipher,
    DecryptError,
    decode_key,
    generate_key,
    key_id,
    lookup_hash,
)

ID_A = "11010519491231002X"
ID_B = "360426199101010071"
KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
LOOKUP_KEY = b"L" * 32
TOKEN_RE = re.compile(r"v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+")
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


# -- round trip and token format ---------------------------------------------------------------


@given(st.text(max_size=300), st.text(max_size=40))
def test_any_text_round_trips(plaintext: str, context: str) -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt(plaintext, context=context)
    assert TOKEN_RE.fullmatch(token)
    assert box.decrypt(token, context=context) == plaintext
    remembered = box.encrypt(plaintext, context=context, remember=True)
    assert box.decrypt(remembered, context=context) == plaintext  # as remembered
    assert DataCipher([KEY_1]).decrypt(remembered, context=context) == plaintext  # decrypted


def test_token_format_hides_plaintext_and_key() -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt(ID_A, context="order:1:id_number")
    assert token.isascii()
    version, kid, body = token.split(".")
    assert (version, kid) == ("v1", key_id(KEY_1)) == ("v1", box.current_key_id)
    assert ID_A not in token and "1949" not in token
    assert KEY_1.hex()[:8] != kid and b64(KEY_1)[:8] not in token
    # 12-byte nonce + plaintext + 16-byte tag
    assert len(base64.urlsafe_b64decode(body + "==")) == 12 + len(ID_A) + 16


def test_encryption_is_randomised() -> None:
    box = DataCipher([KEY_1])
    assert box.encrypt(ID_A) != box.encrypt(ID_A)


def test_repr_reveals_no_key_material() -> None:
    text = repr(DataCipher([KEY_1, KEY_2]))
    assert key_id(KEY_1) in text
    assert KEY_1.hex()[:16] not in text and b64(KEY_1)[:16] not in text


# -- rotation ------------------------------------------------------------------------------------


def test_rotation_old_key_decrypts_new_key_encrypts() -> None:
    context = "order:7:legal_id_number"
    old_token = DataCipher([KEY_1]).encrypt(ID_B, context=context)
    rotated = DataCipher([KEY_2, KEY_1])
    assert rotated.decrypt(old_token, context=context) == ID_B
    assert rotated.needs_rotation(old_token)

    new_token = rotated.encrypt(ID_B, context=context)
    assert new_token.split(".")[1] == key_id(KEY_2)
    assert not rotated.needs_rotation(new_token)

    moved = rotated.reencrypt(old_token, context=context)
    assert not rotated.needs_rotation(moved)
    only_new = DataCipher([KEY_2])
    assert only_new.decrypt(moved, context=context) == ID_B
    with pytest.raises(DecryptError, match="not configured") as info:
        only_new.decrypt(old_token, context=context)
    assert key_id(KEY_1) in str(info.value)  # the public id helps operators; never the key


def test_reencrypt_checks_the_context() -> None:
    token = DataCipher([KEY_1]).encrypt(ID_A, context="a")
    with pytest.raises(DecryptError):
        DataCipher([KEY_2, KEY_1]).reencrypt(token, context="b")


def test_needs_rotation_refuses_non_tokens() -> None:
    with pytest.raises(DecryptError):
        DataCipher([KEY_1]).needs_rotation(ID_A)


def test_constructor_validates_keys() -> None:
    with pytest.raises(ValueError, match="at least one"):
        DataCipher([])
    with pytest.raises(ValueError, match=r"\[1\]: must be 32 bytes"):
        DataCipher([KEY_1, b"short"])
    with pytest.raises(ValueError, match="duplicate"):
        DataCipher([KEY_1, KEY_1])


# -- tampering and context -----------------------------------------------------------------------


def test_every_changed_character_is_refused() -> None:
    box = DataCipher([KEY_1, KEY_2])
    token = box.encrypt("PUK 12345678", context="key:9:puk")
    for i, char in enumerate(token):
        for replacement in ("A" if char != "A" else "B", "!", ""):
            tampered = token[:i] + replacement + token[i + 1 :]
            with pytest.raises(DecryptError) as info:
                box.decrypt(tampered, context="key:9:puk")
            assert "12345678" not in str(info.value)


@given(st.data())
def test_every_flipped_byte_is_refused(data: st.DataObject) -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt(data.draw(st.text(max_size=40)), context="ctx")
    head, body = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(DecryptError):
        box.decrypt(f"{head}.{forged}", context="ctx")


def test_ignored_padding_bits_are_refused() -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt("x" * 3)  # 12 + 3 + 16 = 31 bytes: the last character has spare bits
    head, body = token.rsplit(".", 1)
    last = B64URL.index(body[-1])
    sibling = B64URL[last ^ 1]  # differs only in an ignored low bit
    with pytest.raises(DecryptError, match="canonical"):
        box.decrypt(f"{head}.{body[:-1]}{sibling}")


def test_wrong_context_and_garbage_are_refused() -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt(ID_A, context="order:1:legal_id_number")
    for context in ("order:1:handler_id_number", "order:2:legal_id_number", ""):
        with pytest.raises(DecryptError) as info:
            box.decrypt(token, context=context)
        assert ID_A not in str(info.value)
    for garbage in ("", ID_A, "v1..", "v1.abc", "v2" + token[2:], token + ".x", "v1.zz.AAAA"):
        with pytest.raises(DecryptError):
            box.decrypt(garbage, context="order:1:legal_id_number")
    assert issubclass(DecryptError, ValueError)


# -- configuration -------------------------------------------------------------------------------


def test_from_config_accepts_standard_and_urlsafe_base64() -> None:
    key = bytes([0xFB, 0xFF, 0xBF] * 10 + [1, 2])  # encodes to + and / (standard), - and _
    standard = base64.b64encode(key).decode()
    urlsafe = base64.urlsafe_b64encode(key).decode().rstrip("=")
    assert "+" in standard and "/" in standard and "-" in urlsafe and "_" in urlsafe
    assert decode_key(standard, "x") == decode_key(urlsafe, "x") == key
    assert decode_key(f"  {standard}\n", "x") == key
    token = DataCipher.from_config([standard]).encrypt("v")
    assert DataCipher.from_config([urlsafe]).decrypt(token) == "v"


@pytest.mark.parametrize(
    "bad",
    [
        "c2hvcnQ=",  # base64 of b"short"
        base64.b64encode(b"k" * 31).decode(),
        base64.b64encode(b"k" * 33).decode(),
        "not a key at all!",
        "",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8*",
    ],
)
def test_bad_config_entry_is_named_by_position_never_by_value(bad: str) -> None:
    with pytest.raises(
        ValueError, match=r"^security\.data_keys\[1\]: not base64 of 32 bytes$"
    ) as e:
        DataCipher.from_config([generate_key(), bad, generate_key()])
    if bad:
        assert bad not in str(e.value) and bad[:6] not in str(e.value)
    assert e.value.__cause__ is None


def test_empty_config_is_refused() -> None:
    with pytest.raises(ValueError, match=r"security\.data_keys"):
        DataCipher.from_config([])


def test_generate_key() -> None:
    first, second = generate_key(), generate_key()
    assert first != second
    assert len(base64.b64decode(first, validate=True)) == 32
    assert DataCipher.from_config([first, second]).current_key_id == key_id(base64.b64decode(first))


# -- look-up hash --------------------------------------------------------------------------------


def test_lookup_hash_normalises() -> None:
    digest = lookup_hash(ID_A, LOOKUP_KEY, kind="id_number")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    for variant in (
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        f"  {ID_A}\t",
        "110105 19491231 002X",
    ):
        assert lookup_hash(variant, LOOKUP_KEY, kind="id_number") == digest
    assert lookup_hash(ID_B, LOOKUP_KEY, kind="id_number") != digest


def test_lookup_hash_separates_kinds_and_keys() -> None:
    digest = lookup_hash("13800138000", LOOKUP_KEY, kind="phone")
    assert lookup_hash("13800138000", LOOKUP_KEY, kind="id_number") != digest
    assert lookup_hash("13800138000", b"M" * 32, kind="phone") != digest
    assert lookup_hash("13800138000", LOOKUP_KEY, kind="phone") == digest


def test_lookup_hash_does_not_depend_on_data_keys() -> None:
    before = lookup_hash(ID_A, LOOKUP_KEY, kind="id_number")
    DataCipher([KEY_2, KEY_1])  # rotating data keys changes nothing here
    assert lookup_hash(ID_A, LOOKUP_KEY, kind="id_number") == before


def test_lookup_hash_refuses_weak_keys_and_odd_kinds() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        lookup_hash(ID_A, b"short", kind="id_number")
    for kind in ("", "ID", "id\x00number"):
        with pytest.raises(ValueError, match="kind"):
            lookup_hash(ID_A, LOOKUP_KEY, kind=kind)


# -- remembered plaintexts ---------------------------------------------------------------------


def test_only_what_is_asked_to_be_remembered_is_kept_in_clear() -> None:
    box = DataCipher([KEY_1])
    puk = box.encrypt("12345678", context="key:1:puk")
    box.decrypt(puk, context="key:1:puk")
    assert box._recent == {}  # a secret meant to be in clear only for a moment
    answer = box.encrypt(ID_A, context="order:1:id_number", remember=True)
    assert box._recent == {(answer, "order:1:id_number"): ID_A}
    opened = DataCipher([KEY_1])
    opened.decrypt(answer, context="order:1:id_number", remember=True)
    assert opened._recent == {(answer, "order:1:id_number"): ID_A}


def test_a_remembered_token_opens_only_in_its_own_context() -> None:
    box = DataCipher([KEY_1])
    token = box.encrypt(ID_A, context="order:1:id_number", remember=True)
    assert box.decrypt(token, context="order:1:id_number") == ID_A
    with pytest.raises(DecryptError):
        box.decrypt(token, context="order:2:id_number")  # copied to another record


def test_remembered_plaintexts_are_bounded_and_the_forgotten_still_decrypt() -> None:
    box = DataCipher([KEY_1])
    tokens = [
        box.encrypt(f"value {i}", context="c", remember=True) for i in range(RECENT_PLAINTEXTS + 10)
    ]
    assert len(box._recent) == RECENT_PLAINTEXTS
    assert (tokens[0], "c") not in box._recent  # the oldest went first
    assert box.decrypt(tokens[0], context="c") == "value 0"
