"""Importing a provider's spreadsheet: a preview of what would change, then, once the
person confirms it, every row in one transaction or none.

Between the two the parsed rows wait in `ImportUpload`, owned by the person who
uploaded them and for an hour at most; confirming reads them from there (never from
what the browser posts back) and plans them again against what Tupa holds then, so a
record changed meanwhile is not overwritten unseen: the import is refused and the
person previews again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from service import clock, db, events
from service.audit.services import Actor, record
from service.auth.tables import User
from service.catalog.tables import Site
from service.errors import Conflict, NotFound
from service.i18n import gettext, translations
from service.people.services import REVIEW_INTERVAL
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    Participant,
    ParticipantStatus,
    ReachableSite,
    Strength,
)
from service.settings import LANGUAGES
from service.transfer.planning import (
    CREATE,
    REFUSE,
    UPDATE,
    Planned,
    Rules,
    holdings_of,
    normalise_windows,
    participant_problems,
    plan,
    split_list,
    week_window,
)
from service.transfer.reading import Problem, ReadResult, Row, read_rows
from service.transfer.services.export import participant_rows, template_choices
from service.transfer.sheets import SHEETS_BY_KIND, Sheet, cell
from service.transfer.tables import ImportUpload

#: The kinds that can be imported so far (the others are exported only).
IMPORTABLE = ("participants",)
UPLOAD_LIFETIME = timedelta(hours=1)

PARTICIPANT_RULES = Rules(
    lengths={
        "external_id": 64,
        "name": 120,
        "contact": 254,
        "support_person": 120,
        "support_contact": 254,
    },
    ranges={"weekly_hours": (0, 40), "max_sessions_per_day": (1, 4), "demand_tolerance": (1, 5)},
    check=participant_problems,
    prepare=normalise_windows,
)


@dataclass(frozen=True)
class Preview:
    """What an upload would do, row by row; `upload_id` confirms it."""

    kind: str
    filename: str
    upload_id: int | None = None
    errors: tuple[Problem, ...] = ()  # about the file: nothing of it can be imported
    notices: tuple[Problem, ...] = ()
    rows: tuple[Planned, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def can_confirm(self) -> bool:
        """Only a file without a refused row imports: all of it or nothing."""
        return (
            self.upload_id is not None
            and not self.errors
            and not self.counts.get(REFUSE)
            and bool(self.counts.get(CREATE) or self.counts.get(UPDATE))
        )


@dataclass(frozen=True)
class Imported:
    kind: str
    created: tuple[int, ...]
    updated: tuple[int, ...]
    unchanged: int


def importable_sheet(kind: str) -> Sheet:
    if kind not in IMPORTABLE:
        raise NotFound(gettext("This kind of record cannot be imported yet."))
    return SHEETS_BY_KIND[kind]


def every_translation(heading: str) -> list[str]:
    """A heading in every language Tupa speaks, so that a file made from a template in
    any of them reads."""
    return [translations(language).gettext(heading) for language in LANGUAGES]


async def preview_upload(actor: Actor, kind: str, filename: str, data: bytes) -> Preview:
    """Read and plan an upload; keep its rows for confirming when the file can be read."""
    sheet = importable_sheet(kind)
    read = read_rows(
        data,
        filename,
        sheet,
        headings=every_translation,
        choices=await template_choices(),
        translate=gettext,
    )
    if read.errors:
        return Preview(kind, filename, errors=read.errors, notices=read.notices)
    planned = await _plan(sheet, read.rows)
    async with db.transaction():
        await _forget_expired_uploads()
        upload = ImportUpload(
            owner=actor.user_id,
            kind=kind,
            filename=filename[:255],
            rows=[{"number": row.number, "values": _stored(row)} for row in read.rows],
            expires_at=clock.utcnow() + UPLOAD_LIFETIME,
        )
        await upload.save()
        await record(
            actor,
            "provider.import_preview",
            entity="import_upload",
            entity_id=upload.id,
            details={"kind": kind, **_counts(planned)},
        )
    return _preview(kind, filename, upload.id, read, planned)


async def read_preview(actor: Actor, upload_id: int) -> Preview:
    """The preview of an upload not yet confirmed, planned against Tupa as it is now."""
    upload = await _own_upload(actor, upload_id)
    sheet = importable_sheet(upload["kind"])
    rows = _rows_of(upload)
    planned = await _plan(sheet, rows)
    return _preview(upload["kind"], upload["filename"], upload_id, ReadResult(rows=rows), planned)


async def confirm_upload(actor: Actor, upload_id: int) -> Imported:
    """Import every row of the upload in one transaction, or none of them."""
    async with db.transaction():
        upload = await _own_upload(actor, upload_id)
        taken = await (
            ImportUpload.update({ImportUpload.confirmed_at: clock.utcnow(), ImportUpload.rows: []})
            .where(ImportUpload.id == upload_id)
            .where(ImportUpload.confirmed_at.is_null())
            .returning(ImportUpload.id)
        )
        if not taken:
            raise Conflict(gettext("This file has been imported already."))
        sheet = importable_sheet(upload["kind"])
        planned = await _plan(sheet, _rows_of(upload))
        if any(row.action == REFUSE for row in planned):
            raise Conflict(
                gettext(
                    "Some rows cannot be imported as they are now: "
                    "look at the preview again, mend the file and upload it again."
                )
            )
        created, updated = await _write_participants(actor, upload_id, planned)
        await record(
            actor,
            "provider.import",
            entity="import_upload",
            entity_id=upload_id,
            details={"kind": upload["kind"], **_counts(planned)},
        )
    return Imported(
        upload["kind"], tuple(created), tuple(updated), len(planned) - len(created) - len(updated)
    )


# --- Uploads ---------------------------------------------------------------------------


async def _own_upload(actor: Actor, upload_id: int) -> dict[str, Any]:
    """The actor's own upload, unexpired and not yet confirmed; else 404."""
    upload = (
        await ImportUpload.select()
        .where(ImportUpload.id == upload_id)
        .where(ImportUpload.owner == actor.user_id)
        .where(ImportUpload.expires_at > clock.utcnow())
        .where(ImportUpload.confirmed_at.is_null())
        .first()
    )
    if upload is None:
        raise NotFound(
            gettext("This upload has expired or been imported already: upload the file again.")
        )
    return upload


