"""The demo provider: a Finnish rehabilitation association in Tampere with a workshop
house, two day-activity units, a green-care farm partner and a café employer partner."""

from __future__ import annotations

from datetime import date, time, timedelta

from service import clock
from service.audit.services import Actor
from service.auth import services as accounts
from service.auth.schemas import UserCreate
from service.auth.tables import Role, User
from service.catalog import services as catalog
from service.catalog.schemas import ActivityIn, DomainStrength, PartnerIn, RoomIn, SiteIn
from service.catalog.tables import ActivityKind, PartnerKind
from service.demo.people import demo_name, load_participants
from service.schedule import services as schedule
from service.schedule.schemas import SlotIn
from service.staff import services as staff_profiles
from service.staff.schemas import StaffProfileIn, WindowIn

DEMO_DOMAIN = "demo.tupa"
PARTICIPANT_ACCOUNTS = 5
DEMO_PARTICIPANTS = 60
MON, TUE, WED, THU, FRI = range(5)

PARTNERS = {
    "farm": PartnerIn(
        name="Kotiranta farm",
        kind=PartnerKind.farm,
        contact_name="Heikki Kotiranta",
        phone="+358 50 765 4321",
        email="heikki@kotiranta.example",
    ),
    "cafe": PartnerIn(
        name="Kahvila Kulma",
        kind=PartnerKind.employer,
        contact_name="Maria Kulma",
        phone="+358 44 222 3344",
        email="maria@kulma.example",
    ),
}

# name: (address, phone, features, rooms, partner)
SITES = {
    "Pajatalo workshops": (
        "Verstaankatu 4, 33100 Tampere",
        "+358 40 123 4501",
        ["step_free", "accessible_toilet", "public_transport"],
        ["Woodwork shop", "Workshop kitchen", "Textile room"],
        None,
    ),
    "Tiimitupa day centre": (
        "Hämeenpuisto 21, 33210 Tampere",
        "+358 40 123 4502",
        ["step_free", "quiet_space", "hearing_loop", "public_transport"],
        ["Lounge", "Group room"],
        None,
    ),
    "Meijeri day centre": (
        "Meijerinkatu 2, 33500 Tampere",
        "+358 40 123 4503",
        ["quiet_space", "parking"],
        ["Kitchen", "Hall"],
        None,
    ),
    "Kotiranta farm": (
        "Kotirannantie 88, 36200 Kangasala",
        "+358 50 765 4321",
        ["parking"],
        [],
        "farm",
    ),
    "Kahvila Kulma": (
        "Kauppakatu 7, 33200 Tampere",
        "+358 44 222 3344",
        ["step_free", "public_transport"],
        [],
        "cafe",
    ),
}

# email local part: (name, skills, sites)
STAFF = {
    "staff": (
        "Olli Ohjaaja",
        ["woodwork", "first_aid"],
        ["Pajatalo workshops", "Tiimitupa day centre"],
    ),
    "staff2": ("Sanna Saarinen", ["kitchen_hygiene", "peer_support"], ["Meijeri day centre"]),
    "staff3": ("Juha Mäkinen", ["woodwork"], ["Pajatalo workshops"]),
    "staff4": ("Leena Korhonen", ["textile"], ["Pajatalo workshops"]),
    "staff5": ("Mika Virtanen", ["outdoor_guiding", "first_aid"], ["Tiimitupa day centre"]),
    "staff6": ("Riikka Nieminen", ["peer_support"], ["Tiimitupa day centre", "Meijeri day centre"]),
    "staff7": ("Anu Laine", ["kitchen_hygiene"], ["Tiimitupa day centre"]),
    "staff8": ("Pekka Heikkinen", ["animal_handling", "gardening"], ["Kotiranta farm"]),
    "staff9": ("Tiina Lehtonen", ["job_coaching"], ["Kahvila Kulma"]),
    "staff10": (
        "Ville Koskinen",
        ["job_coaching", "kitchen_hygiene"],
        ["Kahvila Kulma", "Pajatalo workshops"],
    ),
}

