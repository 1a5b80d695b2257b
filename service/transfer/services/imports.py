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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from service import clock, db
from service.audit.services import Actor, record
from service.errors import Conflict, NotFound
from service.i18n import gettext, translations
from service.settings import LANGUAGES
from service.transfer.planning import CREATE, REFUSE, UPDATE, Holdings, Planned, Rules, plan
from service.transfer.reading import Problem, ReadResult, Row, read_rows
from service.transfer.services import activities, goals, participants, partners, sites
from service.transfer.services.export import template_choices
from service.transfer.sheets import SHEETS_BY_KIND, Sheet, cell
from service.transfer.tables import ImportUpload

UPLOAD_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class Importer:
    """How one kind is imported: what Tupa holds of it, what a row must satisfy, and
    how the planned rows are written (returning the ids created and updated)."""

    holdings: Callable[[], Awaitable[Holdings]]
    rules: Callable[[], Awaitable[Rules]]
    write: Callable[[Actor, int, Sequence[Planned]], Awaitable[tuple[list[int], list[int]]]]


IMPORTERS: dict[str, Importer] = {
    "partners": Importer(partners.holdings, partners.rules, partners.write),
    "sites": Importer(sites.holdings, sites.rules, sites.write),
    "participants": Importer(participants.holdings, participants.rules, participants.write),
    "goals": Importer(goals.holdings, goals.rules, goals.write),
    "activities": Importer(activities.holdings, activities.rules, activities.write),
}
#: The kinds that can be imported so far (the others are exported only).
IMPORTABLE = tuple(IMPORTERS)


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
            rows=[_stored(row) for row in read.rows],
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
        created, updated = await IMPORTERS[sheet.kind].write(actor, upload_id, planned)
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
    """A row as JSON holds it: its values (dates and times as text, lists as lists), or
    why it was refused, so that a refused row stays refused on confirming."""
    values = {
        key: value if isinstance(value, list) else cell(value) for key, value in row.values.items()
    }
    problems = [[problem.column, problem.reason] for problem in row.errors]
    return {"number": row.number, "values": values, "problems": problems}


def _rows_of(upload: Mapping[str, Any]) -> tuple[Row, ...]:
    stored = upload["rows"]
    if isinstance(stored, str):  # SQLite hands JSON back as text
        stored = json.loads(stored)
    return tuple(
        Row(
            item["number"],
            item["values"],
            tuple(Problem(item["number"], column, reason) for column, reason in item["problems"]),
        )
        for item in stored
    )


# --- Planning --------------------------------------------------------------------------


async def _plan(sheet: Sheet, rows: Sequence[Row]) -> list[Planned]:
    importer = IMPORTERS[sheet.kind]
    return plan(sheet, rows, await importer.holdings(), await importer.rules(), gettext)


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