async def _forget_expired_uploads() -> None:
    """An upload holds personal data: gone once it has expired or been confirmed."""
    await ImportUpload.delete().where(
        (ImportUpload.expires_at <= clock.utcnow()) | ImportUpload.confirmed_at.is_not_null()
    )


def _stored(row: Row) -> dict[str, Any]:
    """A row's values as JSON holds them (dates and times as text, lists as lists)."""
    return {
        key: value if isinstance(value, list) else cell(value) for key, value in row.values.items()
    }


def _rows_of(upload: Mapping[str, Any]) -> tuple[Row, ...]:
    stored = upload["rows"]
    if isinstance(stored, str):  # SQLite hands JSON back as text
        stored = json.loads(stored)
    return tuple(Row(item["number"], item["values"]) for item in stored)


# --- Planning --------------------------------------------------------------------------


async def _plan(sheet: Sheet, rows: Sequence[Row]) -> list[Planned]:
    holdings = holdings_of(sheet, await participant_rows())
    return plan(sheet, rows, holdings, PARTICIPANT_RULES, gettext)


def _counts(planned: Sequence[Planned]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in planned:
        counts[row.action] = counts.get(row.action, 0) + 1
    return counts


def _preview(
    kind: str, filename: str, upload_id: int, read: ReadResult, planned: list[Planned]
) -> Preview:
    return Preview(
        kind,
        filename,
        upload_id,
        notices=read.notices,
        rows=tuple(planned),
        counts=_counts(planned),
    )


# --- Writing participants --------------------------------------------------------------

#: Row keys and the participant's columns they fill.
PARTICIPANT_FIELDS = {
    "external_id": Participant.external_id,
    "name": Participant.display_name,
    "language": Participant.preferred_language,
    "contact": Participant.contact,
    "support_person": Participant.support_person,
    "support_contact": Participant.support_contact,
    "referral_date": Participant.referral_date,
    "plan_start": Participant.plan_start,
    "plan_end": Participant.plan_end,
    "status": Participant.status,
    "weekly_hours": Participant.weekly_hours,
    "max_sessions_per_day": Participant.max_sessions_per_day,
    "demand_tolerance": Participant.demand_tolerance,
    "animal_contact_allowed": Participant.animal_contact_allowed,
}
DATE_FIELDS = ("referral_date", "plan_start", "plan_end")
TEXT_DEFAULTS = {"contact": "", "support_person": "", "support_contact": ""}


async def _write_participants(
    actor: Actor, upload_id: int, planned: Sequence[Planned]
) -> tuple[list[int], list[int]]:
    sites = {row["name"]: row["id"] for row in await Site.select(Site.id, Site.name)}
    staff = {row["email"]: row["id"] for row in await User.select(User.id, User.email)}
    today = clock.today()
    created: list[int] = []
    updated: list[int] = []
    for row in planned:
        if row.action not in (CREATE, UPDATE):
            continue
        values = row.values if row.action == CREATE else {k: row.values[k] for k in row.changed}
        columns = _participant_columns(values, staff)
        if row.action == CREATE:
            columns.setdefault(Participant.status, ParticipantStatus.waiting.value)
            columns.setdefault(Participant.preferred_language, "fi")
            for key, default in TEXT_DEFAULTS.items():
                columns[PARTICIPANT_FIELDS[key]] = columns.get(PARTICIPANT_FIELDS[key]) or default
            start = columns.get(Participant.plan_start) or today
            columns[Participant.next_review] = start + REVIEW_INTERVAL
            participant = Participant(**{column._meta.name: v for column, v in columns.items()})
            await participant.save()
            participant_id = participant.id
            created.append(participant_id)
        else:
            participant_id = row.record_id or 0
            columns[Participant.updated_at] = clock.utcnow()
            await Participant.update(columns).where(Participant.id == participant_id)
            updated.append(participant_id)
        await _write_capacity_lists(participant_id, values, sites)
        await record(
            actor,
            f"participant.{'create' if row.action == CREATE else 'update'}",
            entity="participant",
            entity_id=participant_id,
            details={"import": upload_id, "row": row.number},
        )
        await events.publish(events.ParticipantChanged(participant_id=participant_id))
    return created, updated


def _participant_columns(values: Mapping[str, Any], staff: Mapping[str, int]) -> dict[Any, Any]:
    columns: dict[Any, Any] = {}
    for key, value in values.items():
        if key in PARTICIPANT_FIELDS:
            if key in DATE_FIELDS and value is not None:
                value = date.fromisoformat(value)
            if key in TEXT_DEFAULTS and value is None:
                value = ""
            columns[PARTICIPANT_FIELDS[key]] = value
    if "contact_staff" in values:
        columns[Participant.contact_staff] = staff.get(values["contact_staff"] or "")
    for key, default in (
        ("weekly_hours", 0.0),
        ("max_sessions_per_day", 1),
        ("demand_tolerance", 3),
        ("animal_contact_allowed", True),
        ("status", ParticipantStatus.waiting.value),
        ("language", "fi"),
    ):
        if key in values and values[key] is None:
            columns[PARTICIPANT_FIELDS[key]] = default
    return columns


async def _write_capacity_lists(
    participant_id: int, values: Mapping[str, Any], sites: Mapping[str, int]
) -> None:
    """The lists a row holds, each replacing what the participant had."""
    if "available" in values:
        await AvailabilityWindow.delete().where(AvailabilityWindow.participant == participant_id)
        windows = [week_window(text) for text in split_list(values["available"])]
        if windows:
            await AvailabilityWindow.insert(
                *[
                    AvailabilityWindow(
                        participant=participant_id,
                        weekday=day - 1,
                        start=clock_time(start),
                        end=clock_time(end),
                    )
                    for day, start, end in filter(None, windows)
                ]
            )
    lists: tuple[tuple[str, Any, Callable[[str], Any]], ...] = (
        (
            "sites",
            ReachableSite,
            lambda v: ReachableSite(participant=participant_id, site=sites[v]),
        ),
        (
            "needs",
            AccessibilityNeed,
            lambda v: AccessibilityNeed(participant=participant_id, feature=v),
        ),
        ("strengths", Strength, lambda v: Strength(participant=participant_id, tag=v)),
    )
    for key, table, make in lists:
        if key not in values:
            continue
        await table.delete().where(table.participant == participant_id)
        items = split_list(values[key])
        if items:
            await table.insert(*[make(item) for item in items])


def clock_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))
