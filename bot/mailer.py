"""Email to applicants (electronic invoices, unlock authorization codes) over SMTP.

``[email] smtp_host`` empty: the console mailer keeps messages in an outbox for the development
console and logs only the masked recipient. Otherwise SMTP submission with implicit TLS (port
465) or STARTTLS, AUTH when a username is set, and timeouts; the blocking ``smtplib`` runs in a
worker thread so the event loop never waits on the mail server. Failures raise ``MailError``:
``temporary`` for what a retry may fix (4xx replies, network errors), permanent for 5xx
(refused recipient, bad credentials).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import time
from collections import deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from bot.config import EmailSettings
from bot.logs import get_logger
from bot.masking import mask_email
from bot.validators import Invalid
from bot.validators import email as email_address

log = get_logger(__name__)

SMTP_TIMEOUT = 20.0
OUTBOX_SIZE = 200


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an invoice PDF)."""

    filename: str
    content_type: str  # e.g. application/pdf
    data: bytes


@dataclass(frozen=True)
class Mail:
    """One message to one recipient."""

    to: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class SentMail:
    """What the console mailer kept."""

    mail: Mail
    at: float = field(default_factory=time.time)


class MailError(Exception):
    """The message was not sent; ``temporary`` when trying again later may work."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


class Mailer(Protocol):
    """Sends one message; raises ``MailError`` when it was not accepted."""

    async def send(self, mail: Mail) -> None:
        """Hand ``mail`` to the mail system."""
        ...


class ConsoleMailer:
    """Development: messages go to ``outbox`` (shown by the dev console), nothing is sent."""

    def __init__(self, outbox_size: int = OUTBOX_SIZE) -> None:
        self.outbox: deque[SentMail] = deque(maxlen=outbox_size)

    async def send(self, mail: Mail) -> None:
        """Keep ``mail`` in the outbox."""
        self.outbox.append(SentMail(mail))
        log.info("console email to %s kept in the dev outbox", mask_email(mail.to))


class SmtpMailer:
    """SMTP submission to the CA's mail relay."""

    def __init__(self, settings: EmailSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context or _ssl_context(settings)

    async def send(self, mail: Mail) -> None:
        """Submit ``mail``; ``MailError`` says whether a retry may help."""
        message = self.render(mail)
        try:
            await asyncio.to_thread(self._submit, message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(f"recipient refused {codes}", temporary=_temporary(codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP {exc.smtp_code}", temporary=_temporary([exc.smtp_code])) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(
                f"mail server unavailable: {type(exc).__name__}", temporary=True
            ) from exc
        log.info("email sent to %s", mask_email(mail.to))

    def render(self, mail: Mail) -> EmailMessage:
        """The MIME message: UTF-8 text, attachments, our Message-ID."""
        message = EmailMessage()
        sender = self.settings.sender or self.settings.username
        message["From"] = formataddr((self.settings.sender_name, sender))
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
        message.set_content(mail.text)
        for attachment in mail.attachments:
            main, _, sub = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.data,
                maintype=main,
                subtype=sub or "octet-stream",
                filename=attachment.filename,
            )
        return message

    def _submit(self, message: EmailMessage) -> None:
        config = self.settings
        smtp: smtplib.SMTP
        if config.use_tls:
            smtp = smtplib.SMTP_SSL(
                config.smtp_host, config.smtp_port, timeout=SMTP_TIMEOUT, context=self.ssl_context
            )
        else:
            smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=SMTP_TIMEOUT)
        with smtp:
            smtp.ehlo()
            if not config.use_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
            smtp.send_message(message)


def _temporary(codes: list[int]) -> bool:
    return all(400 <= code < 500 for code in codes)


def _ssl_context(settings: EmailSettings) -> ssl.SSLContext:
    """The system's trust store, or the PEM bundle of ``[email] ca_file`` (a private relay)."""
    return ssl.create_default_context(cafile=settings.ca_file or None)


class EmailCodeChannel:
    """One-time codes by email (``bot.sms_codes.OneTimeCodes``): the unlock authorization code
    goes to the handler's email on record. ``text`` is formatted with ``code`` and
    ``minutes``."""

    def __init__(self, mailer: Mailer, namespace: str, subject: str, text: str) -> None:
        self.mailer = mailer
        self.namespace = namespace
        self.subject = subject
        self.text = text

    def normalize(self, destination: str) -> str | None:
        try:
            return email_address(destination)
        except Invalid:
            return None

    def rejected(self, destination: str) -> Exception:
        return MailError("not a valid email address", temporary=False)

    def mask(self, destination: str) -> str:
        return mask_email(destination)

    async def deliver(self, destination: str, code: str, valid_seconds: float) -> None:
        minutes = max(1, round(valid_seconds / 60))
        text = self.text.format(code=code, minutes=minutes)
        await self.mailer.send(Mail(to=destination, subject=self.subject, text=text))


def build_mailer(settings: EmailSettings) -> Mailer:
    """The console mailer without an SMTP host, else SMTP."""
    if not settings.smtp_host:
        return ConsoleMailer()
    return SmtpMailer(settings)
