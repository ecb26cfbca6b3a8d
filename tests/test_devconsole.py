"""The development console: only in development mode, and ``certdesk demo`` completes an
organisation application against a real ``certdesk serve --dev`` process.

``dev_server`` (shared with the browser test) runs ``certdesk serve --dev`` in an empty directory,
as ``make run`` does.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.china_time import SHANGHAI
from bot.config import ConfigError, Settings
from bot.devconsole.bridge import ConsoleUi
from bot.devconsole.sandbox import start_sandbox, wanted
from bot.devmode import apply_dev_defaults
from bot.renewal_rules import add_years
from key_bridge.controller import PIN_PROMPT
from tests.test_processes import free_port

ROOT = Path(__file__).resolve().parent.parent
NEW_PIN = "246813"


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
            # a short SMS spacing: the unlock test texts the phone the demo texted just before
            env={**env, "PYTHONPATH": str(ROOT), "CERTDESK_SMS_RESEND_SECONDS": "3"},
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


async def test_the_sandbox_issues_from_its_own_ca_and_prices_renewals(tmp_path: Path) -> None:
    settings = apply_dev_defaults(Settings(), tmp_path / "dev-secrets.toml")
    external = dataclasses.replace(settings.ca, backend="cfssl", path="ca-of-record")
    sandbox, pointed = await start_sandbox(
        dataclasses.replace(settings, ca=external), tmp_path / "pay", tmp_path / "dev-ca"
    )
    await sandbox.stop()
    assert (pointed.ca.backend, pointed.ca.path) == ("builtin", str(tmp_path / "dev-ca"))
    assert pointed.price("renew_org", 1) == 25000


def test_serve_dev_prints_the_console_and_the_staff_accounts(dev_server: DevServer) -> None:
    log = dev_server.log()
    assert f"development console: {dev_server.url}/dev/" in log
    assert "accounts reviewer (reviewer), operator (operator), password " in log
    with urllib.request.urlopen(dev_server.url + "/dev/") as page:
        assert "certdesk 开发控制台" in page.read().decode()


@dataclasses.dataclass(frozen=True)
class DemoRun:
    """What ``certdesk demo`` printed, how it ended and the simulated user it played."""

    result: subprocess.CompletedProcess[str]
    seconds: float

    @property
    def openid(self) -> str:
        found = re.search(r"== 模拟用户 (o-demo-[0-9a-f]+) ==", self.result.stdout)
        assert found is not None, self.result.stdout
        return found.group(1)


@pytest.fixture(scope="module")
def demo_run(dev_server: DevServer) -> DemoRun:
    """``certdesk demo`` run once against the dev server: its user ends with a shipped Key."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--url", dev_server.url],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    return DemoRun(result, time.monotonic() - started)


def test_demo_ships_a_key_against_a_running_dev_server(
    dev_server: DevServer, demo_run: DemoRun
) -> None:
    result = demo_run.result
    assert result.returncode == 0, result.stdout + result.stderr + dev_server.log()[-3000:]
    out = result.stdout
    assert "用户 → 【菜单】单位证书新办" in out
    assert "短信发件箱：" in out and "订单已提交" in out
    assert "/pay/notify 回应 204" in out
    for notice in ("订单支付成功", "申请审核通过", "证书已制作", "USB Key 已寄出"):
        assert f"[模板消息] {notice}" in out
    assert "USB Key 已寄出 ==" in out.splitlines()[-1]
    assert demo_run.seconds < 60


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


