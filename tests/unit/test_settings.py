"""Settings: embedded defaults, and a clear stop naming the variable when one is wrong."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from service.engines import engine_from_url
from service.paths import private_directory
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
        ({"TUPA_TOKEN_MAX_AGE_DAYS": "0"}, "TUPA_TOKEN_MAX_AGE_DAYS"),
        ({"TUPA_TRUSTED_PROXIES": "*"}, "TUPA_TRUSTED_PROXIES"),
        ({"TUPA_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "TUPA_TRUSTED_PROXIES"),
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


def test_no_proxy_is_trusted_unless_named(tmp_path):
    assert Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).trusted_proxies == ""
    named = Settings.from_env(
        {"TUPA_DATA_DIR": str(tmp_path), "TUPA_TRUSTED_PROXIES": " 10.0.0.2 , 172.16.0.0/12 "}
    )
    assert named.trusted_proxies == "10.0.0.2,172.16.0.0/12"


def test_tokens_live_at_most_the_maximum_age(tmp_path):
    assert Settings.from_env({"TUPA_DATA_DIR": str(tmp_path)}).token_max_age == timedelta(days=90)
    shorter = Settings.from_env({"TUPA_DATA_DIR": str(tmp_path), "TUPA_TOKEN_MAX_AGE_DAYS": "7"})
    assert shorter.token_max_age == timedelta(days=7)


def test_the_sqlite_file_is_private_from_the_start(tmp_path):
    """Made 0600 before SQLite opens it, and an older, more open file is narrowed."""
    fresh = tmp_path / "data" / "tupa.sqlite3"
    engine_from_url(f"sqlite:///{fresh}")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    older = tmp_path / "older.sqlite3"
    older.touch(mode=0o644)
    wal = tmp_path / "older.sqlite3-wal"
    wal.touch(mode=0o644)
    older.chmod(0o644)
    wal.chmod(0o644)
    engine_from_url(f"sqlite:///{older}")
    assert stat.S_IMODE(older.stat().st_mode) == 0o600
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_the_session_folder_is_private(tmp_path):
    sessions = tmp_path / "sessions"
    sessions.mkdir(mode=0o755)
    sessions.chmod(0o755)
    assert private_directory(sessions) == sessions
    assert stat.S_IMODE(sessions.stat().st_mode) == 0o700
    fresh = private_directory(tmp_path / "new" / "sessions")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
