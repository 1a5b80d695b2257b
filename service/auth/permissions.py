"""Who may do what: every permission in Tupa, named once.

A permission is a small predicate over the signed-in user and, where it matters, the
object in question (for example the staff member a feed or follow-up item belongs to).
Route guards (`service.auth.guards.permission`), services and templates (the Jinja
global `may`) all ask the same question: `may(user, "participant.edit", obj)`.
Nobody signed in may do nothing but what is `PUBLIC`.

A permission that gives access to other people's personal data says so
(`audits_reads=True`): every successful read (GET) of a route it guards is written to
the audit log (`service.audit.reads`), and `tests/unit/test_read_audit.py` walks the
route table so that a route showing personal data cannot lack that audit.
Notes about participants (absence notes, attendance notes, review notes, support
persons) are read under one rule, `notes.read`, through `note_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.auth.schemas import CurrentUser
from service.auth.tables import Role

Predicate = Callable[[CurrentUser, Any], bool]

#: The marker of a route that anyone may open, signed in or not.
PUBLIC = "public"

A, C, S, P, T = Role.admin, Role.coordinator, Role.staff, Role.partner, Role.participant


def has_role(*allowed: Role) -> Predicate:
    """Users with one of these roles, whatever the object."""
    roles = frozenset(allowed)

    def check(user: CurrentUser, _obj: Any = None) -> bool:
        return user.role in roles

    return check


def anyone_signed_in(_user: CurrentUser, _obj: Any = None) -> bool:
    return True


def planners_or_the_staff_member(user: CurrentUser, staff_id: Any = None) -> bool:
    """Coordinators and administrators for anyone; a staff member for what is theirs
    (the object is the staff member's user id). Without an object: any of the three."""
    if user.role in (A, C):
        return True
    return user.role == S and (staff_id is None or staff_id == user.id)


def staff_or_the_participant(user: CurrentUser, owner_user_id: Any = None) -> bool:
    """Administrators, coordinators and staff; a participant for what is about
    themself (the object is the account of the participant the data is about)."""
    if user.role in (A, C, S):
        return True
    return user.role == T and owner_user_id is not None and owner_user_id == user.id


@dataclass(frozen=True)
class Permission:
    name: str
    check: Predicate
    allows: str  # what it allows, in a few words, for the README's table
    audits_reads: bool = False  # every read of a route it guards is audited


def _table(*permissions: Permission) -> dict[str, Permission]:
    return {p.name: p for p in permissions}


PERMISSIONS: dict[str, Permission] = _table(
    # --- accounts ------------------------------------------------------------------
    Permission("account.use", anyone_signed_in, "own account, password, API tokens"),
    Permission("users.manage", has_role(A), "user accounts, everyone's API tokens", True),
    Permission("audit.read", has_role(A), "the audit log", True),
    Permission("provider.export", has_role(A), "export everything the provider holds", True),
    Permission(
        "provider.import",
        has_role(A, C),
        "bring data in from spreadsheets: templates, upload, preview, import",
        True,
    ),
    # --- participants --------------------------------------------------------------
    Permission("participant.self", has_role(T), "a participant's own pages", True),
    Permission(
        "participant.view", has_role(A, C, S, T), "a participant's record through the API", True
    ),
    Permission("participant.contribute", has_role(A, C, S, T), "add goals and interests (API)"),
    Permission(
        "participant.follow",
        has_role(A, C, S),
        "participant pages, reviews, goals and interests",
        True,
    ),
    Permission("participant.edit", has_role(A, C), "create and change participant records", True),
    Permission("participant.export", has_role(A), "download a participant's data", True),
    Permission("participant.erase", has_role(A), "erase a participant's personal data", True),
    Permission("participants.all", has_role(A, C), "every participant, not only followed"),
    Permission("goals.plan", has_role(A, C, S), "priority, domains and status of goals"),
    Permission(
        "notes.read",
        staff_or_the_participant,
        "notes on absences, marks and reviews, support persons (participant: own)",
    ),
    Permission("login_cards.manage", has_role(A, C, S), "print and revoke login cards"),
    Permission(
        "login_cards.replace_password",
        has_role(A, C),
        "a login card for a participant who has a password",
    ),
    # --- catalogue -----------------------------------------------------------------
    Permission("catalog.view", has_role(A, C, S, P), "sites and activities"),
    Permission(
        "catalog.edit",
        has_role(A, C),
        "sites, rooms, partners, activities, slots",
    ),
    Permission("staff.manage", has_role(A, C), "staff profiles", True),
    Permission("sites.all", has_role(A, C), "every site, not only their own"),
    Permission("closures.manage", has_role(A, C), "add and remove closures"),
    Permission("goal_domains.manage", has_role(A), "the goal domains"),
    # --- schedule, placements, matching --------------------------------------------
    Permission("schedule.view", has_role(A, C, S, P), "the planner, slots and sessions"),
    Permission("schedule.plan", has_role(A, C), "create, change and cancel sessions"),
    Permission("placements.manage", has_role(A, C), "place participants and end places", True),
    Permission("matching.run", has_role(A, C), "run, review and publish matching", True),
    Permission("absence.give", has_role(A, C, S, T), "tell of an absence ahead"),
    # --- attendance ----------------------------------------------------------------
    Permission("roster.view", has_role(A, C, S, P), "who is expected at a session", True),
    Permission("roster.full_names", has_role(A, C, S), "full names on rosters"),
    Permission("attendance.mark", has_role(A, C, S, P), "mark attendance"),
    Permission("attendance.walk_ins", has_role(A, C, S), "mark walk-ins from the site"),
    Permission("attendance.mark_late", has_role(A, C), "mark sessions past the staff limit"),
    Permission("attendance.history", has_role(A, C, S), "the history of a session's marks", True),
    Permission(
        "follow_ups.view",
        planners_or_the_staff_member,
        "follow-up items (staff: their own)",
        True,
    ),
    Permission("follow_ups.all", has_role(A, C), "every follow-up item"),
    # --- reports -------------------------------------------------------------------
    Permission(
        "reports.view",
        has_role(A, C, S, P),
        "attendance reports and their files (staff and partners: their sites, counts only)",
    ),
    Permission(
        "reports.all_sites", has_role(A, C), "reports over every site; outcomes and goal progress"
    ),
    Permission(
        "allowances.manage",
        has_role(A, C),
        "allowance rates, the monthly ledger, approving a month, payroll files",
        True,
    ),
    Permission(
        "reports.funder",
        has_role(A, C),
        "funder and municipality files: per participant and month, with references",
        True,
    ),
    Permission("reports.names", has_role(A, C, S), "reports by participant, with names", True),
    Permission(
        "day_sheet.print",
        has_role(A, C, S),
        "a site's morning sheet: sessions, who is expected, staff away",
        True,
    ),
    # --- staff absences and cover ----------------------------------------------------
    Permission(
        "staff_absence.record",
        planners_or_the_staff_member,
        "record and remove staff absences (staff: their own)",
    ),
    Permission(
        "staff_absence.view",
        planners_or_the_staff_member,
        "staff absences (staff: their own)",
        True,
    ),
    Permission(
        "rota.view",
        planners_or_the_staff_member,
        "the staff week: sessions, hours and absences (staff: their own)",
        True,
    ),
    Permission(
        "cover.plan",
        has_role(A, C),
        "sessions left without staff, cover suggestions, assign cover or cancel",
        True,
    ),
    # --- calendar feeds ------------------------------------------------------------
    Permission("feeds.manage", has_role(A, C, S, T), "calendar feeds through the API", True),
    Permission("feeds.all", has_role(A, C), "any feed, site and activity feeds", True),
    Permission("feeds.staff", planners_or_the_staff_member, "staff feeds (staff: their own)", True),
    # --- notifications -------------------------------------------------------------
    Permission("notifications.read", anyone_signed_in, "their own messages (API)", True),
    Permission("notifications.all", has_role(A, C), "anyone's messages, by recipient (API)", True),
    Permission("notifications.retry", has_role(A, C), "send a failed message again"),
    Permission("notifications.outbox", has_role(A), "the outbox: what was and would be sent", True),
    Permission("notifications.preferences", has_role(A, C, S, P), "their own notification choices"),
)


def note_for(user: CurrentUser | None, note: str, owner_user_id: int | None = None) -> str:
    """A note about a participant (absence, attendance mark, review, support person) as
    this user may read it: whole with `notes.read` (for a participant: notes about
    themself, `owner_user_id` being their account), empty otherwise. Every read of such
    a note goes through here: the roster, the API, the pages and the exports."""
    return note if may(user, "notes.read", owner_user_id) else ""


def may(user: CurrentUser | None, name: str, obj: Any = None) -> bool:
    """Whether this user (None: nobody signed in) has the named permission, for `obj`
    when given. An unknown name is an error, so that a typo cannot deny or allow."""
    if name == PUBLIC:
        return True
    permission = PERMISSIONS[name]
    if user is None:
        return False
    return permission.check(user, obj)


def check_name(name: str) -> str:
    """The name, if it names a permission or `PUBLIC`; KeyError otherwise."""
    if name != PUBLIC and name not in PERMISSIONS:
        raise KeyError(f"There is no permission {name!r}.")
    return name


def roles_with(name: str) -> list[Role]:
    """The roles that have the permission for some object (the README's table)."""
    return [role for role in Role if may(_someone(role), name)]


def _someone(role: Role) -> CurrentUser:
    return CurrentUser(id=0, email="", display_name="", role=role)


def markdown_table() -> str:
    """The permission table as the README shows it."""
    roles = list(Role)
    lines = [
        "| Permission | Allows | " + " | ".join(role.value for role in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for permission in PERMISSIONS.values():
        allowed = set(roles_with(permission.name))
        marks = " | ".join("yes" if role in allowed else "" for role in roles)
        lines.append(f"| `{permission.name}` | {permission.allows} | {marks} |")
    return "\n".join(lines)
