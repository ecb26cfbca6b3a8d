"""The development console: only in development mode, and ``certdesk demo`` completes an
organisation application against a real ``certdesk serve --dev`` process.

``dev_server`` (shared with the browser test) runs ``certdesk serve --dev`` in an empty directory,
as ``make run`` does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.config import ConfigError, Settings
from bot.devconsole.sandbox import start_sandbox, wanted
from bot.devmode import apply_dev_defaults
from tests.test_processes import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class DevServer:
    """A running ``certdesk serve --dev`` and where its output goes."""

    url: str
    process: subprocess.Popen[bytes]
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """``certdesk serve --dev`` with nothing configured, in a directory of its own."""
    folder = tmp_path_factory.mktemp("dev-server")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    output = folder / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--dev", "--port", str(port)],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=folder,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = DevServer(f"http://127.0.0.1:{port}", process, output)
    try:
        _wait_for_console(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_console(server: DevServer, within: float = 40) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the dev server exited:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + "/dev/api/info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the dev server did not answer in time:\n{server.log()}")


async def test_dev_console_is_not_served_outside_development_mode(
    settings: Settings, aiohttp_client: Any, tmp_path: Path
) -> None:
    production = await aiohttp_client(create_app(settings, run_worker=False))
    assert (await production.get("/dev/")).status == 404
    assert (await production.post("/dev/api/pay/o-someone")).status == 404
    assert not wanted(settings)

    # Even handed a sandbox, a server that is not in development mode mounts no console.
    sandbox, pointed = await start_sandbox(settings, tmp_path / "pay")
    try:
        refused = await aiohttp_client(create_app(pointed, run_worker=False, sandbox=sandbox))
        assert (await refused.get("/dev/")).status == 404
        assert (await refused.get("/dev/api/outbox")).status == 404
    finally:
        await sandbox.stop()


def test_serve_dev_prints_the_console_and_the_staff_accounts(dev_server: DevServer) -> None:
    log = dev_server.log()
    assert f"development console: {dev_server.url}/dev/" in log
    assert "accounts reviewer (reviewer), operator (operator), password " in log
    with urllib.request.urlopen(dev_server.url + "/dev/") as page:
        assert "certdesk 开发控制台" in page.read().decode()


def test_demo_ships_a_key_against_a_running_dev_server(dev_server: DevServer) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--url", dev_server.url],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr + dev_server.log()[-3000:]
    out = result.stdout
    assert "用户 → 【菜单】单位证书新办" in out
    assert "短信发件箱：" in out and "订单已提交" in out
    assert "/pay/notify 回应 204" in out
    for notice in ("订单支付成功", "申请审核通过", "证书已制作", "USB Key 已寄出"):
        assert f"[模板消息] {notice}" in out
    assert "USB Key 已寄出 ==" in out.splitlines()[-1]
    assert time.monotonic() - started < 60


def _call(server: DevServer, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        server.url + "/dev/api/" + path, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def test_simulated_bridge_pairs_by_a_wechat_scan(dev_server: DevServer) -> None:
    started = _call(dev_server, "bridge/start", {})
    assert started["running"] and started["connected"] and started["key_inserted"]
    deadline = time.monotonic() + 10
    while (state := _call(dev_server, "bridge"))["scene"] is None:
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    assert state["scene"].startswith("bridge:") and not state["paired"]
    answer = _call(dev_server, "chat/o-bridge-user", {"kind": "scan", "key": state["scene"]})
    assert "已连接电脑上的证书助手" in answer["reply"]["text"]
    while not (state := _call(dev_server, "bridge"))["paired"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    assert any("已连接微信" in line for line in state["statuses"])
    pulled = _call(dev_server, "bridge/key", {"inserted": False})
    assert not pulled["key_inserted"] and pulled["running"]


def test_console_posts_must_be_json(dev_server: DevServer) -> None:
    form = urllib.request.Request(
        dev_server.url + "/dev/api/pay/o-someone",
        data=b"x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(form)
    assert refused.value.code == 415


def test_demo_fails_clearly_without_a_dev_server() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--url", f"http://127.0.0.1:{free_port()}"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot reach" in result.stdout


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "certdesk.example.cn"])
def test_the_sandbox_refuses_an_address_other_machines_can_reach(host: str) -> None:
    settings = apply_dev_defaults(Settings())
    settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, host=host))
    with pytest.raises(ConfigError, match="loopback"):
        wanted(settings)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_the_sandbox_runs_on_loopback(host: str) -> None:
    settings = apply_dev_defaults(Settings())
    settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, host=host))
    assert wanted(settings)
