"""Settings: embedded defaults, and a clear stop naming the variable when one is wrong."""

from __future__ import annotations

import stat

import pytest

from service.settings import Settings, SettingsError


def test_no_settings_means_embedded_sqlite_and_in_process_jobs(tmp_path):
    settings = Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'tupa.sqlite3'}"
    assert settings.database_engine == "sqlite"
    assert settings.redis_url is None
    assert settings.time_zone == "Europe/Helsinki"
    assert settings.default_language == "en"
    assert settings.env == "development"


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 32
    mode = (tmp_path / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_postgres_and_redis_urls_are_taken(tmp_path):
    settings = Settings.from_env(
        {
            "TUPA_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql://tupa:pw@db:5432/tupa",
            "REDIS_URL": "redis://cache:6379/0",
            "TUPA_TIME_ZONE": "Europe/Copenhagen",
            "TUPA_DEFAULT_LANGUAGE": "fi",
        }
    )
    assert settings.database_engine == "postgres"
    assert settings.redis_url == "redis://cache:6379/0"
    assert str(settings.tz) == "Europe/Copenhagen"
    assert settings.default_language == "fi"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite://relative.db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql:///nohost"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"TUPA_TIME_ZONE": "Mars/Olympus"}, "TUPA_TIME_ZONE"),
        ({"TUPA_DEFAULT_LANGUAGE": "xx"}, "TUPA_DEFAULT_LANGUAGE"),
        ({"TUPA_ENV": "staging"}, "TUPA_ENV"),
        ({"TUPA_LOGIN_ATTEMPTS_PER_MINUTE": "many"}, "TUPA_LOGIN_ATTEMPTS_PER_MINUTE"),
        ({"TUPA_LOGIN_ATTEMPTS_PER_MINUTE": "0"}, "TUPA_LOGIN_ATTEMPTS_PER_MINUTE"),
        ({"TUPA_SESSION_MAX_AGE": "5"}, "TUPA_SESSION_MAX_AGE"),
        ({"TUPA_MATCH_SECOND_BEFORE_THIRD": "maybe"}, "TUPA_MATCH_SECOND_BEFORE_THIRD"),
        ({"TUPA_ENV": "production", "DATABASE_URL": "postgresql://db/tupa"}, "SECRET_KEY"),
        ({"TUPA_ENV": "production", "SECRET_KEY": "x" * 40}, "DATABASE_URL"),
    ],
)
def test_a_wrong_value_names_its_variable(tmp_path, environ, variable):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"TUPA_DATA_DIR": str(tmp_path), **environ})
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_second_places_before_third_is_off_unless_asked(tmp_path):
    base = {"TUPA_DATA_DIR": str(tmp_path)}
    assert not Settings.from_env(base).match_second_before_third
    for on in ("1", "true", "Yes"):
        environ = {**base, "TUPA_MATCH_SECOND_BEFORE_THIRD": on}
        assert Settings.from_env(environ).match_second_before_third


def test_production_with_everything_set(tmp_path):
    settings = Settings.from_env(
        {
            "TUPA_ENV": "production",
            "DATABASE_URL": "postgresql://db/tupa",
            "SECRET_KEY": "k" * 48,
            "TUPA_DATA_DIR": str(tmp_path),
        }
    )
    assert settings.is_production
    assert settings.secure_cookies
    assert not (tmp_path / "secret_key").exists()
