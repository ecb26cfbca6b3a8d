"""Development console: put an emulated PIV card into pcscd's virtual reader (vpcd) until
interrupted. ``--subject`` gives the card a key pair and a certificate from a throwaway
development issuer, valid for ``--valid-days`` (negative: already expired)."""

from __future__ import annotations

import argparse
import datetime
import signal
import sys
import threading
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from key_bridge.emulator.applet import DEFAULT_PIN, DEFAULT_PUK, PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.emulator.vpcd import DEFAULT_PORT, VpcdCard
from key_bridge.mgmkey import DEFAULT_MANAGEMENT_KEY, answer_challenge
from key_bridge.piv import PivCard
from key_bridge.piv_data import KeyAlgorithm

DEV_ISSUER = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certdesk development issuer")])


def provision(applet: PivApplet, subject: x509.Name, valid_days: int) -> x509.Certificate:
    """Generate a key in slot 9A of ``applet`` and write a development certificate for it."""
    card = PivCard(LocalTransport(applet))
    card.select()
    card.authenticate_admin(
        lambda ch: answer_challenge(ch.algorithm, DEFAULT_MANAGEMENT_KEY, ch.challenge)
    )
    _, public_key = card.generate_key()
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=valid_days)
    start = min(end, datetime.datetime.now(datetime.UTC)) - datetime.timedelta(days=365)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(DEV_ISSUER)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(issuer_key, hashes.SHA256())
    )
    card.write_certificate(cert)
    applet.reset()
    return cert


def main(argv: Sequence[str] | None = None) -> int:
    """Run the card until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m key_bridge.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--subject", help="RFC 4514 subject, e.g. 'CN=张三,O=测试公司,C=CN'")
    parser.add_argument("--valid-days", type=int, default=30)
    parser.add_argument("--rsa-only", action="store_true", help="a card without ECC")
    args = parser.parse_args(argv)
    algorithms = (KeyAlgorithm.RSA2048,) if args.rsa_only else tuple(KeyAlgorithm)
    applet = PivApplet(algorithms=algorithms)
    if args.subject:
        cert = provision(applet, x509.Name.from_rfc4514_string(args.subject), args.valid_days)
        print(f"certificate {cert.serial_number:X} until {cert.not_valid_after_utc:%Y-%m-%d}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with VpcdCard(applet, args.host, args.port):
        print(f"card inserted (PIN {DEFAULT_PIN}, PUK {DEFAULT_PUK.decode()}); Ctrl-C removes it")
        sys.stdout.flush()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
