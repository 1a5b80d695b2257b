"""The Danish demo provider: Aarhus municipality's activity centre (aktivitets- og
samværstilbud, § 104) and protected workshop (beskyttet beskæftigelse, § 103), with a
care farm and a café as partners. Titles and what to bring are in Danish, the titles in
English too."""

from __future__ import annotations

from service.auth.tables import Role
from service.catalog.schemas import DomainStrength, PartnerIn
from service.catalog.tables import ActivityKind, PartnerKind
from service.demo.providers import DemoProvider

MON, TUE, WED, THU, FRI = range(5)
D = DomainStrength

PARTNERS = {
    "farm": PartnerIn(
        name="Egå Naturgård",
        kind=PartnerKind.farm,
        contact_name="Mette Kjær",
        phone="+45 21 43 65 87",
        email="mette@egaa-naturgaard.example",
    ),
    "cafe": PartnerIn(
        name="Café Møllen",
        kind=PartnerKind.employer,
        contact_name="Rasmus Holm",
        phone="+45 31 22 44 66",
        email="rasmus@cafemoellen.example",
    ),
}

SITES = {
    "Aktivitetshuset Søndergade": (
        "Søndergade 12, 8000 Aarhus C",
        "+45 87 13 40 00",
        ["step_free", "accessible_toilet", "quiet_space", "public_transport"],
        ["Dagligstuen", "Gruppelokalet", "Køkkenet"],
        None,
    ),
    "Værkstedet Vestergade": (
        "Vestergade 58, 8000 Aarhus C",
        "+45 87 13 40 10",
        ["step_free", "public_transport", "seated_work"],
        ["Træværkstedet", "Pakkerummet"],
        None,
    ),
    "Egå Naturgård": ("Egå Strandvej 9, 8250 Egå", "+45 21 43 65 87", ["parking"], [], "farm"),
    "Café Møllen": ("Mølleparken 3, 8000 Aarhus C", "+45 31 22 44 66", ["step_free"], [], "cafe"),
}

STAFF = {
    "staff": ("Lars Nielsen", ["woodwork", "first_aid"], ["Værkstedet Vestergade"]),
    "staff2": ("Sofie Jensen", ["peer_support"], ["Aktivitetshuset Søndergade"]),
    "staff3": ("Anders Poulsen", ["kitchen_hygiene"], ["Aktivitetshuset Søndergade"]),
    "staff4": ("Camilla Hansen", ["outdoor_guiding"], ["Aktivitetshuset Søndergade"]),
    "staff5": ("Jonas Madsen", ["animal_handling", "gardening"], ["Egå Naturgård"]),
    "staff6": ("Line Christensen", ["job_coaching"], ["Café Møllen", "Værkstedet Vestergade"]),
}

ACTIVITIES = {
    "Træværksted": (
        ActivityKind.workshop,
        "Værkstedet Vestergade",
        "Træværkstedet",
        3,
        2,
        8,
        4,
        ["woodwork"],
        False,
        "Faste sko. Du kan låne arbejdstøj.",
        [D(key="work_and_study", strength=3), D(key="own_resources", strength=2)],
        ["step_free"],
        [(MON, "09:00", "13:00", ["staff"]), (WED, "09:00", "13:00", ["staff"])],
    ),
    "Montage og pakning": (
        ActivityKind.workshop,
        "Værkstedet Vestergade",
        "Pakkerummet",
        2,
        2,
        10,
        5,
        [],
        False,
        "",
        [D(key="work_and_study", strength=2), D(key="interaction", strength=1)],
        ["seated_work"],
        [(TUE, "09:00", "12:00", ["staff"]), (THU, "09:00", "12:00", ["staff"])],
    ),
    "Morgenmad i fællesskab": (
        ActivityKind.day_activity,
        "Aktivitetshuset Søndergade",
        "Dagligstuen",
        1,
        1,
        15,
        8,
        [],
        False,
        "",
        [D(key="interaction", strength=2), D(key="social_networks", strength=2)],
        ["seated_work"],
        [(MON, "09:00", "10:30", ["staff3"]), (THU, "09:00", "10:30", ["staff3"])],
    ),
    "Recoverygruppe": (
        ActivityKind.day_activity,
        "Aktivitetshuset Søndergade",
        "Gruppelokalet",
        2,
        3,
        8,
        8,
        ["peer_support"],
        False,
        "",
        [D(key="hopes_and_dreams", strength=3), D(key="own_resources", strength=2)],
        ["quiet_space"],
        [(TUE, "13:00", "14:30", ["staff2"])],
    ),
    "Fælles madlavning": (
        ActivityKind.day_activity,
        "Aktivitetshuset Søndergade",
        "Køkkenet",
        2,
        3,
        8,
        4,
        ["kitchen_hygiene"],
        False,
        "",
        [D(key="everyday_living", strength=3), D(key="health_and_wellbeing", strength=1)],
        [],
        [(THU, "11:00", "13:30", ["staff3"])],
    ),
    "Gåtur i Riis Skov": (
        ActivityKind.day_activity,
        "Aktivitetshuset Søndergade",
        None,
        2,
        2,
        10,
        5,
        ["outdoor_guiding"],
        False,
        "Sko og tøj efter vejret.",
        [D(key="health_and_wellbeing", strength=3), D(key="social_networks", strength=1)],
        [],
        [(FRI, "10:00", "11:30", ["staff4"])],
    ),
    "Dyr og natur på gården": (
        ActivityKind.green_care,
        "Egå Naturgård",
        None,
        3,
        2,
        6,
        3,
        ["animal_handling"],
        True,
        "Udetøj og gummistøvler.",
        [D(key="health_and_wellbeing", strength=2), D(key="own_resources", strength=2)],
        [],
        [(WED, "09:30", "12:30", ["staff5"]), (FRI, "09:30", "12:30", ["staff5"])],
    ),
    "Caféjob med mentor": (
        ActivityKind.supported_employment,
        "Café Møllen",
        None,
        4,
        1,
        3,
        3,
        ["job_coaching"],
        False,
        "Rent tøj. Du kan låne et forklæde.",
        [D(key="work_and_study", strength=3), D(key="own_resources", strength=1)],
        ["step_free"],
        [(TUE, "08:00", "12:00", ["staff6"]), (THU, "08:00", "12:00", ["staff6"])],
    ),
}

