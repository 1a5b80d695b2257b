"""Attendance: every mark a tablet sent (none is ever overwritten, so they are also
the history of who marked what), and the follow-up items that absences create."""

from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from service.attendance.rules import MarkStatus
from service.auth.tables import User
from service.people.tables import Participant
from service.schedule.tables import Session
from service.tables import Identified


class AttendanceMark(Identified, Table, tablename="attendance_mark"):
    """One mark as a tablet made it. `client_uuid` is made on the tablet and unique
    here, so that a mark sent twice is stored once; `marked_at` is when it was made as
    the server trusts it (`rules.trusted_time`, from the tablet's clock, bounded by the
    session's day and `received_at`), and the later one wins when two tablets mark the
    same person."""

    client_uuid = Varchar(length=36, unique=True)
    session = ForeignKey(references=Session, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=20, choices=MarkStatus)
    arrived_at = Timestamptz(null=True, default=None)
    left_at = Timestamptz(null=True, default=None)
    note = Varchar(length=300, default="")
    marked_at = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())
    marked_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    device = Varchar(length=64, default="")


class FollowUp(Identified, Table, tablename="follow_up"):
    """Something for a participant's contact staff member to follow up: for now, two
    absences in a row without notice. One per participant and triggering session."""

    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    session = ForeignKey(references=Session, on_delete=OnDelete.cascade)
    staff = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=True)
    reason = Varchar(length=40, default="absences_without_notice")
    created_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)
    done_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    follow_up_key = Unique([participant, session])
