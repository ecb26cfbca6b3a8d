"""The admin secrets of each Key, kept by the server. The PUK: recorded when the Key is produced,
released for one unlock only, replaced right after. The management key: recorded when the Key is
produced, never released (the server answers the Key's challenges, see the end).

A rotation first stores the new PUK as ``puk_next`` (so a change whose answer was lost can be
told apart later), then asks the card to change it, then makes it current. PUKs are 8 random
digits; they are encrypted at rest (context ``key:<serial>:puk``) and never logged.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterable

from bot.outbox import utcnow
from bot.services import Services
from key_bridge.mgmkey import ManagementKeyAlgorithm, answer_challenge
from models.keys import KeySecret

PUK_DIGITS = 8


def puk_context(key_serial: str) -> str:
    """The encryption context of a Key's PUK: it decrypts only as that Key's PUK."""
    return f"key:{key_serial}:puk"


def new_puk() -> str:
    """A fresh PUK: 8 random digits."""
    return f"{secrets.randbelow(10**PUK_DIGITS):0{PUK_DIGITS}d}"


async def record_puk(services: Services, key_serial: str, puk: str) -> KeySecret:
    """Record (or replace) the PUK of the Key ``key_serial``, as set at its production."""
    sealed = services.cipher.encrypt(puk, context=puk_context(key_serial))
    secret, created = await KeySecret.get_or_create(key_serial=key_serial, defaults={"puk": sealed})
    if not created:
        secret.puk, secret.puk_next, secret.puk_blocked = sealed, None, False
        await secret.save()
    return secret


MANAGEMENT_ALGORITHMS = {
    "3des": ManagementKeyAlgorithm.TDES,
    "aes128": ManagementKeyAlgorithm.AES128,
    "aes192": ManagementKeyAlgorithm.AES192,
    "aes256": ManagementKeyAlgorithm.AES256,
}


def parse_management_key(text: str) -> tuple[ManagementKeyAlgorithm, bytes]:
    """``<algorithm>:<hex>`` (3des, aes128, aes192, aes256) as (algorithm, key); ValueError
    when the algorithm is unknown or the key is not hex of its length."""
    name, _, digits = text.strip().partition(":")
    algorithm = MANAGEMENT_ALGORITHMS.get(name.strip().lower())
    if algorithm is None:
        raise ValueError("unknown management key algorithm")
    key = bytes.fromhex(digits.strip())
    if len(key) != algorithm.key_length:
        raise ValueError("management key of the wrong length")
    return algorithm, key


async def import_puks(services: Services, lines: Iterable[str]) -> int:
    """Record the admin secrets of a batch of produced Keys from CSV lines ``key serial,PUK``
    or ``key serial,PUK,management key`` (``<algorithm>:<hex>``, see
    :func:`parse_management_key`; blank lines and lines starting with # skipped); the number
    recorded. ``ValueError`` names the first bad line, and then nothing is recorded."""
    rows: list[tuple[str, str, tuple[ManagementKeyAlgorithm, bytes] | None]] = []
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        serial, puk, management = [*row, "", "", ""][:3]
        serial, puk = serial.strip(), puk.strip()
        valid_puk = 6 <= len(puk) <= 8 and all(0x21 <= ord(ch) <= 0x7E for ch in puk)
        expected = (
            f"line {number}: expected 'key serial,PUK[,management key]' "
            "(PUK of 6-8 characters, management key as 3des:<48 hex digits> or aes128/192/256)"
        )
        if len(row) not in (2, 3) or not serial or len(serial) > 64 or not valid_puk:
            raise ValueError(expected)
        try:
            known = parse_management_key(management) if management.strip() else None
        except ValueError as exc:
            raise ValueError(expected) from exc
        rows.append((serial, puk, known))
    for serial, puk, known in rows:
        secret = await record_puk(services, serial, puk)
        if known is not None:
            await record_management_key(services, secret, *known)
    return len(rows)


def current_puk(services: Services, secret: KeySecret) -> str:
    """The PUK the card holds (as far as the server knows), in clear, for one operation."""
    return services.cipher.decrypt(secret.puk, context=puk_context(secret.key_serial))


def pending_puk(services: Services, secret: KeySecret) -> str | None:
    """The PUK of an unfinished rotation, in clear, or None."""
    if secret.puk_next is None:
        return None
    return services.cipher.decrypt(secret.puk_next, context=puk_context(secret.key_serial))


async def begin_rotation(services: Services, secret: KeySecret) -> str:
    """Choose the next PUK and keep it as pending before the card is asked to change."""
    puk = new_puk()
    secret.puk_next = services.cipher.encrypt(puk, context=puk_context(secret.key_serial))
    await secret.save(update_fields=["puk_next", "updated_at"])
    return puk


async def finish_rotation(secret: KeySecret) -> None:
    """The card changed its PUK: the pending one is now the PUK."""
    if secret.puk_next is not None:
        secret.puk, secret.puk_next = secret.puk_next, None
    secret.rotated_at = utcnow()
    await secret.save(update_fields=["puk", "puk_next", "rotated_at", "updated_at"])


async def adopt_pending(secret: KeySecret) -> None:
    """The card accepted the pending PUK (an earlier rotation did complete): make it current."""
    await finish_rotation(secret)


async def mark_blocked(secret: KeySecret) -> None:
    """The card's PUK is blocked: this Key cannot be unlocked any more."""
    secret.puk_blocked = True
    await secret.save(update_fields=["puk_blocked", "updated_at"])


# -- the management key (9B): answers the Key's admin challenges, relayed by the bridge ------


def management_context(key_serial: str) -> str:
    """The encryption context of a Key's management key."""
    return f"key:{key_serial}:management"


async def record_management_key(
    services: Services, secret: KeySecret, algorithm: ManagementKeyAlgorithm, key: bytes
) -> None:
    """Record the management key set on the Key at its production (after its PUK)."""
    if len(key) != algorithm.key_length:
        raise ValueError(f"{algorithm.name} needs a {algorithm.key_length}-byte key")
    clear = f"{int(algorithm):02x}:{key.hex()}"
    secret.management_key = services.cipher.encrypt(
        clear, context=management_context(secret.key_serial)
    )
    await secret.save(update_fields=["management_key", "updated_at"])


def management_key(
    services: Services, secret: KeySecret
) -> tuple[ManagementKeyAlgorithm, bytes] | None:
    """The Key's management key (algorithm, key), for one challenge; None when not on record."""
    if not secret.management_key:
        return None
    clear = services.cipher.decrypt(
        secret.management_key, context=management_context(secret.key_serial)
    )
    algorithm, _, key = clear.partition(":")
    return ManagementKeyAlgorithm(int(algorithm, 16)), bytes.fromhex(key)


def answer_admin_challenge(
    services: Services, secret: KeySecret, algorithm: int, challenge: bytes
) -> bytes | None:
    """The answer to the Key's admin challenge, or None when the Key's management key is not on
    record or is not of the algorithm the Key asks for."""
    known = management_key(services, secret)
    if known is None or int(known[0]) != algorithm:
        return None
    return answer_challenge(known[0], known[1], challenge)
