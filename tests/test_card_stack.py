"""The real PC/SC stack: pcscd with vsmartcard's vpcd reader and the emulated card, driven
through pyscard (key_bridge.transport) by the PIV commands, and cross-checked with OpenSC."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from bot.csr_check import verify_csr
from key_bridge import cli
from key_bridge.csr import card_csr
from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.vpcd import VpcdCard
from key_bridge.errors import CardRemoved, MultipleKeys, NoKey, WrongPin
from key_bridge.iso7816 import parse_tlv
from key_bridge.piv import PivCard
from key_bridge.piv_data import TAG_CHUID, Slot
from key_bridge.transport import KeyMonitor, PcscContext
from tests.conftest_card import SUBJECT, CardStack, ScratchCa, provision, server_answer


def opensc(*args: str) -> subprocess.CompletedProcess[str]:
    """Run an OpenSC tool on the first reader holding a card."""
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_no_key_says_so(card_stack: CardStack) -> None:
    card_stack.wait_for_cards(0)
    with PcscContext() as context:
        assert any(name.startswith("Virtual PCD") for name in context.readers())
        with pytest.raises(NoKey) as caught:
            context.single_key()
    assert str(caught.value).startswith("未检测到 Key")


def test_two_keys_are_refused(card_stack: CardStack) -> None:
    first = VpcdCard(PivApplet(), port=card_stack.ports[0])
    second = VpcdCard(PivApplet(), port=card_stack.ports[1])
    with first, second:
        card_stack.wait_for_cards(2)
        with PcscContext() as context, pytest.raises(MultipleKeys) as caught:
            context.single_key()
        assert str(caught.value) == "检测到多个 Key，请只插入一个"
    card_stack.wait_for_cards(0)


def test_renewal_steps_over_pcsc(vpcd_card: VpcdCard, scratch_ca: ScratchCa) -> None:
    """Read, generate, sign a CSR, write the new certificate, read it back: all through pcscd."""
    with PcscContext() as context:
        transport = context.connect()
        assert transport.reader.startswith("Virtual PCD")
        card = PivCard(transport)
        card.select()
        old = provision(card, scratch_ca)
        assert card.read_certificate() == old
        with pytest.raises(WrongPin) as wrong:
            card.verify_pin("111111")
        assert wrong.value.retries == 2
        with transport.transaction():
            card.verify_pin("123456")
            card.authenticate_admin(server_answer())
            algorithm, public_key = card.generate_key(Slot.AUTHENTICATION)
            csr = card_csr(card, old.subject, public_key, algorithm)
        checked = verify_csr(csr.public_bytes(Encoding.PEM), old.subject)
        new = scratch_ca.issue(checked.public_key(), checked.subject)
        card.write_certificate(new)
        assert card.read_certificate() == new
        transport.close()


def test_pulling_the_key_out_is_noticed(card_stack: CardStack, scratch_ca: ScratchCa) -> None:
    applet = PivApplet()
    seen: list[list[str]] = []
    changed = threading.Event()

    def on_change(present: list[str]) -> None:
        seen.append(present)
        changed.set()

    monitor = KeyMonitor(on_change, poll=0.2).start()
    try:
        assert changed.wait(5) and seen[-1] == []
        vicc = VpcdCard(applet, port=card_stack.ports[0])
        vicc.insert()
        _wait_until(lambda: len(seen[-1]) == 1, "insertion not noticed")
        with PcscContext() as context:
            transport = context.connect()
            card = PivCard(transport)
            card.select()
            vicc.remove()
            _wait_until(lambda: seen[-1] == [], "removal not noticed")
            with pytest.raises(CardRemoved):
                card.read_certificate()
            transport.close()
    finally:
        monitor.stop()
    assert monitor.error is None


def _wait_until(condition: object, message: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    pytest.fail(message)


def test_opensc_recognises_the_card_and_reads_our_certificate(
    vpcd_card: VpcdCard, scratch_ca: ScratchCa
) -> None:
    with PcscContext() as context:
        transport = context.connect()
        cert = provision(PivCard(transport), scratch_ca)
        transport.close()
    name = opensc("opensc-tool", "--name")
    assert name.stdout.strip() == "Personal Identity Verification Card", name.stderr
    assert opensc("piv-tool", "--name").stdout.strip() == "Personal Identity Verification Card"
    guid = parse_tlv(vpcd_card.applet.objects[TAG_CHUID])[0x34]
    serial = opensc("piv-tool", "--serial")  # OpenSC reads the card's GUID from our CHUID
    assert guid.hex(" ").upper() in serial.stdout, serial.stdout + serial.stderr
    listing = opensc("pkcs15-tool", "--list-certificates")
    assert "Certificate for PIV Authentication" in listing.stdout, listing.stderr
    read = opensc("pkcs15-tool", "--read-certificate", "01")
    assert x509.load_pem_x509_certificate(read.stdout.encode()) == cert


def test_opensc_writes_a_certificate_the_bridge_reads(
    vpcd_card: VpcdCard, scratch_ca: ScratchCa, tmp_path: Path
) -> None:
    """The other direction: OpenSC's piv-tool authenticates with the management key (mutual
    authentication, its own reading of the spec: it checks the card's answer) and loads a
    certificate; our commands read it back."""
    with PcscContext() as context:
        transport = context.connect()
        provision(PivCard(transport), scratch_ca)
        transport.close()
    cert = scratch_ca.issue(vpcd_card.applet.keys[Slot.AUTHENTICATION].public_key(), SUBJECT)
    cert_file = tmp_path / "cert.pem"
    cert_file.write_bytes(cert.public_bytes(Encoding.PEM))
    key_file = tmp_path / "mgmkey"
    key_file.write_text(":".join(f"{byte:02x}" for byte in bytes(range(1, 9)) * 3))
    result = subprocess.run(
        ["piv-tool", "-A", "M:9B:03", "-C", "9A", "-i", str(cert_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PIV_EXT_AUTH_KEY": str(key_file)},
    )
    # piv-tool's exit status is the byte count written modulo 256, not a success flag
    assert "failed" not in result.stderr, result.stderr
    with PcscContext() as context:
        transport = context.connect()
        card = PivCard(transport)
        card.select()
        assert card.read_certificate() == cert
        transport.close()


def test_dev_console_card_and_the_cli(
    card_stack: CardStack, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m key_bridge.emulator` inserts a provisioned card; `key-bridge card` shows it."""
    card_stack.wait_for_cards(0)
    console = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "key_bridge.emulator",
            "--port",
            str(card_stack.ports[0]),
            "--subject",
            "CN=张三,O=测试科技有限公司,C=CN",
            "--valid-days",
            "20",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert console.stdout is not None
        assert console.stdout.readline().startswith("certificate ")
        assert console.stdout.readline().startswith("card inserted")
        card_stack.wait_for_cards(1)
        assert cli.main(["readers"]) == 0
        assert "Virtual PCD 00 00" in capsys.readouterr().out
        assert cli.main(["card"]) == 0
        shown = capsys.readouterr().out
        assert "证书主题：CN=张三,O=测试科技有限公司,C=CN" in shown
        assert "PIN：还可尝试 3 次" in shown
    finally:
        console.terminate()
        assert console.wait(10) == 0
    card_stack.wait_for_cards(0)
    assert cli.main(["card"]) == 1
    assert "未检测到 Key" in capsys.readouterr().err


