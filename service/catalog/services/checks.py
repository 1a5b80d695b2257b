"""Checks shared by the catalogue's writes, and reading one row or refusing."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from piccolo.table import Table

from service.catalog.vocabulary import ACCESSIBILITY_FEATURES
from service.errors import InvalidInput, NotFound
from service.i18n import gettext as _


def check_time_zone(name: str, field: str = "time_zone") -> None:
    """Refuse a time zone name that the zone database does not know."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(field, _("%(name)s is not a known time zone.", name=name)) from None


def check_country(code: str) -> None:
    """Refuse a country whose public holidays Tupa cannot tell."""
    if code.upper() not in holidays.list_supported_countries():
        raise InvalidInput("country", _("%(code)s is not a supported country code.", code=code))


def check_features(features: list[str]) -> list[str]:
    """The accessibility features, sorted and once each; refuse unknown ones."""
    unknown = sorted(set(features) - set(ACCESSIBILITY_FEATURES))
    if unknown:
        raise InvalidInput(
            "features",
            _(
                "Unknown features: %(names)s. Known: %(known)s.",
                names=", ".join(unknown),
                known=", ".join(ACCESSIBILITY_FEATURES),
            ),
        )
    return sorted(set(features))


async def exists(table: type[Table], row_id: int | None) -> bool:
    """Whether `table` has a row with this id (False for no id)."""
    return row_id is not None and await table.exists().where(table._meta.primary_key == row_id)


async def get_row(table: type[Table], row_id: int, message: str) -> dict[str, Any]:
    """The row with this id, or NotFound with `message`."""
    row = await table.select().where(table._meta.primary_key == row_id).first()
    if row is None:
        raise NotFound(message)
    return row
