"""Country packs and locale formats: the settings that choose them, the closing days
they add, and dates, times and money as each language writes them."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from service import countries
from service.catalog.vocabulary import domain_label, kind_label, weekday_names
from service.formats import format_clock, format_day, format_money, format_span, weekday_name
from service.i18n import use_language
from service.schedule.recurrence import public_holidays
from service.settings import Settings, SettingsError


@pytest.fixture
def country():
    """Use a country for one test, then Finland again."""
    yield countries.use_country
    countries.use_country("fi")


def test_tupa_country_chooses_the_pack_and_its_time_zone(tmp_path):
    settings = Settings.from_env({"TUPA_COUNTRY": "dk", "TUPA_DATA_DIR": str(tmp_path)})
    assert settings.country == "dk" and settings.time_zone == "Europe/Copenhagen"
    assert Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).country == "fi"
    with pytest.raises(SettingsError, match="TUPA_COUNTRY"):
        Settings.from_env({"TUPA_COUNTRY": "xx", "TUPA_DATA_DIR": str(tmp_path)})


def test_tupa_languages_limits_what_the_provider_offers(tmp_path):
    settings = Settings.from_env({"TUPA_LANGUAGES": "lv, ru", "TUPA_DATA_DIR": str(tmp_path)})
    assert settings.languages == ("lv", "ru") and settings.default_language == "lv"
    assert Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).languages == (
        "en",
        "fi",
        "sv",
        "da",
        "lv",
        "ru",
    )
    with pytest.raises(SettingsError, match="TUPA_LANGUAGES"):
        Settings.from_env({"TUPA_LANGUAGES": "fi,de", "TUPA_DATA_DIR": str(tmp_path)})
    with pytest.raises(SettingsError, match="TUPA_DEFAULT_LANGUAGE"):
        Settings.from_env(
            {
                "TUPA_LANGUAGES": "fi,sv",
                "TUPA_DEFAULT_LANGUAGE": "en",
                "TUPA_DATA_DIR": str(tmp_path),
            }
        )


def test_danish_services_close_on_constitution_day_and_christmas_eve_not_workers_day():
    days = public_holidays("DK", [2026])
    assert days[date(2026, 6, 5)] == "Grundlovsdag"
    assert days[date(2026, 12, 24)] == "Juleaftensdag"
    assert days[date(2026, 12, 31)] == "Nytårsaften"
    assert date(2026, 5, 1) not in days  # Workers' Day: optional, the offers stay open


def test_swedish_services_close_on_midsummer_eve():
    assert public_holidays("SE", [2026])[date(2026, 6, 19)] == "Midsommarafton"


def test_a_country_without_a_pack_has_the_public_holidays_only():
    assert date(2026, 12, 24) not in public_holidays("DE", [2026])


def test_every_pack_is_complete():
    for pack in countries.PACKS.values():
        ZoneInfo(pack.time_zone)
        assert pack.currency in {"EUR", "DKK", "SEK"}
        assert len(pack.goal_domains) >= 5
        assert set(countries.kind_names(pack.code)) == {
            "workshop",
            "day_activity",
            "green_care",
            "supported_employment",
        }


def test_kind_names_and_domains_follow_the_country(country):
    country("dk")
    with use_language("en"):
        assert kind_label("workshop") == "Protected employment (§ 103)"
        assert domain_label("hopes_and_dreams", "Hopes and dreams") == "Hopes and dreams"
        assert domain_label("own", "Written by an administrator") == "Written by an administrator"
    country("fi")
    with use_language("fi"):
        assert kind_label("workshop") == "Paja"
        assert domain_label("interaction", "Interaction") != "Interaction"


@pytest.mark.parametrize(
    ("language", "day", "span"),
    [
        ("en", "12 Jan 2027", "09:00–13:30"),
        ("fi", "12.1.2027", "9.00–13.30"),
        ("da", "12. jan. 2027", "09.00–13.30"),
        ("sv", "12 jan. 2027", "09:00–13:30"),
        ("lv", "2027. gada 12. janv.", "09:00–13:30"),
        ("ru", "12 янв. 2027\u202fг.", "09:00–13:30"),
    ],
)
def test_dates_and_24_hour_times_in_each_language(language, day, span):
    with use_language(language):
        assert format_day(date(2027, 1, 12)) == day
        assert format_span(time(9), time(13, 30)) == span
        assert "PM" not in format_clock(time(15))


def test_the_week_starts_on_monday_in_every_language():
    for language in ("en", "fi", "sv", "da", "lv", "ru"):
        with use_language(language):
            assert weekday_names()[0] == weekday_name(date(2027, 1, 11).weekday())
    with use_language("en"):
        assert weekday_names()[:2] == ["Monday", "Tuesday"]
    with use_language("ru"):
        assert weekday_names()[0] == "понедельник"


def test_an_aware_moment_is_read_in_the_provider_time_zone():
    with use_language("en"):
        assert format_clock(datetime(2027, 1, 12, 7, 0, tzinfo=ZoneInfo("UTC"))) == "09:00"


def test_money_in_the_country_currency(country):
    country("dk")
    with use_language("da"):
        assert format_money(Decimal("125.50")) == "125,50\xa0kr."
    country("lv")
    with use_language("lv"):
        assert format_money(Decimal("12")) == "12,00\xa0€"
