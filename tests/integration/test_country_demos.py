"""The demo providers of the country packs: Denmark's closing days cancel the right
sessions, and each demo speaks its country's languages."""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from service import clock
from service.catalog.tables import Activity, ActivityTitle, GoalDomain, Site
from service.demo.loader import load_demo
from service.people.tables import Participant
from service.schedule.services import generate_sessions
from service.schedule.tables import Session, SessionStatus


def a_year_with_danish_closing_days_on_weekdays() -> int:
    """The first year after this one whose Constitution Day (5 June), Christmas Eve and
    Workers' Day (1 May, not a closing day) all fall on weekdays, when the demo runs."""
    year = clock.today().year + 1
    while any(date(year, month, day).weekday() > 4 for month, day in ((6, 5), (12, 24), (5, 1))):
        year += 1
    return year


async def sessions_on(day: date) -> list[dict]:
    return await Session.select(Session.status, Session.cancel_reason).where(Session.date == day)


async def test_danish_closing_days_cancel_the_sessions_of_the_danish_demo(db):
    year = a_year_with_danish_closing_days_on_weekdays()
    start = date(year, 4, 26)
    await load_demo("tupa-demo", today=start, country="dk")
    assert {row["country"] for row in await Site.select(Site.country)} == {"DK"}
    await generate_sessions(today=start, weeks=36)  # to the end of December

    public = holidays.country_holidays("DK", years=year, language="da")
    closing = {
        date(year, 6, 5): "Grundlovsdag",
        date(year, 12, 24): "Juleaftensdag",
        **{day: name for day, name in public.items() if day.weekday() < 5 and day >= start},
    }
    for day, name in closing.items():
        found = await sessions_on(day)
        assert found, f"the Danish demo has sessions on every weekday ({day})"
        assert {s["status"] for s in found} == {SessionStatus.cancelled}, (day, name)
        assert all(name in s["cancel_reason"] for s in found), (day, found)

    # Workers' Day is an optional day in the package, but the offers stay open; so do
    # the ordinary days around Constitution Day.
    for day in (date(year, 5, 1), date(year, 6, 5) - timedelta(days=1)):
        if day in closing:
            continue
        found = await sessions_on(day)
        assert found and {s["status"] for s in found} == {SessionStatus.planned}, day


async def test_the_danish_demo_names_its_offers_in_danish(db):
    await load_demo("tupa-demo", country="dk")
    titles = {row["title"] for row in await Activity.select(Activity.title)}
    assert {"Træværksted", "Caféjob med mentor"} <= titles
    english = {
        row["title"] for row in await ActivityTitle.select().where(ActivityTitle.language == "en")
    }
    assert "Woodwork" in english
    active = {
        row["key"]
        for row in await GoalDomain.select(GoalDomain.key).where(GoalDomain.is_active == True)  # noqa: E712
    }
    assert {"hopes_and_dreams", "own_resources"} <= active
    assert "decision_making" not in active  # Finland's vocabulary is put aside


async def test_the_latvian_demo_has_participants_reading_latvian_and_russian(db):
    await load_demo("tupa-demo", country="lv")
    languages = [row["preferred_language"] for row in await Participant.select()]
    assert set(languages) == {"lv", "ru"}
    russian = await ActivityTitle.select().where(ActivityTitle.language == "ru")
    assert len(russian) == await Activity.count()
    assert {row["time_zone"] for row in await Site.select(Site.time_zone)} == {"Europe/Riga"}


async def test_the_finnish_demo_titles_its_activities_in_finnish(db):
    await load_demo("tupa-demo")
    titles = {row["title"] for row in await Activity.select(Activity.title)}
    assert "Puutyöpaja" in titles and "Woodwork" not in titles
    bring = {row["what_to_bring"] for row in await Activity.select(Activity.what_to_bring)}
    assert "Ulkovaatteet ja kumisaappaat." in bring
