"""Staff accounts: argon2id password hashes, login with lockout, and console sessions.

A session token is 32 random bytes in an HttpOnly cookie; only its SHA-256 is stored, so a copy
of the database cannot sign anyone in. Each session has its own CSRF secret, which every form
posts back.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.config import AdminSettings
from bot.outbox import utcnow
from models.staff import AuditLog, Staff, StaffRole, StaffSession

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10
_DUMMY_HASH = HASHER.hash("certdesk timing equaliser")


class LoginRefused(Exception):
    """Wrong username or password, or a locked / disabled account (message for the page)."""


@dataclass(frozen=True)
class SignedIn:
    """A started session: the cookie value and the CSRF token of its forms."""

    token: str
    csrf: str
    staff: Staff


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``; ValueError when it is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    return HASHER.hash(password)


def token_hash(token: str) -> str:
    """How a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def add_staff(username: str, role: StaffRole, password: str) -> Staff:
    """Create an account, or reset the password and role of an existing one."""
    hashed = hash_password(password)
    staff = await Staff.get_or_none(username=username)
    if staff is None:
        return await Staff.create(username=username, password_hash=hashed, role=role)
    staff.password_hash, staff.role, staff.active = hashed, role, True
    staff.failed_attempts, staff.locked_until, staff.first_failed_at = 0, None, None
    await staff.save()
    await StaffSession.filter(staff=staff).delete()  # signed in with the old password: out
    return staff


async def disable_staff(username: str) -> bool:
    """Disable an account and end its sessions; False when there is no such account."""
    staff = await Staff.get_or_none(username=username)
    if staff is None:
        return False
    staff.active = False
    await staff.save()
    await StaffSession.filter(staff=staff).delete()
    return True


async def login(username: str, password: str, config: AdminSettings) -> SignedIn:
    """Check the password and start a session; repeated failures lock the account."""
    now = utcnow()
    staff = await Staff.get_or_none(username=username[:64])
    if staff is None or not staff.active:
        await asyncio.to_thread(_verify, _DUMMY_HASH, password)  # as long as a real check
        raise LoginRefused("用户名或密码错误。")
    if staff.locked_until is not None and staff.locked_until > now:
        raise LoginRefused("登录失败次数过多，账号已暂时锁定，请稍后再试或联系管理员。")
    if not await asyncio.to_thread(_verify, staff.password_hash, password):
        window = timedelta(minutes=config.failure_window_minutes)
        if staff.first_failed_at is None or now - staff.first_failed_at > window:
            staff.first_failed_at, staff.failed_attempts = now, 0
        staff.failed_attempts += 1
        if staff.failed_attempts >= config.max_failures:
            staff.locked_until = now + timedelta(minutes=config.lockout_minutes)
            staff.failed_attempts, staff.first_failed_at = 0, None
            await AuditLog.create(staff=staff, username=staff.username, action="locked")
        await staff.save()
        raise LoginRefused("用户名或密码错误。")
    if HASHER.check_needs_rehash(staff.password_hash):
        staff.password_hash = HASHER.hash(password)
    staff.failed_attempts, staff.first_failed_at, staff.locked_until = 0, None, None
    staff.last_login_at = now
    await staff.save()
    await AuditLog.create(staff=staff, username=staff.username, action="login")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await StaffSession.create(
        token_hash=token_hash(token),
        staff=staff,
        csrf_secret=csrf,
        expires_at=now + timedelta(hours=config.session_hours),
    )
    return SignedIn(token, csrf, staff)


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def session_for(token: str) -> StaffSession | None:
    """The live session of a cookie value (its staff loaded), if any."""
    if not token or len(token) > 128:
        return None
    session = await StaffSession.get_or_none(token_hash=token_hash(token)).select_related("staff")
    if session is None:
        return None
    if session.expires_at <= utcnow() or not session.staff.active:
        await session.delete()
        return None
    return session


async def logout(session: StaffSession) -> None:
    """End a session."""
    staff = session.staff
    await AuditLog.create(staff=staff, username=staff.username, action="logout")
    await session.delete()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of a posted CSRF token."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())
