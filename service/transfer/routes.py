"""The full export: a workbook for people, JSON for programs. Administrators only."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Response

from service import clock
from service.auth.guards import permission
from service.i18n import gettext
from service.transfer.services import export_everything
from service.transfer.workbook import workbook_bytes
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


ROUTES = [api_export, export_workbook]
