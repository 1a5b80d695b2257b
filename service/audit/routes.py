"""The audit log, for administrators."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from service.audit.services import AuditEntry, AuditFilter, list_events
from service.auth.guards import admin_only
from service.web import page

PAGE_SIZE = 50


class AuditPage(msgspec.Struct):
    items: list[AuditEntry]
    total: int
    page: int
    page_size: int


@get("/admin/audit", guards=[admin_only])
async def audit_page(
    request: Request[Any, Any, Any],
    action: str = "",
    actor: str = "",
    entity: str = "",
    entity_id: str = "",
    page_number: Annotated[int, Parameter(query="page", ge=1, le=100_000)] = 1,
) -> Template:
    filters = AuditFilter(
        action=action.strip(),
        actor=actor.strip(),
        entity=entity.strip(),
        entity_id=entity_id.strip(),
    )
    events, total = await list_events(
        filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    return page(
        request,
        "admin/audit.html",
        events=events,
        total=total,
        filters=filters,
        page_number=page_number,
        pages=pages,
    )


@get("/api/v1/audit", guards=[admin_only], tags=["audit"])
async def api_audit(
    action: str = "",
    actor: str = "",
    entity: str = "",
    entity_id: str = "",
    page_number: Annotated[int, Parameter(query="page", ge=1, le=100_000)] = 1,
) -> AuditPage:
    filters = AuditFilter(action=action, actor=actor, entity=entity, entity_id=entity_id)
    events, total = await list_events(
        filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    return AuditPage(items=events, total=total, page=page_number, page_size=PAGE_SIZE)


ROUTES = [audit_page, api_audit]
