"""The audit log's structs: who acts, one entry of the log, and the log's filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from service.auth.schemas import CurrentUser


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a signed-in user on a device, or Tupa itself."""

    user: CurrentUser | None
    ip: str = ""
    user_agent: str = ""
    label_override: str = ""

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def label(self) -> str:
        if self.label_override:
            return self.label_override
        return self.user.email if self.user else "anonymous"

    @classmethod
    def system(cls, label: str) -> Actor:
        """Tupa itself: a job, the command line or the demo loader."""
        return cls(user=None, label_override=label)


class AuditEntry(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: str
    ip: str
    user_agent: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    entity: str = ""
    entity_id: str = ""
