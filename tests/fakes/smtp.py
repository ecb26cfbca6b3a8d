"""Fake SMTP submission server (aiosmtpd) on 127.0.0.1: AUTH LOGIN/PLAIN, optional TLS.

``tls``: ``starttls`` (port-587 style: STARTTLS offered, AUTH only after it), ``implicit``
(port-465 style: TLS from the first byte) or ``none``. The certificate is self-signed and made at
start; clients trust it with :meth:`SmtpFake.client_ssl_context` or :attr:`SmtpFake.cert_pem`.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import shutil
import socket
import ssl
import tempfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Literal, Self

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.sandbox.crypto import self_signed_certificate

TlsMode = Literal["none", "starttls", "implicit"]
Stage = Literal["CONNECT", "MAIL", "RCPT", "DATA"]

DEFAULT_USERNAME = "certdesk@ca.example.cn"
DEFAULT_PASSWORD = "fake-smtp-password"
HOSTNAME = "smtp.fake.test"

_DEFAULT_FAULT_TEXT = {
    421: "4.3.0 Service not available, closing transmission channel",
    450: "4.2.1 Mailbox temporarily unavailable",
    451: "4.3.0 Temporary failure, please try again later",
    452: "4.3.1 Insufficient system storage",
    550: "5.1.1 Mailbox unavailable",
    554: "5.7.1 Message rejected as spam",
}


@dataclass(frozen=True)
class Attachment:
    """A MIME part with a filename."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class ReceivedEmail:
    """A message the fake accepted, parsed with :mod:`email`."""

    mail_from: str
    rcpt_tos: list[str]
    login: str | None
    tls: bool
    raw: bytes
    message: EmailMessage
    subject: str
    from_header: str
    to_header: str
    text: str | None
    html: str | None
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH exchange: mechanism, login and whether it succeeded."""

    mechanism: str
    login: str
    success: bool


@dataclass
class _Fault:
    remaining: int
    code: int
    text: str


class _FakeSMTP(SMTP):
    """aiosmtpd's SMTP with an optional fault instead of the 220 greeting."""

    def __init__(self, fake: SmtpFake, **kwargs: Any) -> None:
        super().__init__(_Handler(fake), **kwargs)
        self._fake = fake

    async def _handle_client(self) -> None:
        reply = self._fake._take_fault("CONNECT")
        if reply is None:
            await super()._handle_client()
            return
        await self.push(reply)
        if self.transport is not None:
            self.transport.close()


class _Handler:
    """aiosmtpd handler: checks AUTH, applies faults and records messages."""

    def __init__(self, fake: SmtpFake) -> None:
        self._fake = fake

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self._fake.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        fault = self._fake._take_fault("MAIL")
        if fault is not None:
            return fault
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        fault = self._fake._take_fault("RCPT")
        if fault is not None:
            return fault
        if address.lower() in self._fake.rejected_recipients:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self._fake._take_fault("DATA")
        if fault is not None:
            return fault
        self._fake._record(session, envelope)
        return "250 OK: queued as " + os.urandom(6).hex().upper()


