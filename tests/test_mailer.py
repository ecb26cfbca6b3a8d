"""Email over SMTP against the fake submission server (TLS, AUTH, faults), and the console."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import EmailSettings
from bot.mailer import Attachment, ConsoleMailer, Mail, MailError, SmtpMailer, build_mailer
from tests.fakes.smtp import DEFAULT_PASSWORD, DEFAULT_USERNAME, SmtpFake

INVOICE = Mail(
    to="lisi@example.com",
    subject="电子发票：订单 CD20261125000001",
    text="您好，附件是您的电子发票。",
    attachments=(Attachment("invoice.pdf", "application/pdf", b"%PDF-1.7 test"),),
)


def settings_for(fake: SmtpFake, **changes: object) -> EmailSettings:
    base = EmailSettings(
        smtp_host=fake.host,
        smtp_port=fake.port,
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        sender="invoice@ca.example.cn",
        sender_name="数字证书服务",
        use_tls=fake.tls == "implicit",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
async def test_message_with_attachment_arrives_over_tls(tls: str) -> None:
    async with SmtpFake(tls=tls) as fake:  # type: ignore[arg-type]
        mailer = SmtpMailer(settings_for(fake), fake.client_ssl_context())
        await mailer.send(INVOICE)
    [received] = fake.messages
    assert received.tls and received.login == DEFAULT_USERNAME
    assert received.rcpt_tos == ["lisi@example.com"]
    assert received.subject == INVOICE.subject and received.text is not None
    assert "电子发票" in received.text
    assert "数字证书服务" in received.from_header
    [pdf] = received.attachments
    assert (pdf.filename, pdf.data) == ("invoice.pdf", b"%PDF-1.7 test")


async def test_untrusted_certificate_is_refused() -> None:
    async with SmtpFake(tls="implicit") as fake:
        with pytest.raises(MailError) as caught:
            await SmtpMailer(settings_for(fake)).send(INVOICE)  # system trust store
    assert caught.value.temporary and not fake.messages


async def test_failures_say_whether_a_retry_can_help() -> None:
    async with SmtpFake(tls="starttls") as fake:
        mailer = SmtpMailer(settings_for(fake), fake.client_ssl_context())
        fake.fail_next("RCPT", 451)
        with pytest.raises(MailError) as busy:
            await mailer.send(INVOICE)
        assert busy.value.temporary
        fake.fail_next("RCPT", 550)
        with pytest.raises(MailError) as refused:
            await mailer.send(INVOICE)
        assert not refused.value.temporary
        wrong = SmtpMailer(settings_for(fake, password="wrong"), fake.client_ssl_context())
        with pytest.raises(MailError) as denied:
            await wrong.send(INVOICE)
        assert not denied.value.temporary
        await mailer.send(INVOICE)  # the server itself is fine
        assert len(fake.messages) == 1
        await fake.refuse_connections()
        with pytest.raises(MailError) as down:
            await mailer.send(INVOICE)
        assert down.value.temporary


async def test_console_mailer_keeps_the_outbox() -> None:
    mailer = build_mailer(EmailSettings())
    assert isinstance(mailer, ConsoleMailer)
    await mailer.send(INVOICE)
    assert [sent.mail for sent in mailer.outbox] == [INVOICE]
