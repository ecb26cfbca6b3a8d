"""Reading stored material files: by the applicant through signed, expiring links
(``/files/{token}``), by reviewers through the console (``bot.admin.review_views``).

A link names one material of one order and which file (the normalised photo, or the kept
original); it is signed with the lookup key for the purpose "material" (``bot.signed_links``)
and expires after ``LINK_MINUTES``. A forged, expired or mismatched link, a material gone or
a file missing answers 404 without saying which. Files are sent uncached and never sniffed.
"""

from __future__ import annotations

from typing import Literal

from aiohttp import web

from bot import signed_links
from bot.services import Services
from bot.storage import FileStore, StorageError
from models.materials import Material

PURPOSE = "material"
PATH = "/files"
LINK_MINUTES = 30
FileVariant = Literal["photo", "original"]
NO_STORE = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
}


def material_url(
    services: Services, material: Material, order_no: str, variant: FileVariant = "photo"
) -> str:
    """The signed link to one file of ``material`` (of the order ``order_no``)."""
    payload = {"m": material.id, "o": order_no, "v": variant}
    return signed_links.link_url(
        services.settings.server.public_url,
        PATH,
        services.lookup_key,
        PURPOSE,
        payload,
        LINK_MINUTES,
    )


def stored_key(material: Material, variant: str) -> tuple[str, str] | None:
    """The storage key and content type of one file of ``material``; None if it has none."""
    if variant == "photo":
        return material.path, material.content_type
    if variant == "original" and material.original_path:
        return material.original_path, material.original_content_type
    return None


async def file_response(files: FileStore, key: str, content_type: str) -> web.StreamResponse:
    """The stored file as an uncached response (404 when the store has no such file)."""
    path = files.local_path(key)
    if path is not None:
        return web.FileResponse(path, headers={"Content-Type": content_type, **NO_STORE})
    try:
        data = await files.read(key)
    except StorageError as exc:
        raise web.HTTPNotFound() from exc
    return web.Response(body=data, headers={"Content-Type": content_type, **NO_STORE})


class FileLinks:
    """Serves ``/files/{token}``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def routes(self) -> list[web.RouteDef]:
        """The route to add to the application."""
        return [web.get(PATH + "/{token}", self.serve)]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The file a valid link grants; 404 for anything else."""
        grant = signed_links.read_token(
            self.services.lookup_key, PURPOSE, request.match_info["token"]
        )
        payload = grant.payload if grant is not None else {}
        material_id, order_no = payload.get("m"), payload.get("o")
        if not isinstance(material_id, int) or not isinstance(order_no, str):
            raise web.HTTPNotFound()
        material = await Material.get_or_none(id=material_id, order__order_no=order_no)
        found = stored_key(material, str(payload.get("v"))) if material is not None else None
        if found is None:
            raise web.HTTPNotFound()
        return await file_response(self.services.files, *found)
