"""The full export: a workbook for people, JSON for programs. Administrators only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response, Template

from service import clock
from service.auth.guards import permission
from service.errors import NotFound
from service.i18n import gettext
from service.params import PathText
from service.transfer.services import export_everything, template_choices
from service.transfer.sheets import SHEETS, SHEETS_BY_KIND
from service.transfer.workbook import template_bytes, workbook_bytes
from service.web import actor_of

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


ROUTES = [api_export, export_workbook, templates_page, template_workbook]
