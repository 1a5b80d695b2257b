"""The audit log, for administrators."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from service import web
from service.audit.schemas import AuditEntry, AuditFilter
from service.audit.services import list_events
from service.auth.guards import permission
from service.params import QueryText

PAGE_SIZE = 50
PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000)]


class AuditPage(msgspec.Struct):
    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


@get("/admin/audit", guards=[permission("audit.read")])
async def audit_page(
    request: Request[Any, Any, Any],
    action: QueryText = "",
    actor: QueryText = "",
    entity: QueryText = "",
    entity_id: QueryText = "",
    page: PageNumber = 1,
) -> Template:
    filters = AuditFilter(
        action=action.strip(),
        actor=actor.strip(),
        entity=entity.strip(),
        entity_id=entity_id.strip(),
    )
    events, total = await list_events(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return web.page(
        request,
        "admin/audit.html",
        events=events,
        total=total,
        filters=filters,
        page_number=page,
        pages=pages,
    )


@get("/api/v1/audit", guards=[permission("audit.read")], tags=["audit"])
async def api_audit(
    action: QueryText = "",
    actor: QueryText = "",
    entity: QueryText = "",
    entity_id: QueryText = "",
    page: PageNumber = 1,
) -> AuditPage:
    filters = AuditFilter(action=action, actor=actor, entity=entity, entity_id=entity_id)
    events, total = await list_events(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return AuditPage(items=events, total=total, page=page, page_size=PAGE_SIZE)


ROUTES = [audit_page, api_audit]
