"""What a demo provider is made of: plain data, one module per country
(`finland`, `denmark`, `latvia`), loaded by `loader.load_demo`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.auth.tables import Role
from service.catalog.schemas import PartnerIn

#: name: (address, phone, features, rooms, partner key or None)
SiteSpec = tuple[str, str, list[str], list[str], str | None]
#: email local part: (name, skills, site names)
StaffSpec = tuple[str, list[str], list[str]]
#: title: (kind, site, room, demand, min, max, per staff, skills, animals, what to bring,
#: domains, features, [(weekday, start, end, staff)])
ActivitySpec = tuple[Any, ...]


@dataclass(frozen=True)
class DemoProvider:
    country: str  # the country pack's code: fi, dk, lv
    partners: dict[str, PartnerIn]
    sites: dict[str, SiteSpec]
    staff: dict[str, StaffSpec]
    #: Titles and what to bring in the provider's language.
    activities: dict[str, ActivitySpec]
    #: The titles in the other languages the demo's people read: {title: {language: title}}.
    titles: dict[str, dict[str, str]]
    #: Accounts besides staff and participants: (email local part, role, name, site names).
    people: list[tuple[str, Role, str, list[str]]]
    first_names: list[str]
    initials: str
    #: The participants' preferred languages, given in turn.
    languages: tuple[str, ...]
    #: The same for the participants one can sign in as ("": the browser chooses).
    account_languages: tuple[str, ...]
    phone_prefix: str
    #: (the participant's own words, goal domains of the country pack)
    goals: list[tuple[str, list[str]]]
    strengths: list[str]

    def name(self, n: int) -> str:
        first = self.first_names[n % len(self.first_names)]
        return f"{first} {self.initials[n % len(self.initials)]}."

    def language(self, n: int, *, has_account: bool) -> str:
        languages = self.account_languages if has_account else self.languages
        return languages[n % len(languages)]
