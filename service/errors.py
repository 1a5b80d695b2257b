"""Domain errors raised by services; the web layer turns them into responses."""

from __future__ import annotations

from datetime import date

from service.bounds import day_out_of_range
from service.i18n import gettext as _


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    """Input that parses but makes no sense; 422 naming the field."""

    status_code = 422

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class RuleBroken(Conflict):
    """A change that would break hard rules: 409 naming each rule (code and words)."""

    def __init__(self, detail: str, rules: list[tuple[str, str]]) -> None:
        super().__init__(detail)
        self.rules = rules


class ConcurrentChange(Conflict):
    """Two writers raced for the same thing and the database refused the second (a
    unique or foreign key constraint): a 409 like any conflict, never a 500. Services
    that answer a repeat like the first time catch it; `constraint` names what refused."""

    def __init__(self, constraint: str = "") -> None:
        super().__init__(
            _("Someone else changed the same thing at the same moment; reload and try again.")
        )
        self.constraint = constraint


def checked_days(**days: date | None) -> None:
    """Refuse (422 naming the field) a date given outside the dates Tupa accepts, where
    no `Input` struct checks it: a query parameter, or a date a page parses itself."""
    for name, value in days.items():
        if value is not None and (why := day_out_of_range(value)):
            raise InvalidInput(name, why)
