"""The full export: a workbook for people, JSON for programs. Administrators only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_200_OK

from service import clock
from service.auth.guards import permission
from service.errors import NotFound
from service.i18n import gettext, ngettext
from service.params import PathId, PathText
from service.transfer.reading import LIMITS
from service.transfer.services import (
    IMPORTABLE,
    Preview,
    confirm_upload,
    export_everything,
    preview_upload,
    read_preview,
    template_choices,
)
from service.transfer.sheets import SHEETS, SHEETS_BY_KIND
from service.transfer.workbook import template_bytes, workbook_bytes
from service.web import actor_of, page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@get("/api/v1/export", guards=[permission("provider.export")], tags=["export"])
async def api_export(request: Request[Any, Any, Any]) -> dict[str, list[dict[str, Any]]]:
    """Everything the provider holds in Tupa, a list of records per kind (the columns of
    the import templates). Erased participants and secrets are left out; audited."""
    return await export_everything(actor_of(request))


@get(
    "/admin/export.xlsx",
    guards=[permission("provider.export")],
    include_in_schema=False,
)
async def export_workbook(request: Request[Any, Any, Any]) -> Response[bytes]:
    records = await export_everything(actor_of(request))
    name = f"tupa-export-{clock.today().isoformat()}.xlsx"
    return Response(
        workbook_bytes(records, gettext),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@get("/admin/templates", guards=[permission("provider.import")])
async def templates_page() -> Template:
    """Spreadsheet templates, one per kind of record, to prepare a provider's data."""
    return Template("admin/templates.html", context={"sheets": SHEETS})


@get(
    "/admin/templates/{name:str}",
    guards=[permission("provider.import")],
    include_in_schema=False,
)
async def template_workbook(name: PathText) -> Response[bytes]:
    kind = name.removesuffix(".xlsx")
    sheet = SHEETS_BY_KIND.get(kind)
    if sheet is None or not name.endswith(".xlsx"):
        raise NotFound(gettext("There is no such template."))
    return Response(
        template_bytes(sheet, await template_choices(), gettext),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="tupa-{kind}.xlsx"'},
    )


#: What an upload's request may hold: the largest file the reader takes and the form
#: around it. A larger one is refused (413) before it is read.
UPLOAD_BODY_BYTES = LIMITS.max_bytes + 64 * 1024


@get("/admin/imports", guards=[permission("provider.import")])
async def imports_page(request: Request[Any, Any, Any]) -> Template:
    """Bring records in from a spreadsheet: choose the kind and the file."""
    return page(request, "admin/imports.html", sheets=_importable_sheets(), errors={})


@post(
    "/admin/imports",
    guards=[permission("provider.import")],
    status_code=HTTP_200_OK,
    request_max_body_size=UPLOAD_BODY_BYTES,
)
async def upload_submit(request: Request[Any, Any, Any]) -> Template:
    """Read the uploaded file and show what importing it would do; nothing is written
    to the records yet."""
    form = await request.form()
    kind, upload = form.get("kind"), form.get("file")
    if kind not in IMPORTABLE:
        return _upload_refused(request, "kind", gettext("Choose what the file holds."))
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_refused(request, "file", gettext("Choose a file to upload."))
    data = await upload.read()
    preview = await preview_upload(actor_of(request), str(kind), upload.filename, data)
    return _preview_page(request, preview, 422 if preview.errors else 200)


def _preview_page(request: Request[Any, Any, Any], preview: Preview, status: int = 200) -> Template:
    headings = {c.key: gettext(c.heading) for c in SHEETS_BY_KIND[preview.kind].columns}
    return page(
        request,
        "admin/import_preview.html",
        status_code=status,
        preview=preview,
        headings=headings,
        kind_title=gettext(SHEETS_BY_KIND[preview.kind].title),
    )


def _upload_refused(request: Request[Any, Any, Any], field: str, message: str) -> Template:
    return page(
        request,
        "admin/imports.html",
        status_code=422,
        sheets=_importable_sheets(),
        errors={field: message},
    )


def _importable_sheets() -> list[Any]:
    return [SHEETS_BY_KIND[kind] for kind in IMPORTABLE]


@get("/admin/imports/{upload_id:int}", guards=[permission("provider.import")])
async def preview_page(request: Request[Any, Any, Any], upload_id: PathId) -> Template:
    return _preview_page(request, await read_preview(actor_of(request), upload_id))


@post(
    "/admin/imports/{upload_id:int}/confirm",
    guards=[permission("provider.import")],
    status_code=HTTP_200_OK,
)
async def confirm_submit(request: Request[Any, Any, Any], upload_id: PathId) -> Redirect:
    """Import the upload as its preview showed it, all rows or none."""
    done = await confirm_upload(actor_of(request), upload_id)
    flash(
        request,
        ngettext(
            "Imported: %(num)s new record, %(updated)s updated, %(unchanged)s unchanged.",
            "Imported: %(num)s new records, %(updated)s updated, %(unchanged)s unchanged.",
            len(done.created),
            updated=len(done.updated),
            unchanged=done.unchanged,
        ),
        category="info",
    )
    return Redirect("/admin/imports")


ROUTES = [
    api_export,
    export_workbook,
    templates_page,
    template_workbook,
    imports_page,
    upload_submit,
    preview_page,
    confirm_submit,
]
