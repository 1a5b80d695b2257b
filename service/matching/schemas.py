"""The matching area's structs: a run asked for, a run, its proposals and waitlist, a
participant's own places, and the review's changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from service.bounds import Input, RowId
from service.matching.tables import Change, RunMode, RunStatus


class RunIn(Input):
    first_day: date
    last_day: date | None = None
    replan_for: RowId | None = None


class PartOut(msgspec.Struct):
    """One independent part of a run's problem (see `matching.decompose`): its size, how
    its search ended, and whether the first come, first served plan was kept for it
    because the search had found nothing better by its time limit."""

    index: int
    people: int
    slots: int
    pairs: int
    status: str
    objective: float
    gap: float | None
    seconds: float
    greedy_kept: bool = False


class RunOut(msgspec.Struct):
    id: int
    first_day: date
    last_day: date
    mode: RunMode
    replan_for: int | None
    status: RunStatus
    stage: str
    progress: int
    solver_status: str
    objective: float
    bound: float | None
    gap: float | None
    seconds: float
    greedy_share: float | None
    participants: int
    slots: int
    warnings: list[str]
    error: str
    error_text: str
    created_at: datetime
    published_at: datetime | None
    started_at: datetime | None = None
    last_sign_of_life: datetime | None = None
    stop_requested: bool = False
    parts: list[PartOut] = []


class ProposalOut(msgspec.Struct):
    id: int
    participant_id: int
    participant_name: str
    slot_id: int
    slot_label: str
    site_name: str
    weekday: int
    change: Change
    moved: bool
    accepted: bool
    pinned: bool
    source: str
    reason: dict[str, Any]
    reason_text: list[str]


class UnplacedOut(msgspec.Struct):
    participant_id: int
    participant_name: str
    referral_date: date | None
    blockers: list[dict[str, Any]]
    reason_text: list[str]
    explained: bool = True


class RunDetail(msgspec.Struct):
    run: RunOut
    proposals: list[ProposalOut]
    unplaced: list[UnplacedOut]


class MyPlace(msgspec.Struct):
    """One of the participant's weekly places, with why it was chosen, in simple words."""

    title: str
    weekday: int
    start: str
    end: str
    site_name: str
    reasons: list[str]


# --- the review's changes ---------------------------------------------------------


class ProposalChange(Input):
    accepted: bool | None = None
    pinned: bool | None = None


class ProposalAdd(Input):
    participant_id: RowId
    slot_id: RowId


class AllIn(Input):
    accepted: bool


class Published(msgspec.Struct):
    run_id: int
    created: int
    ended: int
    pinned: int
    counts: PublishCounts | None = None


class PublishCounts(msgspec.Struct):
    """What publishing the reviewed plan changes, counted once (`review.publish_counts`)
    for the confirmation and again for the message after publishing.

    `new`: accepted new places of people who keep all they had; `moved`: accepted new
    places of people who also give one up; `ending`: places given up by people who gain
    none; `without_place`: people in the run who would hold no place afterwards."""

    new: int = 0
    moved: int = 0
    ending: int = 0
    without_place: int = 0


class SlotFill(msgspec.Struct):
    """A weekly slot in the review by slot: its places and how many hold one there
    before publishing and after (as the review stands)."""

    slot_id: int
    min_participants: int
    max_participants: int
    before: int
    after: int


class Loss(msgspec.Struct):
    """Someone the proposal would take a place from, flagged at the top of the review:
    the places that would end, whether any ending is accepted, and whether they would
    have no place left under the whole proposal."""

    participant_id: int
    name: str
    ending: list[str]
    accepted: bool
    ends_with_none: bool
