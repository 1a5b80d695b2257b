"""Country packs: what differs between the countries Tupa serves, kept as data.

`TUPA_COUNTRY` picks one pack. A pack names the provider's defaults (time zone, language,
currency of allowances, the country of new sites), the days its services close (the public
holidays of the `holidays` package, plus the days that package files under an optional
category although services close, such as Danish Constitution Day), the default goal
domains and the names of the four activity kinds as people in that country say them.

Names are English source strings marked with `N_`, so the translators give them in every
language; the pages translate them when they show them. This module imports nothing of
the app: the recurrence core reads the closing days from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class CountryPack:
    code: str  # ISO 3166-1 alpha-2, lower case: fi, se, dk, lv
    time_zone: str
    language: str  # the provider's usual language, for new accounts and the demo
    currency: str  # ISO 4217, for allowances
    #: Extra closing days: (category of the `holidays` package, the day's English name there).
    closing_days: tuple[tuple[str, str], ...] = ()
    #: Default goal domains: key -> English name (translated when shown).
    goal_domains: dict[str, str] = field(default_factory=dict)
    #: Activity kinds as people in the country name them: kind -> English name.
    kind_names: dict[str, str] = field(default_factory=dict)


#: Finland: the life-management skills of social rehabilitation (sosiaalinen kuntoutus).
_LIFE_MANAGEMENT = {
    "everyday_living": N_("Everyday living"),
    "interaction": N_("Interaction"),
    "social_networks": N_("Social networks"),
    "decision_making": N_("Decision-making"),
    "stress_management": N_("Stress management"),
    "self_confidence": N_("Self-confidence"),
    "work_and_study": N_("Work and study"),
}

_KINDS = {
    "workshop": N_("Workshop"),
    "day_activity": N_("Day activity"),
    "green_care": N_("Green care"),
    "supported_employment": N_("Supported employment"),
}

PACKS: Final = MappingProxyType(
    {
        "fi": CountryPack(
            code="fi",
            time_zone="Europe/Helsinki",
            language="fi",
            currency="EUR",
            goal_domains=_LIFE_MANAGEMENT,
            # Tupa's own names of the kinds are the Finnish ones (työpaja, päivätoiminta,
            # green care, tuettu työllistyminen).
        ),
        "se": CountryPack(
            code="se",
            time_zone="Europe/Stockholm",
            language="sv",
            currency="SEK",
            closing_days=(
                ("de_facto", "Midsummer Eve"),
                ("de_facto", "Christmas Eve"),
                ("de_facto", "New Year's Eve"),
            ),
            goal_domains=_LIFE_MANAGEMENT,
            kind_names={
                "workshop": N_("Daily activity workshop"),
                "day_activity": N_("Meeting place"),
                "green_care": N_("Green care"),
                "supported_employment": N_("Supported employment"),
            },
        ),
        "dk": CountryPack(
            code="dk",
            time_zone="Europe/Copenhagen",
            language="da",
            currency="DKK",
            # Municipal offers close on these although they are not public holidays.
            closing_days=(
                ("optional", "Constitution Day"),
                ("optional", "Christmas Eve"),
                ("optional", "New Year's Eve"),
            ),
            # The themes of recovery-oriented practice, and the offers of the Social
            # Services Act (serviceloven) §§ 81, 85, 103 and 104.
            goal_domains={
                "hopes_and_dreams": N_("Hopes and dreams"),
                "own_resources": N_("Own resources and strengths"),
                "everyday_living": N_("Everyday living (§ 85 support)"),
                "social_networks": N_("Network and community"),
                "interaction": N_("Being with others (§ 104)"),
                "work_and_study": N_("Work and education (§ 103)"),
                "health_and_wellbeing": N_("Health and wellbeing (§ 81)"),
            },
            kind_names={
                "workshop": N_("Protected employment (§ 103)"),
                "day_activity": N_("Activity and social offer (§ 104)"),
                "green_care": N_("Nature and animal-assisted offer"),
                "supported_employment": N_("Job with a mentor"),
            },
        ),
        "lv": CountryPack(
            code="lv",
            time_zone="Europe/Riga",
            language="lv",
            currency="EUR",
            # Social rehabilitation and the services of a day centre (dienas centrs).
            goal_domains={
                "self_care": N_("Self-care and everyday skills"),
                "interaction": N_("Communication and social skills"),
                "social_networks": N_("Family and community ties"),
                "independent_living": N_("Independent living"),
                "stress_management": N_("Coping with stress"),
                "self_confidence": N_("Self-confidence"),
                "work_and_study": N_("Work skills and employment"),
            },
            kind_names={
                "workshop": N_("Work skills workshop"),
                "day_activity": N_("Day centre activity"),
                "green_care": N_("Nature and garden activity"),
                "supported_employment": N_("Supported employment"),
            },
        ),
    }
)

DEFAULT_COUNTRY: Final = "fi"


def country_pack(code: str) -> CountryPack:
    """The pack of `code` (`fi`, `se`, `dk`, `lv`); KeyError for one Tupa has no pack of."""
    return PACKS[code.strip().lower()]


def holiday_country(code: str) -> str:
    """The `holidays` package's code of a pack's country (`se` and `dk` are SE and DK)."""
    return code.strip().upper()


def closing_days(country: str) -> tuple[tuple[str, str], ...]:
    """The extra closing days of `country` (any case); none for a country with no pack."""
    pack = PACKS.get(country.strip().lower())
    return pack.closing_days if pack else ()


def kind_names(country: str) -> dict[str, str]:
    """The activity kinds' names in `country`, falling back to Tupa's own words."""
    pack = PACKS.get(country.strip().lower())
    return {**_KINDS, **(pack.kind_names if pack else {})}


_current: CountryPack = PACKS[DEFAULT_COUNTRY]


def use_country(code: str) -> None:
    """Set the provider's country for this process (from `TUPA_COUNTRY`, at start-up)."""
    global _current
    _current = country_pack(code)


def current_country() -> CountryPack:
    return _current


def all_domain_names() -> frozenset[str]:
    """The English names of every pack's default goal domains (they are translated)."""
    return frozenset(name for pack in PACKS.values() for name in pack.goal_domains.values())
