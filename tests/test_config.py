"""Configuration: the documented example loads, env overrides work, mistakes name the key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, settings_to_toml_keys

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "certdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_documents_every_key_and_loads() -> None:
    settings = load_settings(EXAMPLE, env={})
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = set()
    section = ""
    for line in text.splitlines():
        if match := re.match(r"^\[(\w+)\]", line):
            section = match.group(1)
        elif match := re.match(r"^#?\s*(\w+)\s*=", line):
            documented.add(f"{section}.{match.group(1)}")
    missing = set(settings_to_toml_keys(settings)) - documented
    assert not missing, f"keys missing from config.example.toml: {sorted(missing)}"
    assert tomllib.loads(text)["database"]["url"] == "sqlite://var/certdesk.sqlite3"


def test_defaults_without_a_file_are_the_embedded_ones() -> None:
    settings = load_settings(None, env={})
    assert settings.database.url == "sqlite://var/certdesk.sqlite3"
    assert settings.redis.url == ""
    assert settings.sms.provider == "console"


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[server]\nport = 9000\n")
    assert load_settings(None, env={"CERTDESK_CONFIG": str(path)}).server.port == 9000


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[server]\nprot = 80\n", "server.prot: unknown config key"),
        ("[sevrer]\nport = 80\n", "[sevrer]: unknown config section"),
        ('[server]\nport = "80"\n', "server.port: expected an integer"),
        ("[email]\nuse_tls = 1\n", "email.use_tls: expected true or false"),
        ('[security]\ndata_keys = "abc"\n', "security.data_keys: expected a list of strings"),
        ("[worker]\npoll_interval = true\n", "worker.poll_interval: expected a number"),
        ('[sms]\nprovider = "aliyun"\n', "sms.provider: must be one of console, tencent"),
        ('[database]\nurl = "mysql://x"\n', "database.url: must start with"),
        ("[prices]\norg_one = 100\n", "prices.org_one: unknown price key"),
        ("[prices]\norg_1 = -5\n", "prices.org_1: must be a positive amount"),
        ("server = 5\n", "[server]: must be a table"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_mistakes_stop_with_a_message_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings(write(tmp_path, text), env={})


def test_env_overrides_any_key_with_its_type(tmp_path: Path) -> None:
    path = write(tmp_path, '[pay]\napi_v3_key = "from-file"\n[server]\nport = 8000\n')
    env = {
        "CERTDESK_PAY_API_V3_KEY": "from-env",
        "CERTDESK_SERVER_PORT": "9001",
        "CERTDESK_EMAIL_USE_TLS": "false",
        "CERTDESK_SECURITY_DATA_KEYS": "k1, k2",
        "CERTDESK_WORKER_POLL_INTERVAL": "0.5",
        "CERTDESK_PRICES_ORG_2": "55000",
        "CERTDESK_SMS_TEMPLATES_VERIFY_CODE": "123456",
    }
    settings = load_settings(path, env=env)
    assert settings.pay.api_v3_key == "from-env"
    assert settings.server.port == 9001
    assert settings.email.use_tls is False
    assert settings.security.data_keys == ["k1", "k2"]
    assert settings.worker.poll_interval == 0.5
    assert settings.prices == {"org_2": 55000}
    assert settings.sms.templates == {"verify_code": "123456"}


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CERTDESK_SERVER_PORT": "eighty"}, "server.port: expected an integer"),
        ({"CERTDESK_SERVER_PROT": "80"}, "server.prot: unknown config key"),
        ({"CERTDESK_NOPE_KEY": "1"}, "CERTDESK_NOPE_KEY: no such config section"),
        ({"CERTDESK_EMAIL_USE_TLS": "maybe"}, "email.use_tls: expected true or false"),
        ({"CERTDESK_SMS_RESEND_SECONDS": "0"}, "sms.resend_seconds: must be between 1 and 3600"),
    ],
)
def test_bad_env_override_names_the_key(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings(None, env=env)


def test_missing_config_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_unreadable_or_wrong_key_file_names_the_key(tmp_path: Path) -> None:
    missing = write(tmp_path, f'[pay]\nmerchant_private_key = "{tmp_path}/absent.pem"\n')
    with pytest.raises(ConfigError, match=r"pay\.merchant_private_key: cannot read"):
        load_settings(missing, env={})
    not_pem = tmp_path / "key.txt"
    not_pem.write_text("hello")
    wrong = write(tmp_path, f'[pay]\nplatform_public_key = "{not_pem}"\n')
    with pytest.raises(ConfigError, match=r"pay\.platform_public_key: .* is not a PEM file"):
        load_settings(wrong, env={})


def test_secret_values_are_not_echoed_in_type_errors(tmp_path: Path) -> None:
    env = {"CERTDESK_WORKER_CONCURRENCY": "s3cr3t-value-that-is-long-enough-to-be-cut-off-here"}
    with pytest.raises(ConfigError) as info:
        load_settings(None, env=env)
    assert "worker.concurrency" in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_projects_are_parsed_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[prices]
org_1 = 30000
[[projects]]
code = "sqggzy"
name = "商丘市公共资源交易中心"
prices = { org_1 = 28000 }
[[projects.materials]]
key = "bid_authorization"
label = "投标授权书"
kinds = ["org"]
[[projects]]
code = "bjggzy"
name = "北京市公共资源交易中心"
""",
    )
    settings = load_settings(path, env={})
    assert [p.code for p in settings.projects] == ["sqggzy", "bjggzy"]
    [bid] = settings.projects[0].materials
    assert (bid.key, bid.label, bid.kinds) == ("bid_authorization", "投标授权书", ["org"])
    assert settings.projects[1].materials == []
    assert settings.price("org", 1, "sqggzy") == 28000  # the project's own price
    assert settings.price("org", 1, "bjggzy") == 30000  # else [prices]
    assert settings.price("org", 2, "sqggzy") is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[[projects]]\ncode = "x"\nnmae = "y"\n', "projects[0].nmae: unknown config key"),
        ('[[projects]]\ncode = "Bad Code"\nname = "y"\n', "projects[0]: needs a code"),
        (
            '[[projects]]\ncode = "a"\nname = "y"\nprices = { org_x = 1 }\n',
            "projects[0].prices.org_x: unknown price key",
        ),
        (
            '[[projects]]\ncode = "a"\nname = "y"\n[[projects]]\ncode = "a"\nname = "z"\n',
            "two projects have the same code",
        ),
        ('[projects]\ncode = "a"\n', "[[projects]]: must be an array of tables"),
        (
            '[[projects]]\ncode = "a"\nname = "y"\n[[projects.materials]]\nkey = "Bad"\n',
            "projects[0].materials[0]: needs a key",
        ),
        (
            '[[projects]]\ncode = "a"\nname = "y"\n[[projects.materials]]\nkey = "k"\n'
            'label = "x"\nkinds = ["renew"]\n',
            "projects[0].materials[0].kinds: only org and personal",
        ),
        (
            '[[projects]]\ncode = "a"\nname = "y"\n[[projects.materials]]\nkey = "k"\n'
            'label = "x"\nlable = "y"\n',
            "projects[0].materials[0].lable: unknown config key",
        ),
    ],
)
def test_project_mistakes_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_settings(write(tmp_path, text), env={})
