"""What publishing a reviewed plan changes, counted once for the confirmation and the
message after it: new places, moves, endings and people left without a place."""

from __future__ import annotations

from service.matching.review import losses, publish_counts, slot_fills
from service.matching.schemas import ProposalOut, PublishCounts
from service.matching.tables import Change


def row(participant: int, slot: int, change: str, accepted: bool = True) -> dict:
    return {"participant": participant, "slot": slot, "change": change, "accepted": accepted}


def proposal(participant: int, slot: int, change: str, accepted: bool = True) -> ProposalOut:
    return ProposalOut(
        id=participant * 100 + slot,
        participant_id=participant,
        participant_name=f"Person {participant}",
        slot_id=slot,
        slot_label=f"Slot {slot}",
        site_name="Pajatalo",
        weekday=0,
        change=Change(change),
        moved=False,
        accepted=accepted,
        pinned=False,
        source="matcher",
        reason={},
        reason_text=[],
    )


def test_new_moved_ending_and_without_a_place_are_counted_apart():
    rows = [
        row(1, 10, "new"),  # a new place for someone who keeps what they had
        row(1, 11, "kept"),
        row(2, 12, "new"),  # a move: gains one, gives one up
        row(2, 13, "removed"),
        row(3, 14, "removed"),  # an ending: gives up their only place
        row(4, 15, "kept", accepted=False),  # a kept place set aside ends too
        row(4, 16, "kept"),
    ]
    assert publish_counts(rows, unplaced=[5]) == PublishCounts(
        new=1, moved=1, ending=2, without_place=2
    )


def test_what_is_not_accepted_changes_nothing():
    rows = [
        row(1, 10, "new", accepted=False),
        row(2, 12, "new", accepted=False),
        row(2, 13, "removed", accepted=False),
    ]
    assert publish_counts(rows, unplaced=[]) == PublishCounts(
        new=0, moved=0, ending=0, without_place=1
    )


def test_fill_before_and_after_publishing():
    rows = [
        row(1, 10, "kept"),
        row(2, 10, "removed"),
        row(3, 10, "new"),
        row(4, 10, "new", accepted=False),
        row(5, 11, "removed", accepted=False),
    ]
    assert slot_fills(rows) == {10: (2, 2), 11: (1, 1)}


def test_losses_are_flagged_with_those_left_with_nothing_first():
    flagged = losses(
        [
            proposal(1, 10, "new"),
            proposal(1, 11, "removed"),
            proposal(2, 12, "removed", accepted=False),
            proposal(3, 13, "kept"),
        ]
    )
    assert [(f.name, f.ending, f.accepted, f.ends_with_none) for f in flagged] == [
        ("Person 2", ["Slot 12"], False, True),
        ("Person 1", ["Slot 11"], True, False),
    ]


def test_a_kept_place_set_aside_is_flagged_as_an_ending():
    flagged = losses([proposal(1, 10, "kept", accepted=False), proposal(1, 11, "kept")])
    assert [(f.ending, f.accepted, f.ends_with_none) for f in flagged] == [
        (["Slot 10"], True, False)
    ]