TITLES = {
    "Træværksted": {"en": "Woodwork"},
    "Montage og pakning": {"en": "Assembly and packing"},
    "Morgenmad i fællesskab": {"en": "Breakfast together"},
    "Recoverygruppe": {"en": "Recovery group"},
    "Fælles madlavning": {"en": "Cooking together"},
    "Gåtur i Riis Skov": {"en": "Walk in Riis Forest"},
    "Dyr og natur på gården": {"en": "Animals and nature at the farm"},
    "Caféjob med mentor": {"en": "Café job with a mentor"},
}

FIRST_NAMES = [
    "Mads",
    "Freja",
    "Emil",
    "Ida",
    "Frederik",
    "Clara",
    "Oliver",
    "Emma",
    "Magnus",
    "Laura",
    "Mikkel",
    "Julie",
    "Søren",
    "Anne",
    "Kasper",
    "Maja",
    "Nikolaj",
    "Signe",
    "Rasmus",
    "Louise",
]
INITIALS = "BDFHJKLMNPRS"

GOALS = [
    ("Jeg vil gerne have en fast rytme i min uge.", ["everyday_living"]),
    ("Jeg drømmer om at få et job igen, måske i en butik.", ["hopes_and_dreams", "work_and_study"]),
    ("At være sammen med andre uden at blive for træt.", ["interaction"]),
    ("Finde en ven at gå tur med.", ["social_networks"]),
    ("Lave ordentlig mad til mig selv.", ["everyday_living", "health_and_wellbeing"]),
    ("Bruge det, jeg er god til, med mine hænder.", ["own_resources", "work_and_study"]),
    ("Sove bedre og have mere energi.", ["health_and_wellbeing"]),
    ("Tage bussen alene til byen.", ["everyday_living", "own_resources"]),
    ("Tale i en gruppe uden at blive nervøs.", ["interaction", "own_resources"]),
    ("Begynde på en uddannelse næste år.", ["hopes_and_dreams", "work_and_study"]),
]
STRENGTHS = ["tålmodig", "god til dyr", "kreativ", "pålidelig", "sjov", "god til at lytte"]

PROVIDER = DemoProvider(
    country="dk",
    partners=PARTNERS,
    sites=SITES,
    staff=STAFF,
    activities=ACTIVITIES,
    titles=TITLES,
    people=[
        ("admin", Role.admin, "Birgitte Admin", []),
        ("coordinator", Role.coordinator, "Henrik Koordinator", []),
        ("partner", Role.partner, "Mette (Egå Naturgård)", ["Egå Naturgård"]),
        ("partner2", Role.partner, "Rasmus (Café Møllen)", ["Café Møllen"]),
    ],
    first_names=FIRST_NAMES,
    initials=INITIALS,
    languages=("da", "da", "da", "da", "en"),
    account_languages=("da",),
    phone_prefix="+45 2",
    goals=GOALS,
    strengths=STRENGTHS,
)
