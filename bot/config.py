"""Typed settings loaded from one TOML file, with ``CERTDESK_<SECTION>_<KEY>`` overrides.

The file comes from ``--config`` or ``CERTDESK_CONFIG``; every key is optional and has a
default suited to a single-instance deployment. An unknown section or key, a value of the wrong
type or an unreadable key file stops start-up with a ``ConfigError`` that names the key.
Environment variables override single keys (meant for secrets): ``CERTDESK_PAY_API_V3_KEY``
sets ``[pay] api_v3_key``. List values in the environment are comma-separated.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "CERTDESK_"
CONFIG_ENV = "CERTDESK_CONFIG"


class ConfigError(Exception):
    """A configuration problem; the message names the offending key."""


@dataclass(frozen=True)
class ServerSettings:
    """``[server]``: where the HTTP server listens and how the outside world reaches it."""

    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    dev: bool = False
    client_max_size: int = 12 * 1024 * 1024
    rate_limit_per_minute: int = 120  # per client address and route group; 0: no limit
    trusted_proxies: list[str] = field(default_factory=list)  # may set X-Forwarded-For


@dataclass(frozen=True)
class DatabaseSettings:
    """``[database]``: SQLite file by default, ``postgres://`` in production."""

    url: str = "sqlite://var/certdesk.sqlite3"
    pool_max_size: int = 10


@dataclass(frozen=True)
class RedisSettings:
    """``[redis]``: empty url = in-process store (single instance only)."""

    url: str = ""
    prefix: str = "certdesk:"


@dataclass(frozen=True)
class StorageSettings:
    """``[storage]``: where uploaded materials and generated files are kept.

    ``backend`` "local" keeps them under ``path``; "s3" in an S3-compatible bucket (path-style
    URLs: ``s3_endpoint``/``s3_bucket``/key). ``keep_originals`` keeps each photo as the
    applicant sent it beside the normalised JPEG.
    """

    path: str = "var/files"
    backend: str = "local"
    keep_originals: bool = False
    s3_endpoint: str = ""  # e.g. https://cos.ap-guangzhou.myqcloud.com
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""


@dataclass(frozen=True)
class SecuritySettings:
    """``[security]``: keys for data at rest; the first data key encrypts, all decrypt."""

    data_keys: list[str] = field(default_factory=list)
    lookup_key: str = ""


@dataclass(frozen=True)
class LoggingSettings:
    """``[logging]``: level and format (``json`` for production, ``text`` for a terminal)."""

    level: str = "INFO"
    format: str = "json"


@dataclass(frozen=True)
class WorkerSettings:
    """``[worker]``: the outbox worker that runs jobs after the request that caused them."""

    concurrency: int = 4
    poll_interval: float = 1.0
    max_attempts: int = 8
    lease_seconds: float = 120.0
    backoff_base: float = 5.0
    backoff_max: float = 3600.0


@dataclass(frozen=True)
class WechatSettings:
    """``[wechat]``: the official account (服务号)."""

    app_id: str = ""
    app_secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://api.weixin.qq.com"
    reply_budget: float = 4.0
    menu_file: str = ""


@dataclass(frozen=True)
class ServiceSettings:
    """``[service]``: how the CA presents itself to applicants."""

    name: str = "数字证书服务"
    phone: str = ""
    resume_offer_hours: int = 12  # a draft left this long: ask 继续 / 重新开始 first (0: never)
    bridge_download_url: str = (
        ""  # where applicants download the certificate assistant (Key bridge)
    )


@dataclass(frozen=True)
class MiniprogramSettings:
    """``[miniprogram]``: the mini-program sharing the applicant's UnionID."""

    app_id: str = ""
    app_secret: str = ""


