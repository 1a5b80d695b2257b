"""Matching runs and the proposals they leave for a coordinator to review."""

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.people.tables import Participant
from service.placements.tables import Placement
from service.schedule.tables import WeeklySlot
from service.tables import Identified


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    published = "published"
    discarded = "discarded"


class RunMode(StrEnum):
    full = "full"
    replan = "replan"


class Change(StrEnum):
    new = "new"
    kept = "kept"
    removed = "removed"


class MatchingRun(Identified, Table, tablename="matching_run"):
    """One run of the optimiser for the weeks from `first_day` to `last_day`."""

    first_day = Date()
    last_day = Date()
    mode = Varchar(length=12, choices=RunMode, default=RunMode.full)
    replan_for = ForeignKey(references=Participant, on_delete=OnDelete.set_null, null=True)
    status = Varchar(length=12, choices=RunStatus, default=RunStatus.queued, index=True)
    stage = Varchar(length=24, default="queued")
    time_limit = DoublePrecision(default=30.0)
    # The run's life: when its clock started, the last sign of life of the worker doing
    # it, which attempt that worker holds (a later attempt takes the run over), and a
    # coordinator's request to stop and keep the best plan so far.
    started_at = Timestamptz(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)
    attempt = Integer(default=0)
    stop_requested_at = Timestamptz(null=True, default=None)
    solving_since = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    solver_status = Varchar(length=20, default="")
    objective = DoublePrecision(default=0.0)
    bound = DoublePrecision(default=0.0)
    gap = DoublePrecision(default=0.0)
    seconds = DoublePrecision(default=0.0)
    greedy_objective = DoublePrecision(default=0.0)
    participants = Integer(default=0)
    slots = Integer(default=0)
    warnings = Text(default="[]")
    # One entry per independent part of the problem (see matching.decompose), as JSON.
    parts = Text(default="[]")
    error = Text(default="")
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
    published_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class MatchingProposal(Identified, Table, tablename="matching_proposal"):
    """A placement the run proposes (new), keeps, or would end (removed). `reason` is the
    explanation as JSON codes; pages put it into words. `source` is manual for what a
    coordinator added while reviewing."""

    run = ForeignKey(references=MatchingRun, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    slot = ForeignKey(references=WeeklySlot, on_delete=OnDelete.cascade)
    change = Varchar(length=10, choices=Change)
    placement = ForeignKey(references=Placement, on_delete=OnDelete.set_null, null=True)
    accepted = Boolean(default=True)
    pinned = Boolean(default=False)
    source = Varchar(length=12, default="matcher")
    reason = Text(default="{}")


class MatchingUnplaced(Identified, Table, tablename="matching_unplaced"):
    """Someone the run could not place, with the rules that blocked them (JSON).
    `explained` is false when the run's time ran out before the reasons were worked out."""

    run = ForeignKey(references=MatchingRun, on_delete=OnDelete.cascade, index=True)
    participant = ForeignKey(references=Participant, on_delete=OnDelete.cascade, index=True)
    blockers = Text(default="[]")
    explained = Boolean(default=True)


class MatchingPart(Identified, Table, tablename="matching_part"):
    """One independent part of a run's problem (see `matching.decompose`), solved as a
    job of its own by whichever worker takes it up. `problem` is the part's problem as
    JSON; `result` its plan as JSON, empty until it is solved. `attempt` is the run's
    attempt that made it: a later attempt makes its parts afresh."""

    run = ForeignKey(references=MatchingRun, on_delete=OnDelete.cascade, index=True)
    attempt = Integer(default=0)
    position = Integer(default=0)
    pairs = Integer(default=0)
    problem = Text(default="")
    result = Text(default="")
