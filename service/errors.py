"""Domain errors raised by services; the web layer turns them into responses."""

from __future__ import annotations


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