@dataclass(frozen=True)
class PaySettings:
    """``[pay]``: WeChat Pay API v3; key entries are paths of PEM files."""

    mch_id: str = ""
    app_id: str = ""
    api_v3_key: str = ""
    merchant_serial_no: str = ""
    merchant_private_key: str = ""
    platform_public_key: str = ""
    platform_public_key_id: str = ""
    notify_url: str = ""
    api_base_url: str = "https://api.mch.weixin.qq.com"
    platform_certificates: list[str] = field(default_factory=list)
    timeout_seconds: float = 10.0
    query_after_seconds: int = 300
    close_after_minutes: int = 120
    h5_link_minutes: int = 30


@dataclass(frozen=True)
class SmsSettings:
    """``[sms]``: ``console`` writes codes to the log/dev outbox; ``tencent`` sends them."""

    provider: str = "console"
    secret_id: str = ""
    secret_key: str = ""
    sdk_app_id: str = ""
    sign_name: str = ""
    endpoint: str = "https://sms.tencentcloudapi.com"
    region: str = "ap-guangzhou"
    templates: dict[str, str] = field(default_factory=dict)
    resend_seconds: int = 60  # at least this long between two codes to one phone


@dataclass(frozen=True)
class EmailSettings:
    """``[email]``: SMTP for invoices and unlock codes; empty host = console (development)."""

    smtp_host: str = ""
    smtp_port: int = 465
    username: str = ""
    password: str = ""
    sender: str = ""
    sender_name: str = ""  # shown as the From name, e.g. the CA's name
    use_tls: bool = True
    ca_file: str = ""  # PEM bundle to trust instead of the system's (a private mail relay)


@dataclass(frozen=True)
class CaSettings:
    """``[ca]``: which certificate authority engine issues certificates."""

    backend: str = "builtin"
    api_base_url: str = ""
    path: str = "var/ca"  # built-in CA: certificates, encrypted keys, revocations
    key_algorithm: str = "ecdsa-p256"  # built-in CA keys: ecdsa-p256 or rsa-2048
    name: str = "certdesk CA"  # built-in CA: the O and CN stem of the root / issuing CA
    identifier_oid: str = "2.5.4.5"  # subject attribute carrying the credit code / ID number
    crl_days: int = 7  # how long a CRL is valid (nextUpdate)
    profile_org: str = "org"  # the external engine's signing profile names
    profile_personal: str = "personal"


@dataclass(frozen=True)
class AdminSettings:
    """``[admin]``: the staff console under ``/admin/``."""

    session_hours: float = 8.0
    max_failures: int = 5  # failed logins within failure_window_minutes lock the account
    failure_window_minutes: float = 15.0
    lockout_minutes: float = 15.0
    review_working_days: int = 3
    holidays: list[str] = field(default_factory=list)  # YYYY-MM-DD, not working days


@dataclass(frozen=True)
class NoticeSettings:
    """``[notices]``: how applicants hear about their order (template messages first)."""

    templates: dict[str, str] = field(default_factory=dict)  # notice kind -> template id
    fields: dict[str, str] = field(
        default_factory=lambda: {
            "first": "title",
            "keyword1": "order_no",
            "keyword2": "status",
            "keyword3": "time",
            "remark": "detail",
        }
    )  # template field -> notice value (title, order_no, status, time, detail, amount)
    order_url: str = ""  # link of every notice; {order_no} is replaced; empty: no link
    sms_fallback: bool = True
    # Mini-program subscribe messages (订阅消息): notice kind -> template id, the template's
    # keywords -> notice value (as ``fields``), the order's page ({order_no} is replaced).
    subscribe_templates: dict[str, str] = field(default_factory=dict)
    subscribe_fields: dict[str, str] = field(
        default_factory=lambda: {
            "thing1": "title",
            "character_string2": "order_no",
            "thing3": "status",
            "time4": "time",
        }
    )
    subscribe_page: str = ""  # e.g. "pages/order/detail?order_no={order_no}"


@dataclass(frozen=True)
class ProjectMaterial:
    """``[[projects.materials]]``: a photo a project requires besides the standard materials
    (e.g. a trading centre's 投标授权书), asked after them."""

    key: str = ""  # a-z, 0-9, _ (unique within the project)
    label: str = ""
    prompt: str = ""
    kinds: list[str] = field(default_factory=lambda: ["org", "personal"])