class SmtpFake:
    """SMTP server that requires AUTH (``username``/``password``) and records what it accepts."""

    def __init__(
        self,
        *,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        tls: TlsMode = "starttls",
        require_starttls: bool = False,
        auth_required: bool = True,
    ) -> None:
        self.username = username
        self.password = password
        self.tls: TlsMode = tls
        self.require_starttls = require_starttls
        self.auth_required = auth_required
        self.messages: list[ReceivedEmail] = []
        self.auth_attempts: list[AuthAttempt] = []
        self.rejected_recipients: set[str] = set()
        self.cert_pem = ""
        self._faults: dict[Stage, list[_Fault]] = {}
        self._server: asyncio.Server | None = None
        self._port = 0
        self._tmpdir: str | None = None
        self._server_ssl: ssl.SSLContext | None = None
        self._protocols: set[_FakeSMTP] = set()

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """Always 127.0.0.1."""
        return "127.0.0.1"

    @property
    def port(self) -> int:
        """The listening port once started."""
        if not self._port:
            raise RuntimeError("SmtpFake is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``smtp://``, ``smtp+starttls://`` or ``smtps://127.0.0.1:<port>``."""
        scheme = {"none": "smtp", "starttls": "smtp+starttls", "implicit": "smtps"}[self.tls]
        return f"{scheme}://{self.host}:{self.port}"

    async def start(self) -> str:
        """Start listening; returns :attr:`base_url`."""
        if self._server is not None:
            raise RuntimeError("SmtpFake is already started")
        if self.tls != "none" and self._server_ssl is None:
            self._server_ssl = self._make_server_ssl()
        await self._listen()
        return self.base_url

    async def stop(self) -> None:
        """Close the listener and every open session (idempotent)."""
        await self._close_listener()
        for protocol in list(self._protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        self._protocols.clear()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the fake's certificate (hostname 127.0.0.1/localhost)."""
        if not self.cert_pem:
            raise RuntimeError("no certificate: tls is 'none' or the server is not started")
        return ssl.create_default_context(cadata=self.cert_pem)

    # -- fault knobs --------------------------------------------------------------------------

    def fail_next(
        self, stage: Stage, code: int = 451, text: str | None = None, *, times: int = 1
    ) -> None:
        """The next ``times`` ``stage`` commands (CONNECT: the greeting) answer ``code``."""
        reply_text = text if text is not None else _DEFAULT_FAULT_TEXT.get(code, "Error")
        self._faults.setdefault(stage, []).append(_Fault(times, code, reply_text))

    async def refuse_connections(self) -> None:
        """Stop listening: new connections are refused (ECONNREFUSED)."""
        await self._close_listener()

    async def accept_connections(self) -> None:
        """Listen again on the same port after :meth:`refuse_connections`."""
        if self._server is None:
            await self._listen()

    # -- internals ----------------------------------------------------------------------------

    def _make_server_ssl(self) -> ssl.SSLContext:
        self.cert_pem, key_pem = self_signed_certificate(HOSTNAME)
        self._tmpdir = tempfile.mkdtemp(prefix="smtp-fake-")
        cert_path = os.path.join(self._tmpdir, "cert.pem")
        key_path = os.path.join(self._tmpdir, "key.pem")
        with open(cert_path, "w") as cert_file, open(key_path, "w") as key_file:
            cert_file.write(self.cert_pem)
            key_file.write(key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        return context

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        self._server = await loop.create_server(
            self._make_protocol,
            sock=sock,
            ssl=self._server_ssl if self.tls == "implicit" else None,
        )

    async def _close_listener(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()

    def _make_protocol(self) -> _FakeSMTP:
        protocol = _FakeSMTP(
            self,
            hostname=HOSTNAME,
            tls_context=self._server_ssl if self.tls == "starttls" else None,
            require_starttls=self.require_starttls,
            auth_require_tls=self.tls == "starttls",
            authenticator=self._authenticate,
            loop=asyncio.get_running_loop(),
        )
        self._protocols.add(protocol)
        return protocol

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        password = auth_data.password.decode(errors="replace")
        success = hmac.compare_digest(
            login.encode(), self.username.encode()
        ) and hmac.compare_digest(password.encode(), self.password.encode())
        self.auth_attempts.append(AuthAttempt(mechanism, login, success))
        return AuthResult(success=success, handled=False, auth_data=auth_data)

    def _take_fault(self, stage: Stage) -> str | None:
        queue = self._faults.get(stage)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return f"{fault.code} {fault.text}"

    def _record(self, session: Session, envelope: Envelope) -> None:
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        login = (
            session.auth_data.login.decode()
            if isinstance(session.auth_data, LoginPassword)
            else None
        )
        self.messages.append(
            ReceivedEmail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                login=login,
                tls=self.tls == "implicit" or session.ssl is not None,
                raw=raw,
                message=message,
                subject=str(message.get("Subject", "")),
                from_header=str(message.get("From", "")),
                to_header=str(message.get("To", "")),
                text=_body_text(message, "plain"),
                html=_body_text(message, "html"),
                attachments=[
                    Attachment(
                        part.get_filename(),
                        part.get_content_type(),
                        part.get_payload(decode=True) or b"",  # type: ignore[arg-type]
                    )
                    for part in message.iter_attachments()
                ],
            )
        )


def _body_text(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None
