"""The audit log: who did what to which record, when and from where."""

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.tables import Identified


class AuditEvent(Identified, Table, tablename="audit_event"):
    """One event. `subject_table` and `subject_id` name the person the event is about
    (a participant or a user account), so that erasure finds that person's events by
    reference, never by searching their text."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=80, index=True)
    entity = Varchar(length=60, default="")
    entity_id = Varchar(length=64, default="", index=True)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=200, default="")
    details = JSON(default="{}")
    subject_table = Varchar(length=40, default="")
    subject_id = Integer(null=True, default=None, index=True)
