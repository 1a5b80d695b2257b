"""What the attendance services share: a refusal of one mark, and a stored mark as
the pure rules see it."""

from __future__ import annotations

from typing import Any

from service.attendance import rules
from service.attendance.rules import MarkStatus


class Refused(Exception):
    """One mark refused: its HTTP status, the field at fault and why."""

    def __init__(self, status: int, field: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.field, self.detail = status, field, detail


def mark_fact(row: dict[str, Any]) -> rules.Mark:
    """A stored mark's row as the rules take it."""
    return rules.Mark(
        mark_id=row["id"],
        participant_id=row["participant"],
        status=MarkStatus(row["status"]),
        marked_at=row["marked_at"],
        received_at=row["received_at"],
    )
