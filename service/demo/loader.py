"""The demo provider: a Finnish rehabilitation association with a workshop, two
day-activity units, a green-care farm and an employer partner."""

from __future__ import annotations

from service.audit.services import Actor
from service.auth import services as accounts
from service.auth.schemas import UserCreate
from service.auth.tables import Role, User
from service.catalog.tables import Site
from service.db import transaction

DEMO_DOMAIN = "demo.tupa"
PARTICIPANT_ACCOUNTS = 5

SITES = [
    {
        "name": "Pajatalo workshops",
        "address": "Verstaankatu 4, 33100 Tampere",
        "phone": "+358 40 123 4501",
    },
    {
        "name": "Tiimitupa day centre",
        "address": "Hämeenpuisto 21, 33210 Tampere",
        "phone": "+358 40 123 4502",
    },
    {
        "name": "Meijeri day centre",
        "address": "Meijerinkatu 2, 33500 Tampere",
        "phone": "+358 40 123 4503",
    },
    {
        "name": "Kotiranta farm",
        "address": "Kotirannantie 88, 36200 Kangasala",
        "phone": "+358 50 765 4321",
    },
    {
        "name": "Kahvila Kulma (employer)",
        "address": "Kauppakatu 7, 33200 Tampere",
        "phone": "+358 44 222 3344",
    },
]


class DemoExists(RuntimeError):
    pass


async def load_demo(password: str) -> str:
    """Load the demo data into an empty database; refuse when users already exist."""
    if await User.count() > 0:
        raise DemoExists("The database already has users; the demo loads only into an empty one.")
    actor = Actor.system("demo")
    async with transaction():
        sites = {}
        for site in SITES:
            row = Site(**site)
            await row.save()
            sites[site["name"]] = row.id
    people = [
        ("admin", Role.admin, "Aino Admin", []),
        ("coordinator", Role.coordinator, "Kaisa Koordinaattori", []),
        (
            "staff",
            Role.staff,
            "Olli Ohjaaja",
            [sites["Pajatalo workshops"], sites["Tiimitupa day centre"]],
        ),
        ("staff2", Role.staff, "Sanna Saarinen", [sites["Meijeri day centre"]]),
        ("partner", Role.partner, "Kotiranta farm (Heikki)", [sites["Kotiranta farm"]]),
    ]
    people += [
        (f"participant{n}", Role.participant, "", []) for n in range(1, PARTICIPANT_ACCOUNTS + 1)
    ]
    for local, role, name, site_ids in people:
        await accounts.create_user(
            actor,
            UserCreate(
                email=f"{local}@{DEMO_DOMAIN}",
                role=role,
                display_name=name,
                site_ids=site_ids,
                password=password,
            ),
        )
    return f"Demo loaded: {len(SITES)} sites and {len(people)} accounts."
