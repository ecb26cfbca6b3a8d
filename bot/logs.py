"""Structured logging: JSON lines (or text for a terminal), with personal data masked.

Every record passes a redaction filter before it is formatted: fields whose name says they
are secret are replaced by a mask, and everything else (message, arguments, extra fields,
exception text) goes through ``bot.masking.redact``, so a full ID number, phone number, bank
account, code or password never reaches the log.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import traceback
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any

from bot.masking import mask_bank_account, mask_id_number, mask_phone, mask_text_generic, redact

_CONTEXT: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None
)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_SECRET_NAMES = (
    "password",
    "passwd",
    "pin",
    "puk",
    "code",
    "otp",
    "secret",
    "token",
    "api_key",
    "private_key",
    "authorization",
    "cookie",
    "session",
)
_KIND_MASKERS = (
    ("id_number", mask_id_number),
    ("phone", mask_phone),
    ("mobile", mask_phone),
    ("bank_account", mask_bank_account),
    ("account_no", mask_bank_account),
)
_HANDLER_NAME = "certdesk"


def mask_field(name: str, value: Any) -> Any:
    """Mask one structured field by its name, recursing into dicts and lists."""
    lowered = name.lower()
    if isinstance(value, Mapping):
        return {str(k): mask_field(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_field(name, item) for item in value]
    for kind, masker in _KIND_MASKERS:
        if lowered.endswith(kind):
            return masker(str(value)) if value not in (None, "") else value
    if any(
        lowered == s or lowered.endswith("_" + s) or lowered.startswith(s + "_")
        for s in _SECRET_NAMES
    ):
        return mask_text_generic(str(value)) if value not in (None, "") else value
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """Masks the message, arguments, extra fields and exception text of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, mask_field(key, value))
        for key, value in (_CONTEXT.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, mask_field(key, value))
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC), level, logger, msg, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...`` for development."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{when} {record.levelname:7} {record.name}: {record.getMessage()}"
        line = f"{line} {fields}" if fields else line
        return f"{line}\n{record.exc_text}" if record.exc_text else line


def configure_logging(
    level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None
) -> None:
    """Install certdesk's handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)


def get_logger(name: str) -> logging.Logger:
    """The logger for a module."""
    return logging.getLogger(name)


@contextlib.contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add fields (request_id, order_no, ...) to every record logged in this task."""
    token = _CONTEXT.set({**(_CONTEXT.get() or {}), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)
