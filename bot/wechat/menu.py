"""The official account's custom menu: the five services as click buttons.

``certdesk menu sync`` publishes it; ``[wechat] menu_file`` may name a JSON file with a menu
of the same shape (WeChat's ``menu/create`` body) to publish instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.config import ConfigError

DEFAULT_MENU: dict[str, Any] = {
    "button": [
        {"name": "新办证书", "sub_button": [
            {"type": "click", "name": "单位证书新办", "key": "org"},
            {"type": "click", "name": "个人证书新办", "key": "personal"},
        ]},
        {"name": "证书服务", "sub_button": [
            {"type": "click", "name": "证书更新", "key": "renew"},
            {"type": "click", "name": "证书解锁", "key": "unlock"},
        ]},
        {"type": "click", "name": "订单查询", "key": "query"},
    ]
}  # fmt: skip


def load_menu(menu_file: str) -> dict[str, Any]:
    """The menu to publish: the file's, or the default one."""
    if not menu_file:
        return DEFAULT_MENU
    try:
        menu = json.loads(Path(menu_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"wechat.menu_file: cannot read {menu_file} ({exc})") from exc
    if not isinstance(menu, dict) or not isinstance(menu.get("button"), list):
        raise ConfigError(f"wechat.menu_file: {menu_file} has no 'button' list")
    return menu
