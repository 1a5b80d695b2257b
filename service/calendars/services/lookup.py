"""Finding a feed by its token: the live feed with this secret and its scope's
versions, in one query."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.calendars.schemas import FeedRef
from service.calendars.services.tokens import ALL, token_hash
from service.calendars.tables import FeedKind, FeedToken


async def resolve(token: str) -> FeedRef | None:
    """The live feed with this secret, with its scope's versions: one query, asked on
    every request before any cached rendering is served. A feed is live while it is
    not revoked (rotation revokes the old secret) and its owner is there: a
    participant's or support person's feed stops the moment the participant is
    erased, a staff feed the moment its owner is deactivated or deleted, whatever the
    cache holds and whether or not the refresh job has run."""
    if not 20 <= len(token) <= 64:
        return None
    rows = await FeedToken.raw(
        "SELECT t.id, t.kind, t.owner_id, t.language, t.created_at, "
        "v.version AS version, v.changed_at AS changed_at, "
        "a.version AS all_version, a.changed_at AS all_changed_at "
        "FROM feed_token t "
        "LEFT JOIN feed_version v ON v.scope = t.scope "
        "LEFT JOIN feed_version a ON a.scope = {} "
        "LEFT JOIN participant p ON p.id = t.owner_id AND t.kind IN ({}, {}) "
        "LEFT JOIN user_account u ON u.id = t.owner_id AND t.kind = {} "
        "WHERE t.token_hash = {} AND t.revoked_at IS NULL "
        "AND (t.kind NOT IN ({}, {}) OR (p.id IS NOT NULL AND p.erased_at IS NULL)) "
        "AND (t.kind <> {} OR (u.id IS NOT NULL AND u.is_active = {}))",
        ALL,
        FeedKind.participant.value,
        FeedKind.support.value,
        FeedKind.staff.value,
        token_hash(token),
        FeedKind.participant.value,
        FeedKind.support.value,
        FeedKind.staff.value,
        True,
    )
    if not rows:
        return None
    row = rows[0]
    return FeedRef(
        id=row["id"],
        kind=FeedKind(row["kind"]),
        owner_id=row["owner_id"],
        language=row["language"],
        created_at=_aware(row["created_at"]),
        version=row["version"] or 0,
        changed_at=_aware(row["changed_at"]),
        all_version=row["all_version"] or 0,
        all_changed_at=_aware(row["all_changed_at"]),
    )


def _aware(value: Any) -> Any:
    """Raw queries on SQLite may give text or naive times; make them aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
