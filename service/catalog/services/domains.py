"""Goal domains: the vocabulary that goals and activities share."""

from __future__ import annotations

from service.audit.services import Actor, record
from service.catalog.schemas import GoalDomainIn, GoalDomainOut
from service.catalog.tables import GoalDomain
from service.catalog.vocabulary import default_domains
from service.db import transaction


async def ensure_default_domains() -> None:
    """The country pack's default vocabulary, for a database that lost it or a provider
    in another country (the migration seeds the Finnish one)."""
    for key, label in default_domains().items():
        await GoalDomain.insert(GoalDomain(key=key, label=label)).on_conflict(
            target=GoalDomain.key, action="DO NOTHING"
        )


async def list_domains(*, active_only: bool = False) -> list[GoalDomainOut]:
    query = GoalDomain.select().order_by(GoalDomain.id)
    if active_only:
        query = query.where(GoalDomain.is_active == True)  # noqa: E712
    return [
        GoalDomainOut(id=r["id"], key=r["key"], label=r["label"], is_active=r["is_active"])
        for r in await query
    ]


async def save_domain(actor: Actor, data: GoalDomainIn) -> GoalDomainOut:
    """Create a domain, or relabel or (de)activate the one with this key."""
    async with transaction():
        # One statement (an upsert), so that two saves of a new key at once both succeed.
        await GoalDomain.insert(
            GoalDomain(key=data.key, label=data.label.strip(), is_active=data.is_active)
        ).on_conflict(
            target=GoalDomain.key,
            action="DO UPDATE",
            values=[GoalDomain.label, GoalDomain.is_active],
        )
        await record(
            actor,
            "goal_domain.save",
            entity="goal_domain",
            entity_id=data.key,
            details={"label": data.label, "is_active": data.is_active},
        )
    row = await GoalDomain.select().where(GoalDomain.key == data.key).first()
    assert row is not None
    return GoalDomainOut(
        id=row["id"], key=row["key"], label=row["label"], is_active=row["is_active"]
    )
