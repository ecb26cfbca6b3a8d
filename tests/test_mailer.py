"""Email over SMTP against the fake submission server (TLS, AUTH, faults), and the console."""

from __future__ import annotations

import dataclasses

import pytest

from bot.config import EmailSettings
from bot.mailer import (
    Attachment,
    ConsoleMailer,
    EmailCodeChannel,
    Mail,
    MailError,
    SmtpMailer,
    build_mailer,
)
from bot.sms_codes import CodeInvalid, CodeLimits, InvalidReason, OneTimeCodes
from bot.store import Store
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


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_emailed_one_time_codes_are_bound_single_use_and_expire(store: Store) -> None:
    """The unlock authorization code's rules: emailed, bound to one Key, 30 minutes, single
    use, five wrong entries void it."""
    mailer = ConsoleMailer()
    channel = EmailCodeChannel(
        mailer, "unlock", "证书解锁授权码", "授权码：{code}，{minutes} 分钟内有效。"
    )
    clock = Clock()
    codes = OneTimeCodes(
        store, channel, b"k" * 32, clock=clock, limits=CodeLimits(code_ttl=1800, max_tries=5)
    )
    sent = await codes.send("LiSi@Example.com", "unlock", "KEY-SERIAL-1", requester="o-u")
    assert sent.masked_phone == "L***i@example.com" and sent.expires_in == 1800
    [mail] = [m.mail for m in mailer.outbox]
    assert mail.to == "LiSi@example.com" and "30 分钟内有效" in mail.text
    code = mail.text.split("：")[1][:6]
    with pytest.raises(CodeInvalid):  # bound to the Key it was asked for
        await codes.verify("lisi@example.com", "unlock", "KEY-SERIAL-2", code)
    await codes.verify("LiSi@example.com", "unlock", "KEY-SERIAL-1", code)
    with pytest.raises(CodeInvalid) as reused:
        await codes.verify("LiSi@example.com", "unlock", "KEY-SERIAL-1", code)
    assert reused.value.reason is InvalidReason.EXPIRED
    clock.now += 61
    await codes.send("LiSi@example.com", "unlock", "KEY-SERIAL-1", requester="o-u")
    fresh = mailer.outbox[-1].mail.text.split("：")[1][:6]
    wrong = "000000" if fresh != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(CodeInvalid):
            await codes.verify("LiSi@example.com", "unlock", "KEY-SERIAL-1", wrong)
    with pytest.raises(CodeInvalid) as dead:
        await codes.verify("LiSi@example.com", "unlock", "KEY-SERIAL-1", fresh)
    assert dead.value.reason is InvalidReason.TOO_MANY_TRIES
    clock.now += 61
    await codes.send("LiSi@example.com", "unlock", "KEY-SERIAL-1", requester="o-u")
    late = mailer.outbox[-1].mail.text.split("：")[1][:6]
    clock.now += 1801
    with pytest.raises(CodeInvalid) as expired:
        await codes.verify("LiSi@example.com", "unlock", "KEY-SERIAL-1", late)
    assert expired.value.reason is InvalidReason.EXPIRED
    with pytest.raises(MailError):
        await codes.send("not-an-address", "unlock", "KEY-SERIAL-1", requester="o-u")
