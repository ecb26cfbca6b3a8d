"""``/documents/{name}``: the CA's own documents that applicants read or print.

The service agreement and privacy policy (linked from the consent step) and the templates to
print, sign and stamp (企业授权书, 个人签章采样表). Operators put the files in
``<[storage] path>/documents/`` named after the document (``authorization-letter.pdf``...).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

DOCUMENTS = {
    "service-agreement": "数字认证服务协议",
    "privacy-policy": "隐私保护政策",
    "authorization-letter": "企业授权书模板",
    "seal-sample-form": "个人签章采样表",
}
TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MISSING = "《{title}》暂未提供在线版本，请联系客服获取：{phone}"


def document_url(public_url: str, name: str) -> str:
    """The link to a document, for prompts."""
    if name not in DOCUMENTS:
        raise ValueError(f"unknown document {name!r}")
    return f"{public_url.rstrip('/')}/documents/{name}"


def routes(storage_path: str, service_phone: str) -> list[web.RouteDef]:
    """The document route of the application."""
    folder = Path(storage_path) / "documents"

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        title = DOCUMENTS.get(name)
        if title is None:
            raise web.HTTPNotFound(text="没有这个文件。")
        for suffix, content_type in TYPES.items():
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return web.FileResponse(path, headers={"Content-Type": content_type})
        return web.Response(
            status=404,
            text=MISSING.format(title=title, phone=service_phone),
            content_type="text/plain",
            charset="utf-8",
        )

    return [web.get("/documents/{name}", serve)]
