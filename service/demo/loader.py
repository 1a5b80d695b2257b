"""The demo providers: `tupa demo --country fi|dk|lv` loads one into an empty database
(Finland's is the default). Their data are in `finland`, `denmark` and `latvia`."""

from __future__ import annotations

from datetime import date, time, timedelta

from service import clock
from service.audit.services import Actor
from service.auth import services as accounts
from service.auth.schemas import UserCreate
from service.auth.tables import Role, User
from service.catalog import services as catalog
from service.catalog.schemas import ActivityIn, GoalDomainIn, RoomIn, SiteIn
from service.countries import country_pack, holiday_country
from service.demo.denmark import PROVIDER as DENMARK
from service.demo.finland import PROVIDER as FINLAND
from service.demo.latvia import PROVIDER as LATVIA
from service.demo.people import load_participants
from service.demo.providers import DemoProvider
from service.schedule import services as schedule
from service.schedule.schemas import SlotIn
from service.staff import services as staff_profiles
from service.staff.schemas import StaffProfileIn, WindowIn

DEMO_DOMAIN = "demo.tupa"
PARTICIPANT_ACCOUNTS = 5
DEMO_PARTICIPANTS = 60
PROVIDERS = {"fi": FINLAND, "dk": DENMARK, "lv": LATVIA}


class DemoExists(RuntimeError):
    pass


async def load_demo(password: str, *, today: date | None = None, country: str = "fi") -> str:
    """Load the demo provider of `country` into an empty database; refuse when users
    exist. The goal domains become the country pack's (the migration seeds Finland's)."""
    if await User.count() > 0:
        raise DemoExists("The database already has users; the demo loads only into an empty one.")
    provider = PROVIDERS[country]
    pack = country_pack(country)
    actor = Actor.system("demo")
    await _domains(actor, pack.goal_domains)
    partners = {
        key: (await catalog.save_partner(actor, data)).id for key, data in provider.partners.items()
    }
    sites, rooms = await _sites(actor, provider, partners)
    users = await _accounts(actor, password, provider, sites)
    monday = (today or clock.today()) - timedelta(days=(today or clock.today()).weekday())
    slot_ids: dict[str, list[int]] = {}
    for title, spec in provider.activities.items():
        (
            kind,
            site,
            room,
            demand,
            low,
            high,
            per_staff,
            skills,
            animals,
            bring,
            domains,
            features,
            times,
        ) = spec
        activity = await catalog.save_activity(
            actor,
            ActivityIn(
                title=title,
                kind=kind,
                site_id=sites[site],
                demand_level=demand,
                min_participants=low,
                max_participants=high,
                participants_per_staff=per_staff,
                required_skills=skills,
                animal_contact=animals,
                what_to_bring=bring,
                domains=domains,
                features=features,
                description=f"{title} · {site}",
                titles=provider.titles.get(title, {}),
            ),
        )
        for weekday, start, end, staff in times:
            slot = await schedule.save_slot(
                actor,
                SlotIn(
                    activity_id=activity.id,
                    weekday=weekday,
                    start=time.fromisoformat(start),
                    end=time.fromisoformat(end),
                    valid_from=monday - timedelta(weeks=8),
                    room_id=rooms.get((site, room)) if room else None,
                    staff_ids=[users[local] for local in staff],
                ),
                today=monday,
            )
            slot_ids.setdefault(title, []).append(slot.id)
    activities = {a.title: a.id for a in await catalog.list_activities(None)}
    accounts = [users[f"participant{n}"] for n in range(1, PARTICIPANT_ACCOUNTS + 1)]
    placed = await load_participants(
        actor,
        provider,
        sites=sites,
        activities=activities,
        accounts=accounts,
        count=DEMO_PARTICIPANTS,
        today=today or clock.today(),
    )
    slots = sum(len(ids) for ids in slot_ids.values())
    return (
        f"Demo loaded ({pack.code}): {len(provider.sites)} sites, {len(provider.activities)} "
        f"activities, {slots} weekly "
        f"slots, {len(users)} accounts, {DEMO_PARTICIPANTS} participants and {placed} "
        "placements."
    )


async def _domains(actor: Actor, domains: dict[str, str]) -> None:
    """The pack's goal domains, and no other default one active."""
    for existing in await catalog.list_domains():
        if existing.key not in domains:
            await catalog.save_domain(
                actor, GoalDomainIn(key=existing.key, label=existing.label, is_active=False)
            )
    for key, label in domains.items():
        await catalog.save_domain(actor, GoalDomainIn(key=key, label=label))


async def _sites(
    actor: Actor, provider: DemoProvider, partners: dict[str, int]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    sites: dict[str, int] = {}
    rooms: dict[tuple[str, str], int] = {}
    pack = country_pack(provider.country)
    for name, (address, phone, features, room_names, partner) in provider.sites.items():
        site = await catalog.save_site(
            actor,
            SiteIn(
                name=name,
                country=holiday_country(pack.code),
                time_zone=pack.time_zone,
                address=address,
                phone=phone,
                features=features,
                partner_id=partners[partner] if partner else None,
            ),
        )
        sites[name] = site.id
        for room_name in room_names:
            rooms[(name, room_name)] = (
                await catalog.add_room(actor, site.id, RoomIn(name=room_name))
            ).id
    return sites, rooms


async def _accounts(
    actor: Actor, password: str, provider: DemoProvider, sites: dict[str, int]
) -> dict[str, int]:
    # No account has a language saved: the browser, the switch or (for a participant)
    # the profile chooses it.
    people = [
        (local, role, name, [sites[s] for s in site_names])
        for local, role, name, site_names in provider.people
    ]
    people += [
        (local, Role.staff, name, [sites[s] for s in site_names])
        for local, (name, _skills, site_names) in provider.staff.items()
    ]
    people += [
        (f"participant{n}", Role.participant, provider.name(n - 1), [])
        for n in range(1, PARTICIPANT_ACCOUNTS + 1)
    ]
    users = {}
    for local, role, name, site_ids in people:
        created = await accounts.create_user(
            actor,
            UserCreate(
                email=f"{local}@{DEMO_DOMAIN}",
                role=role,
                display_name=name,
                site_ids=site_ids,
                password=password,
            ),
        )
        users[local] = created.id
    for local, (_name, skills, site_names) in provider.staff.items():
        await staff_profiles.save_staff(
            actor,
            users[local],
            StaffProfileIn(
                skills=skills,
                site_ids=[sites[s] for s in site_names],
                availability=[
                    WindowIn(weekday=day, start=time(8), end=time(16)) for day in range(5)
                ],
            ),
        )
    return users
