"""Participants and their individual plans: records, capacity, goals in their own
words, reviews, interests; who may see them; export and erasure. Every view and every
change is written to the audit log, without the personal data itself.

One module per part: `visibility` (who sees whom), `records`, `capacity`, `goals`
(goals and reviews), `interests` (interests and strengths) and `data_protection`.
"""

from service.people.services._shared import REVIEW_INTERVAL
from service.people.services.capacity import get_capacity, save_capacity
from service.people.services.data_protection import ERASED_NAME, erase, export
from service.people.services.day_needs import day_needs_of, get_day_needs, save_day_needs
from service.people.services.goals import (
    add_review,
    due_reviews,
    list_goals,
    list_reviews,
    save_goal,
)
from service.people.services.interests import get_interests, save_interests
from service.people.services.journeys import end_plan, save_reporting
from service.people.services.records import (
    MAX_PAGE,
    get_participant,
    link_account,
    list_participants,
    own_participant_id,
    page_participants,
    save_participant,
)
from service.people.services.visibility import visible_row

__all__ = [
    "ERASED_NAME",
    "MAX_PAGE",
    "REVIEW_INTERVAL",
    "add_review",
    "day_needs_of",
    "due_reviews",
    "end_plan",
    "erase",
    "export",
    "get_capacity",
    "get_day_needs",
    "get_interests",
    "get_participant",
    "link_account",
    "list_goals",
    "list_participants",
    "list_reviews",
    "own_participant_id",
    "page_participants",
    "save_capacity",
    "save_day_needs",
    "save_goal",
    "save_interests",
    "save_participant",
    "save_reporting",
    "visible_row",
]
