"""Development defaults: ``certdesk serve --dev`` runs with nothing configured.

SQLite under ./var, the in-process store, console SMS and email, and keys generated once into
``var/dev-secrets.toml`` (kept across restarts so encrypted data stays readable). Never used
unless ``--dev`` is given. ``certdesk serve --dev`` also starts the WeChat and WeChat Pay sandbox
and the development console at ``/dev/`` (``bot.devconsole``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from bot.config import Settings
from bot.secrets_box import generate_key

DEV_SECRETS = Path("var/dev-secrets.toml")


def _dev_keys(path: Path) -> tuple[list[str], str]:
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return list(data["data_keys"]), str(data["lookup_key"])
    data_key, lookup_key = generate_key(), generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Generated for development by certdesk serve --dev. Not for production.\n"
        f'data_keys = ["{data_key}"]\nlookup_key = "{lookup_key}"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    return [data_key], lookup_key


def apply_dev_defaults(settings: Settings, secrets_path: Path = DEV_SECRETS) -> Settings:
    """Fill what a development run needs and the operator did not configure."""
    security = settings.security
    if not security.data_keys or not security.lookup_key:
        data_keys, lookup_key = _dev_keys(secrets_path)
        security = dataclasses.replace(
            security,
            data_keys=security.data_keys or data_keys,
            lookup_key=security.lookup_key or lookup_key,
        )
    logging = settings.logging
    if logging.format == "json":
        logging = dataclasses.replace(logging, format="text")
    return dataclasses.replace(
        settings,
        server=dataclasses.replace(settings.server, dev=True),
        security=security,
        logging=logging,
    )
