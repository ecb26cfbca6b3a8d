"""Fixtures for the Key bridge tests: emulated PIV cards (in-process and in a real PC/SC reader
through pcscd + vsmartcard's vpcd), a throwaway CA, and the server's side of the management-key
challenge. The PC/SC stack is required: a missing piece fails the tests, it never skips them."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.emulator.vpcd import DEFAULT_PORT, VpcdCard
from key_bridge.mgmkey import DEFAULT_MANAGEMENT_KEY, answer_challenge
from key_bridge.piv import AdminChallenge, PivCard
from key_bridge.piv_data import PublicKey
from key_bridge.transport import PcscContext

VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
PCSCD_PID_FILE = Path("/run/pcscd/pcscd.pid")
CARD_TOOLS = ("pcscd", "opensc-tool", "pkcs15-tool", "piv-tool")

SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试科技有限公司"),
        x509.NameAttribute(NameOID.COMMON_NAME, "张三"),
    ]
)


def server_answer(
    key: bytes = DEFAULT_MANAGEMENT_KEY,
) -> Callable[[AdminChallenge], bytes]:
    """The server's side of the management-key challenge (it holds the key, the bridge not)."""

    def answer(challenge: AdminChallenge) -> bytes:
        return answer_challenge(challenge.algorithm, key, challenge.challenge)

    return answer


@dataclass
class ScratchCa:
    """A throwaway issuing CA for certificates written to emulated cards."""

    key: ec.EllipticCurvePrivateKey
    name: x509.Name

    def issue(
        self, public_key: PublicKey, subject: x509.Name = SUBJECT, days: int = 365
    ) -> x509.Certificate:
        """A certificate for ``public_key`` valid from now for ``days`` days."""
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )


@pytest.fixture(scope="session")
def scratch_ca() -> ScratchCa:
    """A CA whose certificates go onto the emulated cards."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certdesk test CA")])
    return ScratchCa(ec.generate_private_key(ec.SECP256R1()), name)


@pytest.fixture
def applet() -> PivApplet:
    """A factory-fresh emulated card (PIN 123456, PUK 12345678, default 3DES management key)."""
    return PivApplet()


@pytest.fixture
def local(applet: PivApplet) -> LocalTransport:
    """In-process transport to ``applet``."""
    return LocalTransport(applet)


@pytest.fixture
def card(local: LocalTransport) -> PivCard:
    """The PIV application of ``applet``, selected."""
    piv = PivCard(local)
    piv.select()
    return piv


def provision(piv: PivCard, ca: ScratchCa, subject: x509.Name = SUBJECT) -> x509.Certificate:
    """Give a card a key pair in 9A and a certificate for it, as the CA did at first issuance."""
    piv.select()
    piv.authenticate_admin(server_answer())
    _, public_key = piv.generate_key()
    cert = ca.issue(public_key, subject)
    piv.write_certificate(cert)
    return cert


# -- the real PC/SC stack -------------------------------------------------------------------


@dataclass(frozen=True)
class CardStack:
    """pcscd with the vpcd reader driver: ``ports`` of its virtual slots (card side)."""

    ports: tuple[int, int]

    def wait_for_cards(self, count: int, timeout: float = 10.0) -> list[str]:
        """Wait until exactly ``count`` readers hold a card; returns their names."""
        deadline = time.monotonic() + timeout
        with PcscContext() as context:
            while True:
                present = context.cards_present()
                if len(present) == count or time.monotonic() > deadline:
                    assert len(present) == count, f"expected {count} cards, PC/SC sees {present}"
                    return present
                time.sleep(0.1)


def _vpcd_port() -> int:
    if not VPCD_CONF.exists():
        pytest.fail(f"{VPCD_CONF} missing: install vsmartcard-vpcd (scripts/install-card-stack.sh)")
    match = re.search(r"CHANNELID\s+(0x[0-9A-Fa-f]+|\d+)", VPCD_CONF.read_text())
    return int(match.group(1), 0) if match else DEFAULT_PORT


def _pcscd_pid() -> int | None:
    """Pid of the running pcscd (its pid file ends with a newline and a NUL byte)."""
    try:
        pid = int(PCSCD_PID_FILE.read_bytes().strip(b"\x00\n "))
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@pytest.fixture(scope="session")
def card_stack() -> Iterator[CardStack]:
    """pcscd running with the vpcd reader (started here when it is not running already)."""
    missing = [tool for tool in CARD_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"smart card stack missing {missing}: run scripts/install-card-stack.sh")
    port = _vpcd_port()
    started: int | None = None
    if _pcscd_pid() is None:
        subprocess.run(["pcscd"], check=True, timeout=10)  # daemonizes, writes its pid file
        for _ in range(50):
            started = _pcscd_pid()
            if started is not None:
                break
            time.sleep(0.1)
    deadline = time.monotonic() + 10
    while True:
        with PcscContext() as context:
            readers = context.readers()
        if any(name.startswith("Virtual PCD") for name in readers):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"pcscd runs but shows no vpcd reader (readers: {readers})")
        time.sleep(0.2)
    yield CardStack((port, port + 1))
    if started is not None:
        os.kill(started, signal.SIGTERM)


@pytest.fixture
def vpcd_card(card_stack: CardStack, applet: PivApplet) -> Iterator[VpcdCard]:
    """``applet`` inserted in the first virtual reader (pulled out after the test)."""
    card_stack.wait_for_cards(0)
    vicc = VpcdCard(applet, port=card_stack.ports[0])
    vicc.insert()
    card_stack.wait_for_cards(1)
    yield vicc
    vicc.remove()
    card_stack.wait_for_cards(0)