@dataclass(frozen=True)
class ProjectSettings:
    """``[[projects]]``: a platform the CA issues certificates for (数字证书来源), e.g. a city's
    public-resource trading centre; applicants arrive by its QR code (scene ``project:<code>``)
    or choose it."""

    code: str = ""
    name: str = ""
    agreement_version: str = ""
    prices: dict[str, int] = field(default_factory=dict)  # overrides [prices]
    materials: list[ProjectMaterial] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """All of certdesk's configuration, one attribute per TOML section."""

    server: ServerSettings = field(default_factory=ServerSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    wechat: WechatSettings = field(default_factory=WechatSettings)
    miniprogram: MiniprogramSettings = field(default_factory=MiniprogramSettings)
    pay: PaySettings = field(default_factory=PaySettings)
    sms: SmsSettings = field(default_factory=SmsSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    ca: CaSettings = field(default_factory=CaSettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    prices: dict[str, int] = field(default_factory=dict)
    projects: list[ProjectSettings] = field(default_factory=list)

    def project(self, code: str) -> ProjectSettings | None:
        """The configured project with this code."""
        return next((p for p in self.projects if p.code == code), None)

    def price(self, kind: str, years: int | str, project: str = "") -> int | None:
        """Price in fen of ``kind`` for ``years``: the project's own, else ``[prices]``."""
        key = f"{kind}_{years}"
        chosen = self.project(project) if project else None
        if chosen is not None and key in chosen.prices:
            return chosen.prices[key]
        return self.prices.get(key)


PRICE_KEY = re.compile(r"^(?:renew_)?(org|personal)_(\d+)$")
PEM_FILE_KEYS = {("pay", "merchant_private_key"), ("pay", "platform_public_key")}
CHOICES = {
    ("logging", "format"): {"json", "text"},
    ("logging", "level"): {"DEBUG", "INFO", "WARNING", "ERROR"},
    ("sms", "provider"): {"console", "tencent"},
    ("ca", "backend"): {"builtin", "cfssl"},
    ("ca", "key_algorithm"): {"ecdsa-p256", "rsa-2048"},
    ("storage", "backend"): {"local", "s3"},
}
NOTICE_VALUES = {"title", "order_no", "status", "time", "detail", "amount"}  # amount: refunds


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    check_files: bool = True,
) -> Settings:
    """Read the TOML file (or none), apply env overrides, type-check and return settings."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get(CONFIG_ENV) or None
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path}: not found") from exc
        except OSError as exc:
            raise ConfigError(f"config file {path}: cannot be read ({exc.strerror})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: not valid TOML ({exc})") from exc
    _apply_env(raw, env)
    settings = _build(raw)
    _check_values(settings, check_files=check_files)
    return settings


def _section_types() -> dict[str, Any]:
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings)}


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    """Fold ``CERTDESK_<SECTION>_<KEY>`` variables into the raw TOML tree (as strings)."""
    sections = sorted(_section_types(), key=len, reverse=True)
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in sections if rest.startswith(s + "_")), None)
        if section is None:
            raise ConfigError(f"environment variable {name}: no such config section")
        key = rest[len(section) + 1 :]
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"[{section}]: must be a table")
        if section == "sms" and key.startswith("templates_"):
            target.setdefault("templates", {})[key[len("templates_") :]] = value
        else:
            target[key] = _EnvValue(value)


class _EnvValue(str):
    """A string from the environment, converted to the field's type when checked."""


def _build(raw: dict[str, Any]) -> Settings:
    sections: dict[str, Any] = {}
    for name, section_type in _section_types().items():
        values = raw.pop(name, {})
        if name == "projects":
            sections[name] = _projects(values)
            continue
        if not isinstance(values, dict):
            raise ConfigError(f"[{name}]: must be a table")
        if name == "prices":
            sections[name] = _prices(values)
        else:
            sections[name] = _dataclass_from(section_type, name, values)
    if raw:
        unknown = sorted(raw)[0]
        raise ConfigError(f"[{unknown}]: unknown config section")
    return Settings(**sections)


def _dataclass_from(cls: Any, section: str, values: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{section}.{key}: unknown config key")
    converted = {
        key: _convert(f"{section}.{key}", hints[key], value) for key, value in values.items()
    }
    return cls(**converted)


def _convert(where: str, expected: Any, value: Any) -> Any:
    """Check ``value`` against the field type; env strings are parsed into that type."""
    origin = typing.get_origin(expected)
    from_env = isinstance(value, _EnvValue)
    if expected is bool:
        if from_env:
            lowered = value.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
        elif isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected true or false, got {_show(value)}")
    if expected is int:
        if from_env and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected an integer, got {_show(value)}")
    if expected is float:
        if from_env:
            try:
                return float(value)
            except ValueError:
                pass
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where}: expected a number, got {_show(value)}")
    if expected is str:
        if isinstance(value, str):
            return str(value)
        raise ConfigError(f"{where}: expected a string, got {_show(value)}")
    if origin is list:
        if from_env:
            return [item.strip() for item in value.split(",") if item.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        raise ConfigError(f"{where}: expected a list of strings, got {_show(value)}")
    if origin is dict:
        if isinstance(value, dict):
            return {str(k): _convert(f"{where}.{k}", str, v) for k, v in value.items()}
        raise ConfigError(f"{where}: expected a table, got {_show(value)}")
    if isinstance(expected, types.UnionType):  # pragma: no cover - no optional fields yet
        raise ConfigError(f"{where}: unsupported type")
    raise ConfigError(f"{where}: unsupported type {expected!r}")  # pragma: no cover


def _prices(values: dict[str, Any], where: str = "prices") -> dict[str, int]:
    prices: dict[str, int] = {}
    for key, value in values.items():
        match = PRICE_KEY.match(key)
        if not match or not 1 <= int(match.group(2)) <= 10:
            raise ConfigError(
                f"{where}.{key}: unknown price key (expected org_<years>, personal_<years>, "
                "renew_org_<years> or renew_personal_<years>)"
            )
        amount = _convert(f"{where}.{key}", int, value)
        if amount <= 0:
            raise ConfigError(f"{where}.{key}: must be a positive amount in fen")
        prices[key] = amount
    return prices


def _projects(values: Any) -> list[ProjectSettings]:
    """``[[projects]]`` tables (not overridable from the environment)."""
    if isinstance(values, dict) and not values:
        return []
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ConfigError("[[projects]]: must be an array of tables")
    projects = []
    for i, table in enumerate(values):
        where = f"projects[{i}]"
        prices = _prices(table.pop("prices", {}) or {}, f"{where}.prices")
        materials = _materials(table.pop("materials", []) or [], f"{where}.materials")
        project = _dataclass_from(ProjectSettings, where, table)
        if not re.fullmatch(r"[a-z0-9_-]{1,24}", project.code) or not project.name:
            raise ConfigError(f"{where}: needs a code (a-z, 0-9, _ or -, ≤ 24) and a name")
        projects.append(dataclasses.replace(project, prices=prices, materials=materials))
    codes = [p.code for p in projects]
    if len(set(codes)) != len(codes):
        raise ConfigError("[[projects]]: two projects have the same code")
    return projects


def _materials(values: Any, where: str) -> list[ProjectMaterial]:
    """A project's extra materials: each with a key, a label and a prompt."""
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ConfigError(f"{where}: must be an array of tables")
    materials = [
        _dataclass_from(ProjectMaterial, f"{where}[{i}]", dict(table))
        for i, table in enumerate(values)
    ]
    for i, material in enumerate(materials):
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", material.key) or not material.label:
            raise ConfigError(f"{where}[{i}]: needs a key (a-z, 0-9, _) and a label")
        if not material.kinds or not set(material.kinds) <= {"org", "personal"}:
            raise ConfigError(f"{where}[{i}].kinds: only org and personal")
    if len({m.key for m in materials}) != len(materials):
        raise ConfigError(f"{where}: two materials have the same key")
    return materials


def _show(value: Any) -> str:
    """Describe a wrong value by its type only: it may be a secret in the wrong place."""
    if isinstance(value, _EnvValue):
        return "a string from the environment that does not parse"
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def _check_values(settings: Settings, *, check_files: bool) -> None:
    for (section, key), allowed in CHOICES.items():
        value = getattr(getattr(settings, section), key)
        if value not in allowed:
            raise ConfigError(f"{section}.{key}: must be one of {', '.join(sorted(allowed))}")
    if not 1 <= settings.server.port <= 65535:
        raise ConfigError("server.port: must be between 1 and 65535")
    if settings.worker.concurrency < 1 or settings.worker.max_attempts < 1:
        raise ConfigError("worker.concurrency and worker.max_attempts: must be at least 1")
    if not re.fullmatch(r"[0-2](\.(0|[1-9]\d*))+", settings.ca.identifier_oid):
        raise ConfigError("ca.identifier_oid: must be a dotted OID such as 2.5.4.5")
    if settings.ca.crl_days < 1:
        raise ConfigError("ca.crl_days: must be at least 1")
    if not 1 <= settings.sms.resend_seconds <= 3600:
        raise ConfigError("sms.resend_seconds: must be between 1 and 3600")
    url = settings.database.url
    if not url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise ConfigError("database.url: must start with sqlite:// or postgres://")
    from bot.texts import NOTICE_TITLES, RENEWAL_REMINDER_NOTICE

    kinds = [*NOTICE_TITLES, RENEWAL_REMINDER_NOTICE]
    for kind in settings.notices.templates:
        if kind not in kinds:
            raise ConfigError(
                f"notices.templates.{kind}: unknown notice kind (one of {', '.join(kinds)})"
            )
    for kind in settings.notices.subscribe_templates:
        if kind not in NOTICE_TITLES:
            raise ConfigError(
                f"notices.subscribe_templates.{kind}: unknown notice kind"
                f" (one of {', '.join(NOTICE_TITLES)})"
            )
    for section, mapping in (
        ("fields", settings.notices.fields),
        ("subscribe_fields", settings.notices.subscribe_fields),
    ):
        for name, value in mapping.items():
            if value not in NOTICE_VALUES:
                raise ConfigError(
                    f"notices.{section}.{name}: must be one of {', '.join(sorted(NOTICE_VALUES))}"
                )
    for day in settings.admin.holidays:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ConfigError(f"admin.holidays: {day!r} is not a date like 2026-10-01")
    aes_key = settings.wechat.encoding_aes_key
    if aes_key and len(aes_key) != 43:
        raise ConfigError("wechat.encoding_aes_key: must be the 43 characters WeChat shows")
    storage = settings.storage
    if storage.backend == "s3" and not all(
        [storage.s3_endpoint, storage.s3_bucket, storage.s3_access_key, storage.s3_secret_key]
    ):
        raise ConfigError(
            "storage: backend s3 needs s3_endpoint, s3_bucket, s3_access_key and s3_secret_key"
        )
    if check_files:
        for section, key in PEM_FILE_KEYS:
            pem_path = getattr(getattr(settings, section), key)
            if pem_path:
                read_pem(f"{section}.{key}", pem_path)


def read_pem(where: str, pem_path: str) -> bytes:
    """Read a PEM file named by a config key; errors name the key and the path."""
    try:
        data = Path(pem_path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {pem_path} ({exc.strerror})") from exc
    if b"-----BEGIN " not in data:
        raise ConfigError(f"{where}: {pem_path} is not a PEM file")
    return data


def settings_to_toml_keys(settings: Settings) -> list[str]:
    """Every ``section.key`` name that exists (for documentation checks)."""
    names: list[str] = []
    for f in dataclasses.fields(settings):
        section = getattr(settings, f.name)
        if dataclasses.is_dataclass(section):
            names.extend(f"{f.name}.{g.name}" for g in dataclasses.fields(section))
    return names
