"""The Latvian demo provider: a day centre in Riga (dienas centrs) offering social
rehabilitation, with a garden partner outside the city. Titles and what to bring are in
Latvian, the titles in Russian and English too: many participants read Russian."""

from __future__ import annotations

from service.auth.tables import Role
from service.catalog.schemas import DomainStrength, PartnerIn
from service.catalog.tables import ActivityKind, PartnerKind
from service.demo.providers import DemoProvider

MON, TUE, WED, THU, FRI = range(5)
D = DomainStrength

PARTNERS = {
    "garden": PartnerIn(
        name="Dārzs “Lejas”",
        kind=PartnerKind.farm,
        contact_name="Inese Kalniņa",
        phone="+371 29 123 456",
        email="inese@lejas.example",
    ),
}

SITES = {
    "Dienas centrs “Saulstari”": (
        "Brīvības iela 120, Rīga, LV-1001",
        "+371 67 123 456",
        ["step_free", "accessible_toilet", "quiet_space", "public_transport"],
        ["Darbnīca", "Virtuve", "Grupu telpa"],
        None,
    ),
    "Dārzs “Lejas”": (
        "Lejas, Ropažu pagasts, LV-2135",
        "+371 29 123 456",
        ["parking"],
        [],
        "garden",
    ),
}

STAFF = {
    "staff": ("Ilze Ozola", ["peer_support", "first_aid"], ["Dienas centrs “Saulstari”"]),
    "staff2": ("Olga Ivanova", ["kitchen_hygiene"], ["Dienas centrs “Saulstari”"]),
    "staff3": ("Andris Bērziņš", ["woodwork"], ["Dienas centrs “Saulstari”"]),
    "staff4": ("Sergejs Petrovs", ["gardening", "animal_handling"], ["Dārzs “Lejas”"]),
}

ACTIVITIES = {
    "Koka darbnīca": (
        ActivityKind.workshop,
        "Dienas centrs “Saulstari”",
        "Darbnīca",
        3,
        2,
        8,
        4,
        ["woodwork"],
        False,
        "Ērti apavi. Darba apģērbu var aizņemties.",
        [D(key="work_and_study", strength=3), D(key="self_confidence", strength=2)],
        ["step_free"],
        [(MON, "10:00", "13:00", ["staff3"]), (WED, "10:00", "13:00", ["staff3"])],
    ),
    "Kopīga ēst gatavošana": (
        ActivityKind.day_activity,
        "Dienas centrs “Saulstari”",
        "Virtuve",
        2,
        2,
        8,
        4,
        ["kitchen_hygiene"],
        False,
        "",
        [D(key="self_care", strength=3), D(key="independent_living", strength=2)],
        [],
        [(TUE, "11:00", "13:30", ["staff2"]), (THU, "11:00", "13:30", ["staff2"])],
    ),
    "Atbalsta grupa": (
        ActivityKind.day_activity,
        "Dienas centrs “Saulstari”",
        "Grupu telpa",
        2,
        3,
        10,
        10,
        ["peer_support"],
        False,
        "",
        [D(key="interaction", strength=3), D(key="stress_management", strength=2)],
        ["quiet_space"],
        [(WED, "14:00", "15:30", ["staff"])],
    ),
    "Rīta kafija un sarunas": (
        ActivityKind.day_activity,
        "Dienas centrs “Saulstari”",
        "Grupu telpa",
        1,
        1,
        15,
        8,
        [],
        False,
        "",
        [D(key="social_networks", strength=2), D(key="interaction", strength=1)],
        ["seated_work"],
        [(MON, "09:00", "10:00", ["staff"]), (FRI, "09:00", "10:00", ["staff"])],
    ),
    "Darbs dārzā": (
        ActivityKind.green_care,
        "Dārzs “Lejas”",
        None,
        3,
        2,
        6,
        3,
        ["gardening"],
        False,
        "Āra apģērbs un gumijas zābaki.",
        [D(key="stress_management", strength=3), D(key="work_and_study", strength=1)],
        [],
        [(TUE, "10:00", "13:00", ["staff4"]), (FRI, "10:00", "13:00", ["staff4"])],
    ),
}

TITLES = {
    "Koka darbnīca": {"ru": "Столярная мастерская", "en": "Woodwork"},
    "Kopīga ēst gatavošana": {"ru": "Готовим вместе", "en": "Cooking together"},
    "Atbalsta grupa": {"ru": "Группа поддержки", "en": "Support group"},
    "Rīta kafija un sarunas": {"ru": "Утренний кофе и беседы", "en": "Morning coffee and talk"},
    "Darbs dārzā": {"ru": "Работа в саду", "en": "Garden work"},
}

FIRST_NAMES = [
    "Anna",
    "Olga",
    "Jānis",
    "Dmitrijs",
    "Ilze",
    "Natālija",
    "Māris",
    "Aleksandrs",
    "Laura",
    "Jeļena",
    "Edgars",
    "Sergejs",
    "Līga",
    "Tatjana",
    "Kristaps",
    "Irina",
]
INITIALS = "BGKLMPRSV"

#: Latvian and Russian speakers alternate, as `languages` below; goals in their words.
GOALS = [
    ("Gribu katru rītu piecelties un zināt, kur iet.", ["self_care"]),
    ("Хочу научиться готовить простую еду сам.", ["self_care", "independent_living"]),
    ("Runāt grupā un nebaidīties.", ["interaction", "self_confidence"]),
    ("Найти друзей, с которыми можно поговорить.", ["social_networks"]),
    ("Atkal strādāt, sākumā dažas stundas.", ["work_and_study"]),
    ("Меньше нервничать, когда много дел.", ["stress_management"]),
    ("Dzīvot pašam savā dzīvoklī.", ["independent_living"]),
    ("Больше бывать на свежем воздухе.", ["stress_management"]),
]
STRENGTHS = ["pacietīgs", "терпеливый", "radošs", "надёжный", "labi klausās"]

PROVIDER = DemoProvider(
    country="lv",
    partners=PARTNERS,
    sites=SITES,
    staff=STAFF,
    activities=ACTIVITIES,
    titles=TITLES,
    people=[
        ("admin", Role.admin, "Dace Administratore", []),
        ("coordinator", Role.coordinator, "Kristīne Koordinatore", []),
        ("partner", Role.partner, "Inese (Dārzs “Lejas”)", ["Dārzs “Lejas”"]),
    ],
    first_names=FIRST_NAMES,
    initials=INITIALS,
    languages=("lv", "ru"),
    account_languages=("lv", "ru"),
    phone_prefix="+371 2",
    goals=GOALS,
    strengths=STRENGTHS,
)