def _wait_bridge(server: DevServer, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while not done(state := _call(server, "bridge")):
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    return dict(state)


def _chat(server: DevServer, openid: str, message: dict[str, str]) -> str:
    return str(_call(server, f"chat/{openid}", message)["reply"]["text"])


def _sms_code(server: DevServer, openid: str, reply: str, sent: str) -> str:
    """The code texted for ``reply``; when the phone was texted just before (by an earlier
    test), waits out the spacing and asks again (the reply then says ``sent``)."""
    spacing = re.search(r"请 (\d+) 秒后再试", reply)
    if spacing is not None:
        time.sleep(int(spacing.group(1)) + 1)
        assert sent in _chat(server, openid, {"kind": "text", "content": "重新发送"})
    return str(_call(server, "outbox")["sms"][-1]["params"][0])


def _answer_prompt(server: DevServer, wanted: str, answer: str) -> None:
    state = _wait_bridge(server, lambda s: bool(s["prompt"]) and wanted in s["prompt"]["text"])
    _call(server, "bridge/answer", {"id": state["prompt"]["id"], "answer": answer})


def test_unlock_a_personalised_key_in_the_console(dev_server: DevServer, demo_run: DemoRun) -> None:
    openid = demo_run.openid
    assert _call_error(dev_server, "bridge/personalise", {"openid": "o-nobody"}) == (
        409,
        "这个用户还没有已制作或已完成的订单（先走完一次新办，或运行 certdesk demo）",
    )
    _call(dev_server, "bridge/start", {})  # a fresh bridge program, not paired yet
    made = _call(dev_server, "bridge/personalise", {"openid": openid})
    assert made["running"] and made["key_inserted"] and made["key_label"].startswith("DEV")
    assert made["pin_tries"] == 3
    scene = _wait_bridge(dev_server, lambda s: s["scene"] is not None)["scene"]
    assert "已连接电脑上的证书助手" in _chat(dev_server, openid, {"kind": "scan", "key": scene})
    _wait_bridge(dev_server, lambda s: s["paired"])
    locked = _call(dev_server, "bridge/lock", {})
    assert locked["pin_tries"] == 0 and "PIN 码已输错 3 次，Key 已锁定" in locked["statuses"]

    first = _chat(dev_server, openid, {"kind": "click", "key": "unlock"})
    key_serial = made["key_label"].split("（")[0]
    assert "证书解锁" in first and key_serial in first  # read from the Key through the bridge
    code = _sms_code(dev_server, openid, first, "解锁验证码已发送")
    granted = _chat(dev_server, openid, {"kind": "text", "content": code})
    assert "30 分钟内有效" in granted
    mail = _call(dev_server, "outbox")["email"][-1]
    code = re.search(r"授权码为：(\d{6})", mail["text"])
    assert mail["to"] == "lisi@example.com" and code is not None
    _answer_prompt(dev_server, "解锁授权码", code.group(1))
    _answer_prompt(dev_server, "请设置新的 PIN 码", NEW_PIN)
    _answer_prompt(dev_server, "请再次输入新的 PIN 码", NEW_PIN)
    done = _wait_bridge(dev_server, lambda s: any("解锁成功" in line for line in s["statuses"]))
    assert done["pin_tries"] == 3 and done["prompt"] is None
    pushed = _call(dev_server, f"chat/{openid}/messages")["messages"]
    assert any("解锁成功" in m.get("text", "") for m in pushed)
    assert _call(dev_server, "bridge/verify_pin", {"pin": "123456"})["ok"] is False
    assert _call(dev_server, "bridge/verify_pin", {"pin": NEW_PIN})["ok"] is True


def test_renew_an_expiring_key_in_the_console(dev_server: DevServer, demo_run: DemoRun) -> None:
    openid = demo_run.openid
    assert _call_error(
        dev_server, "bridge/personalise", {"openid": openid, "expires_in_days": 9999}
    ) == (409, "证书到期天数应在 -365 到 365 之间")
    _call(dev_server, "bridge/start", {})
    made = _call(dev_server, "bridge/personalise", {"openid": openid, "expires_in_days": 30})
    old = made["key_certificate"]
    old_expiry = datetime.fromisoformat(old["not_after"])
    assert timedelta(days=29) < old_expiry - datetime.now(UTC) <= timedelta(days=30)
    scene = _wait_bridge(dev_server, lambda s: s["scene"] is not None)["scene"]
    assert "已连接电脑上的证书助手" in _chat(dev_server, openid, {"kind": "scan", "key": scene})
    _wait_bridge(dev_server, lambda s: s["paired"])

    shown = _chat(dev_server, openid, {"kind": "click", "key": "renew"})
    assert "可以更新" in shown and "1. 续期 1 年，¥250.00" in shown, shown
    code = _sms_code(
        dev_server,
        openid,
        _chat(dev_server, openid, {"kind": "text", "content": "1"}),
        "验证码已发送",
    )
    assert "确认订单" in _chat(dev_server, openid, {"kind": "text", "content": code})
    assert "订单已提交" in _chat(dev_server, openid, {"kind": "text", "content": "确认订单"})
    _call(dev_server, "bridge/auto_pin", {"enabled": False})  # the PIN typed in the console
    try:
        paid = _call(dev_server, f"pay/{openid}", {})
        assert paid["amount_fen"] == 25000 and paid["notify_status"] == 204
        _answer_prompt(dev_server, PIN_PROMPT, "123456")
        done = _wait_bridge(dev_server, lambda s: any("证书更新成功" in x for x in s["statuses"]))
    finally:
        _call(dev_server, "bridge/auto_pin", {"enabled": True})
    new = done["key_certificate"]
    assert new["serial"] != old["serial"]
    assert datetime.fromisoformat(new["not_before"]) == old_expiry  # no day lost
    assert datetime.fromisoformat(new["not_after"]) == add_years(old_expiry, 1)
    expiry = f"{add_years(old_expiry, 1).astimezone(SHANGHAI):%Y-%m-%d}"
    pushed = _call(dev_server, f"chat/{openid}/messages")["messages"]
    assert any(f"证书更新成功，新证书有效期至 {expiry}" in m.get("text", "") for m in pushed)


def test_bridge_answers_and_auto_pin_through_the_api(dev_server: DevServer) -> None:
    started = _call(dev_server, "bridge/start", {})
    assert started["prompt"] is None and started["auto_pin"] is True
    assert _call_error(dev_server, "bridge/answer", {"id": 999, "answer": "1"})[0] == 409
    assert _call_error(dev_server, "bridge/answer", {"id": "x"})[0] == 400
    assert _call(dev_server, "bridge/auto_pin", {"enabled": False})["auto_pin"] is False
    assert _call(dev_server, "bridge/auto_pin", {"enabled": True})["auto_pin"] is True


def _call_error(server: DevServer, path: str, body: Any) -> tuple[int, str]:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _call(server, path, body)
    text = refused.value.read().decode()
    try:
        return refused.value.code, str(json.loads(text)["error"])
    except (ValueError, KeyError):
        return refused.value.code, text


def _waiting(ui: ConsoleUi) -> tuple[int, str]:
    deadline = time.monotonic() + 5
    while ui.pending is None:
        assert time.monotonic() < deadline, "no prompt waiting"
        time.sleep(0.01)
    return ui.pending


def test_a_bridge_prompt_waits_for_the_console_answer() -> None:
    ui = ConsoleUi()
    assert ui.ask_pin(PIN_PROMPT) == "123456"  # the plain PIN prompt: typed automatically
    answers: list[str | None] = []
    typing = threading.Thread(target=lambda: answers.append(ui.ask_pin("请输入解锁授权码")))
    typing.start()
    number, prompt = _waiting(ui)
    assert prompt == "请输入解锁授权码" and not ui.answer(number + 1, "000000")
    assert ui.answer(number, "135790")
    typing.join(5)
    assert answers == ["135790"] and ui.pending is None


def test_a_bridge_prompt_is_cancelled_by_the_console_or_by_stopping() -> None:
    ui = ConsoleUi(auto_pin=False)
    answers: list[str | None] = []
    first = threading.Thread(target=lambda: answers.append(ui.ask_pin(PIN_PROMPT)))
    first.start()
    assert ui.answer(_waiting(ui)[0], None)  # 取消
    first.join(5)
    second = threading.Thread(target=lambda: answers.append(ui.ask_pin("请设置新的 PIN 码")))
    second.start()
    _waiting(ui)
    ui.close()  # the bridge stops
    second.join(5)
    assert answers == [None, None] and ui.ask_pin("请再次输入新的 PIN 码") is None