D = DomainStrength
# title: (kind, site, room, demand, min, max, per staff, skills, animals, bring, domains,
#         features, [(weekday, start, end, staff)])
ACTIVITIES = {
    "Woodwork": (
        ActivityKind.workshop,
        "Pajatalo workshops",
        "Woodwork shop",
        3,
        3,
        8,
        4,
        ["woodwork"],
        False,
        "Sturdy shoes; work clothes are lent.",
        [
            D(key="everyday_living", strength=2),
            D(key="self_confidence", strength=2),
            D(key="work_and_study", strength=1),
        ],
        ["step_free"],
        [(MON, "09:00", "12:00", ["staff3", "staff"]), (WED, "09:00", "12:00", ["staff3"])],
    ),
    "Workshop kitchen": (
        ActivityKind.workshop,
        "Pajatalo workshops",
        "Workshop kitchen",
        3,
        2,
        6,
        3,
        ["kitchen_hygiene"],
        False,
        "Hair tie if you have long hair.",
        [D(key="everyday_living", strength=3), D(key="interaction", strength=1)],
        ["step_free"],
        [(TUE, "09:30", "13:00", ["staff10"]), (THU, "09:30", "13:00", ["staff10"])],
    ),
    "Textile workshop": (
        ActivityKind.workshop,
        "Pajatalo workshops",
        "Textile room",
        2,
        2,
        8,
        6,
        ["textile"],
        False,
        "",
        [D(key="self_confidence", strength=2), D(key="stress_management", strength=2)],
        ["seated_work"],
        [(TUE, "12:30", "15:00", ["staff4"]), (FRI, "12:30", "15:00", ["staff4"])],
    ),
    "Morning café": (
        ActivityKind.day_activity,
        "Tiimitupa day centre",
        "Lounge",
        1,
        1,
        15,
        8,
        [],
        False,
        "",
        [D(key="interaction", strength=2), D(key="social_networks", strength=2)],
        ["seated_work"],
        [
            (MON, "09:00", "11:00", ["staff7"]),
            (WED, "09:00", "11:00", ["staff7"]),
            (FRI, "09:00", "11:00", ["staff7"]),
        ],
    ),
    "Walking group": (
        ActivityKind.day_activity,
        "Tiimitupa day centre",
        None,
        2,
        3,
        10,
        5,
        ["outdoor_guiding"],
        False,
        "Shoes and clothes for the weather.",
        [D(key="stress_management", strength=2), D(key="social_networks", strength=1)],
        [],
        [(TUE, "13:00", "14:30", ["staff5"]), (THU, "13:00", "14:30", ["staff5"])],
    ),
    "Peer support group": (
        ActivityKind.day_activity,
        "Tiimitupa day centre",
        "Group room",
        2,
        3,
        8,
        8,
        ["peer_support"],
        False,
        "",
        [D(key="interaction", strength=3), D(key="decision_making", strength=2)],
        ["quiet_space"],
        [(WED, "13:00", "14:30", ["staff6"])],
    ),
    "Cooking together": (
        ActivityKind.day_activity,
        "Meijeri day centre",
        "Kitchen",
        2,
        3,
        8,
        4,
        ["kitchen_hygiene"],
        False,
        "",
        [D(key="everyday_living", strength=3)],
        [],
        [(THU, "10:00", "13:00", ["staff2"])],
    ),
    "Creative afternoon": (
        ActivityKind.day_activity,
        "Meijeri day centre",
        "Hall",
        1,
        2,
        10,
        8,
        [],
        False,
        "",
        [D(key="self_confidence", strength=2), D(key="stress_management", strength=1)],
        ["seated_work"],
        [(MON, "13:00", "15:30", ["staff6"])],
    ),
    "Games and conversation": (
        ActivityKind.day_activity,
        "Meijeri day centre",
        "Hall",
        1,
        2,
        12,
        8,
        [],
        False,
        "",
        [D(key="interaction", strength=2), D(key="social_networks", strength=2)],
        ["seated_work"],
        [(FRI, "12:00", "14:00", ["staff2"])],
    ),
    "Animal care": (
        ActivityKind.green_care,
        "Kotiranta farm",
        None,
        3,
        2,
        6,
        3,
        ["animal_handling"],
        True,
        "Outdoor clothes and rubber boots.",
        [
            D(key="stress_management", strength=3),
            D(key="self_confidence", strength=2),
            D(key="everyday_living", strength=1),
        ],
        [],
        [(TUE, "09:00", "12:00", ["staff8"]), (THU, "09:00", "12:00", ["staff8"])],
    ),
    "Garden and forest work": (
        ActivityKind.green_care,
        "Kotiranta farm",
        None,
        3,
        2,
        6,
        3,
        ["gardening"],
        False,
        "Outdoor clothes; gloves are lent.",
        [D(key="stress_management", strength=2), D(key="work_and_study", strength=1)],
        [],
        [(WED, "10:00", "13:00", ["staff8"])],
    ),
    "Café shift with a job coach": (
        ActivityKind.supported_employment,
        "Kahvila Kulma",
        None,
        4,
        1,
        3,
        3,
        ["job_coaching"],
        False,
        "Clean clothes; the apron is lent.",
        [D(key="work_and_study", strength=3), D(key="self_confidence", strength=1)],
        ["step_free"],
        [
            (MON, "08:00", "12:00", ["staff9"]),
            (WED, "08:00", "12:00", ["staff9"]),
            (FRI, "08:00", "12:00", ["staff9"]),
        ],
    ),
}