def test_key_pulled_out_during_write_back(card_stack: CardStack, scratch_ca: ScratchCa) -> None:
    """The card leaves the reader while the new certificate's last PUT DATA part is on its
    way: the bridge gets CardRemoved, the old certificate is intact, the next attempt writes."""
    card_stack.wait_for_cards(0)
    vicc = VpcdCard(PivApplet(), port=card_stack.ports[0])
    vicc.insert()
    try:
        card_stack.wait_for_cards(1)
        with PcscContext() as context:
            transport = context.connect()
            card = PivCard(transport)
            old = provision(card, scratch_ca)
            new = scratch_ca.issue(old.public_key(), SUBJECT, days=730)
            card.authenticate_admin(server_answer())
            vicc.pull_out_on = lambda apdu: apdu[:2] == b"\x00\xdb"
            with pytest.raises(CardRemoved):
                card.write_certificate(new)
            transport.close()
        card_stack.wait_for_cards(0)
        vicc.insert()  # the user puts the Key back
        card_stack.wait_for_cards(1)
        with PcscContext() as context:
            transport = context.connect()
            card = PivCard(transport)
            card.select()
            assert card.read_certificate() == old
            card.authenticate_admin(server_answer())
            card.write_certificate(new)
            assert card.read_certificate() == new
            transport.close()
    finally:
        vicc.remove()
    card_stack.wait_for_cards(0)
