"""Structured logging for the whole service: JSON lines or text, with personal data masked.

``configure_logging`` installs one handler on the root logger with a ``RedactingFilter``, so
every record is redacted before it is formatted:

- a field (``extra=``, ``log_context``, keys of dicts inside them or inside the arguments)
  whose *name* says it is secret is replaced entirely: by the matching masker when the kind is
  known (``*_phone`` → ``138****8000``, ``*_id_number``, ``*_bank_account``, ``*_email``), else
  by ``******`` (password, pin, puk, sms_code, token, secret, cookie, ...);
- everything else — the formatted message, argument values, other fields, exception text and
  tracebacks — goes through ``bot.masking.redact``.

The filter changes the record in place, so handlers that run after it see the redacted record.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import IO, Any

from bot.masking import (
    mask_bank_account,
    mask_email,
    mask_id_number,
    mask_phone,
    mask_text_generic,
    redact,
)

Masker = Callable[[str], str]

# Field names are compared in snake case: "legalIdNumber" and "Legal-Id-Number" are
# "legal_id_number". A name is sensitive when it is one of these terms or ends with "_<term>".
_KIND_TERMS: dict[str, Masker] = {
    "id_number": mask_id_number,
    "id_no": mask_id_number,
    "id_card": mask_id_number,
    "phone": mask_phone,
    "mobile": mask_phone,
    "bank_account": mask_bank_account,
    "account_no": mask_bank_account,
    "account_number": mask_bank_account,
    "card_no": mask_bank_account,
    "card_number": mask_bank_account,
    "email": mask_email,
}
_SECRET_TERMS = frozenset(
    {
        "password", "passwd", "pwd", "pin", "puk", "code", "otp", "secret",
        "token", "api_key", "private_key", "secret_key", "aes_key", "session_key", "data_key",
        "lookup_key", "authorization", "cookie", "session", "session_id", "credentials",
    }
)  # fmt: skip
# "<x>_code" is secret (sms_code, js_code, unlock_code) except these well-known public codes.
_PUBLIC_CODES = frozenset(
    {
        "status_code", "error_code", "err_code", "exit_code", "return_code", "http_code",
        "country_code", "area_code", "postal_code", "zip_code", "currency_code",
    }
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")

_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
}
_CONTEXT: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "certdesk_log_context", default=None
)
_HANDLER_NAME = "certdesk"


def _snake(name: str) -> str:
    return _SEPARATORS.sub("_", _CAMEL.sub("_", name).lower()).strip("_")


def field_masker(name: str) -> Masker | None:
    """The masker for a field called ``name``, or None when the name does not say it is secret."""
    snake = _snake(name)
    if snake in _PUBLIC_CODES:
        return None
    for term, masker in _KIND_TERMS.items():
        if snake == term or snake.endswith("_" + term):
            return masker
    if any(snake == term or snake.endswith("_" + term) for term in _SECRET_TERMS):
        return mask_text_generic
    return None


def _text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a broken __str__ must not break logging
        return f"<unprintable {type(value).__name__}>"


def _redact_value(value: Any, masker: Masker | None) -> Any:
    """``value`` with strings redacted, recursing into containers; ``masker`` masks every leaf."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return {
            _text(key): _redact_value(item, masker or field_masker(_text(key)))
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_redact_value(item, masker) for item in value]
    if masker is not None:
        return masker(_text(value))
    if isinstance(value, float):
        return value
    text = _text(value)
    redacted = redact(text)
    if isinstance(value, int) and redacted == text:
        return value
    return redacted


def redact_field(name: str, value: Any) -> Any:
    """One structured field made safe to log: masked by its name, else redacted."""
    return _redact_value(value, field_masker(name))


def _message(record: logging.LogRecord) -> str:
    """The record's message formatted with redacted arguments (never raises)."""
    template = record.msg if isinstance(record.msg, str) else _text(_redact_value(record.msg, None))
    if not record.args:
        return template
    args = record.args
    safe_args = (
        _redact_value(args, None) if isinstance(args, Mapping) else tuple(_redact_value(args, None))
    )
    for candidate in (safe_args, args):  # a masked argument may not fit its %d: retry plain
        try:
            return template % candidate
        except (TypeError, ValueError, KeyError):
            continue
    return f"{template} {_text(safe_args)}"


class RedactingFilter(logging.Filter):
    """Redacts the message, arguments, extra/context fields and exception text of each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always lets it through."""
        try:
            self._redact(record)
        except Exception:  # never let redaction break the caller, never let data through
            record.__dict__.update(
                msg="<log record could not be redacted>", args=None, exc_info=None, exc_text=None
            )
            for key in [k for k in vars(record) if k not in _RECORD_ATTRIBUTES]:
                delattr(record, key)
        return True

    @staticmethod
    def _redact(record: logging.LogRecord) -> None:
        record.msg = redact(_message(record))
        record.args = None
        for key, value in (_CONTEXT.get() or {}).items():
            if key not in vars(record):
                setattr(record, key, value)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRIBUTES:
                setattr(record, key, redact_field(key, value))
        if record.exc_info:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC ISO-8601), level, logger, msg, extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _extras(record).items():
            entry[key if key not in entry else f"extra_{key}"] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=_text)


class TextFormatter(logging.Formatter):
    """``HH:MM:SS.mmm LEVEL logger: message key=value ...`` (local time) for development."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as readable text (the traceback on the following lines)."""
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        line = f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}"
        fields = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        lines = [f"{line} {fields}" if fields else line, record.exc_text, record.stack_info]
        return "\n".join(part for part in lines if part)


def configure_logging(
    level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None
) -> None:
    """Send all logging to ``stream`` (default stderr) as ``json`` lines or ``text``, redacted.

    Idempotent: a second call replaces the handler installed by the first one.
    """
    if fmt not in ("json", "text"):
        raise ValueError(f"log format must be 'json' or 'text', not {fmt!r}")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
            existing.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())


def get_logger(name: str) -> logging.Logger:
    """The logger for ``name`` (usually ``__name__``)."""
    return logging.getLogger(name)


class _LogContext:
    """The context manager ``log_context`` returns (a class: it runs twice per webhook step)."""

    __slots__ = ("_fields", "_token")

    def __init__(self, fields: dict[str, Any]) -> None:
        self._fields = fields
        self._token: contextvars.Token[Mapping[str, Any] | None] | None = None

    def __enter__(self) -> None:
        self._token = _CONTEXT.set({**(_CONTEXT.get() or {}), **self._fields})

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _CONTEXT.reset(self._token)


def log_context(**fields: Any) -> _LogContext:
    """Add ``fields`` (request_id, openid_hash, order_no, ...) to every record of this task,
    within a ``with`` block.

    Nested contexts add to the outer one; fields passed with ``extra=`` win over them.
    """
    if not _RECORD_ATTRIBUTES.isdisjoint(fields):
        reserved = sorted(set(fields) & _RECORD_ATTRIBUTES)
        raise ValueError(f"log_context: reserved LogRecord attribute(s): {', '.join(reserved)}")
    return _LogContext(fields)