class DemoExists(RuntimeError):
    pass


async def load_demo(password: str, *, today: date | None = None) -> str:
    """Load the demo provider into an empty database; refuse when users exist."""
    if await User.count() > 0:
        raise DemoExists("The database already has users; the demo loads only into an empty one.")
    actor = Actor.system("demo")
    await catalog.ensure_default_domains()
    partners = {key: (await catalog.save_partner(actor, data)).id for key, data in PARTNERS.items()}
    sites, rooms = await _sites(actor, partners)
    users = await _accounts(actor, password, sites)
    monday = (today or clock.today()) - timedelta(days=(today or clock.today()).weekday())
    slot_ids: dict[str, list[int]] = {}
    for title, spec in ACTIVITIES.items():
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
                description=f"{title} at {site}.",
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
        sites=sites,
        activities=activities,
        accounts=accounts,
        count=DEMO_PARTICIPANTS,
        today=today or clock.today(),
    )
    slots = sum(len(ids) for ids in slot_ids.values())
    return (
        f"Demo loaded: {len(SITES)} sites, {len(ACTIVITIES)} activities, {slots} weekly "
        f"slots, {len(users)} accounts, {DEMO_PARTICIPANTS} participants and {placed} "
        "placements."
    )


async def _sites(
    actor: Actor, partners: dict[str, int]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    sites: dict[str, int] = {}
    rooms: dict[tuple[str, str], int] = {}
    for name, (address, phone, features, room_names, partner) in SITES.items():
        site = await catalog.save_site(
            actor,
            SiteIn(
                name=name,
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


async def _accounts(actor: Actor, password: str, sites: dict[str, int]) -> dict[str, int]:
    people = [
        ("admin", Role.admin, "Aino Admin", []),
        ("coordinator", Role.coordinator, "Kaisa Koordinaattori", []),
        ("partner", Role.partner, "Heikki (Kotiranta farm)", [sites["Kotiranta farm"]]),
        ("partner2", Role.partner, "Maria (Kahvila Kulma)", [sites["Kahvila Kulma"]]),
    ]
    people += [
        (local, Role.staff, name, [sites[s] for s in site_names])
        for local, (name, _skills, site_names) in STAFF.items()
    ]
    people += [
        (f"participant{n}", Role.participant, demo_name(n - 1), [])
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
    for local, (_name, skills, site_names) in STAFF.items():
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
