"""Staff profiles: the skills, sites, weekly availability and contract hours of staff
members."""

from __future__ import annotations

from collections import defaultdict

from service.audit.services import Actor, record
from service.auth.tables import Role, User, UserSite
from service.catalog.services import exists
from service.catalog.tables import Site
from service.db import row_lock, transaction
from service.errors import InvalidInput, NotFound
from service.i18n import gettext as _
from service.staff.schemas import StaffProfileIn, StaffProfileOut, WindowIn
from service.staff.tables import StaffAvailability, StaffContract, StaffSkill


async def list_staff() -> list[StaffProfileOut]:
    users = (
        await User.select(User.id, User.display_name, User.email)
        .where(
            (User.role == Role.staff.value) & (User.is_active == True)  # noqa: E712
        )
        .order_by(User.display_name)
    )
    return await _profiles(users)


async def get_staff(user_id: int) -> StaffProfileOut:
    users = await User.select(User.id, User.display_name, User.email).where(
        (User.id == user_id) & (User.role == Role.staff.value)
    )
    if not users:
        raise NotFound(_("There is no staff member %(id)s.", id=user_id))
    return (await _profiles(users))[0]


async def save_staff(actor: Actor, user_id: int, data: StaffProfileIn) -> StaffProfileOut:
    await get_staff(user_id)
    for index, window in enumerate(data.availability):
        if window.end <= window.start:
            raise InvalidInput(f"availability[{index}].end", _("The end must be after the start."))
    site_ids = sorted(set(data.site_ids))
    for site_id in site_ids:
        if not await exists(Site, site_id):
            raise InvalidInput("site_ids", _("There is no site %(id)s.", id=site_id))
    # The user's row is locked: two saves at once replace the lists one after the other
    # instead of both adding to them.
    async with transaction(row_lock(User, user_id)):
        await StaffSkill.delete().where(StaffSkill.user == user_id)
        if data.skills:
            await StaffSkill.insert(
                *[StaffSkill(user=user_id, skill=skill) for skill in sorted(set(data.skills))]
            )
        await StaffAvailability.delete().where(StaffAvailability.user == user_id)
        if data.availability:
            await StaffAvailability.insert(
                *[
                    StaffAvailability(user=user_id, weekday=w.weekday, start=w.start, end=w.end)
                    for w in data.availability
                ]
            )
        await StaffContract.delete().where(StaffContract.user == user_id)
        if data.contract_hours is not None:
            minutes = round(data.contract_hours * 60)
            await StaffContract(user=user_id, weekly_minutes=minutes).save()
        await UserSite.delete().where(UserSite.user == user_id)
        if site_ids:
            await UserSite.insert(*[UserSite(user=user_id, site=site) for site in site_ids])
        await record(
            actor,
            "staff.update",
            entity="user",
            entity_id=user_id,
            details={
                "skills": sorted(set(data.skills)),
                "site_ids": site_ids,
                "windows": len(data.availability),
                "contract_hours": data.contract_hours,
            },
        )
    return await get_staff(user_id)


async def _profiles(users: list[dict]) -> list[StaffProfileOut]:
    ids = [user["id"] for user in users]
    if not ids:
        return []
    skills: dict[int, list[str]] = defaultdict(list)
    for item in await StaffSkill.select().where(StaffSkill.user.is_in(ids)):
        skills[item["user"]].append(item["skill"])
    sites: dict[int, list[int]] = defaultdict(list)
    for item in await UserSite.select().where(UserSite.user.is_in(ids)):
        sites[item["user"]].append(item["site"])
    windows: dict[int, list[WindowIn]] = defaultdict(list)
    rows = (
        await StaffAvailability.select()
        .where(StaffAvailability.user.is_in(ids))
        .order_by(StaffAvailability.weekday)
        .order_by(StaffAvailability.start)
    )
    for item in rows:
        windows[item["user"]].append(
            WindowIn(weekday=item["weekday"], start=item["start"], end=item["end"])
        )
    contracts = {
        item["user"]: item["weekly_minutes"]
        for item in await StaffContract.select().where(StaffContract.user.is_in(ids))
    }
    return [
        StaffProfileOut(
            user_id=user["id"],
            name=user["display_name"] or user["email"],
            email=user["email"],
            site_ids=sorted(sites[user["id"]]),
            skills=sorted(skills[user["id"]]),
            availability=windows[user["id"]],
            contract_hours=(
                round(contracts[user["id"]] / 60, 2) if user["id"] in contracts else None
            ),
        )
        for user in users
    ]
