"""All configuration, read from environment variables with embedded defaults.

With no settings at all Tupa runs embedded: SQLite and generated secrets in a local
`var/` folder, and jobs in the web process. Production sets `TUPA_ENV=production`,
`DATABASE_URL`, `REDIS_URL` and `SECRET_KEY`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from service.countries import DEFAULT_COUNTRY, PACKS, country_pack
from service.engines import is_sqlite_url
from service.matching.model import Weights
from service.paths import CHECKOUT_DIR, default_data_dir

#: The repository checkout (the folder above the package).
BASE_DIR = CHECKOUT_DIR
#: Every language Tupa speaks, each named in itself (English is the source language).
#: `TUPA_LANGUAGES` chooses which of them a provider offers.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fi": "Suomi",
    "sv": "Svenska",
    "da": "Dansk",
    "lv": "Latviešu",
    "ru": "Русский",
}
ENVIRONMENTS = ("development", "test", "production")


class SettingsError(ValueError):
    """A setting has a wrong value; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    time_zone: str = "Europe/Helsinki"
    default_language: str = "en"
    #: The languages this provider offers (a subset of LANGUAGES, in its order).
    languages: tuple[str, ...] = tuple(LANGUAGES)
    #: The country pack (`service.countries`): holidays, vocabulary, currency, time zone.
    country: str = DEFAULT_COUNTRY
    login_attempts_per_minute: int = 10
    #: Requests one calendar feed token may make per minute (several devices poll it).
    feed_requests_per_minute: int = 30
    session_max_age: int = 8 * 3600
    demo_password: str = "tupa-demo"  # noqa: S105 (the documented demo password)
    queue_name: str = "tupa:queue"
    #: Addresses (or networks, comma-separated) of the reverse proxies whose
    #: `X-Forwarded-For` and `X-Forwarded-Proto` are believed. Empty: none, the client
    #: address is the connection's peer.
    trusted_proxies: str = ""
    #: Days an API token works at most, whatever it asked for when it was made.
    token_max_age_days: int = 90
    match_weights: Weights = field(default_factory=Weights)
    match_replan_continuity: float = 300.0
    match_travel_buffer: int = 30
    match_time_limit: int = 30
    #: After the most people with one place, the most with two before anyone's third.
    match_second_before_third: bool = False
    #: The address people reach Tupa at, for links in messages (unsubscribe, "I can't come").
    public_url: str = "http://127.0.0.1:8000"
    #: Outgoing email over SMTP when a host is set; else messages go to the outbox log
    #: that administrators read at /admin/outbox.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout: int = 30
    mail_from: str = "Tupa <tupa@localhost>"
    #: The local hour on the evening before a session when its reminders are sent.
    reminder_evening_hour: int = 18
    #: SMS through Twilio's Messages API when an account is set; else the outbox log.
    sms_provider: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    sms_from: str = ""
    sms_api_url: str = "https://api.twilio.com"
    sms_timeout: int = 10

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def database_engine(self) -> str:
        """`sqlite` or `postgres`, from the scheme of the database URL."""
        return "sqlite" if is_sqlite_url(self.database_url) else "postgres"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def token_max_age(self) -> timedelta:
        return timedelta(days=self.token_max_age_days)

    @property
    def secure_cookies(self) -> bool:
        return self.is_production

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting; raise `SettingsError` naming the first bad one."""
        env = dict(os.environ if environ is None else environ)
        tupa_env = _choice(env, "TUPA_ENV", "development", ENVIRONMENTS)
        data_dir = Path(env.get("TUPA_DATA_DIR") or default_data_dir())
        database_url = _database_url(env.get("DATABASE_URL"), data_dir)
        redis_url = _redis_url(env.get("REDIS_URL"))
        production = tupa_env == "production"
        country = _choice(env, "TUPA_COUNTRY", DEFAULT_COUNTRY, tuple(PACKS))
        languages = _languages(env.get("TUPA_LANGUAGES"))
        if production and is_sqlite_url(database_url):
            raise SettingsError("DATABASE_URL", "production needs a postgresql:// URL")
        return cls(
            env=tupa_env,
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            secret_key=_secret_key(env.get("SECRET_KEY"), data_dir, production),
            time_zone=_time_zone(env.get("TUPA_TIME_ZONE") or country_pack(country).time_zone),
            default_language=_choice(env, "TUPA_DEFAULT_LANGUAGE", languages[0], languages),
            languages=languages,
            country=country,
            login_attempts_per_minute=_int(env, "TUPA_LOGIN_ATTEMPTS_PER_MINUTE", 10, 1, 1000),
            feed_requests_per_minute=_int(env, "TUPA_FEED_REQUESTS_PER_MINUTE", 30, 1, 100000),
            session_max_age=_int(env, "TUPA_SESSION_MAX_AGE", 8 * 3600, 60, 30 * 86400),
            demo_password=env.get("TUPA_DEMO_PASSWORD") or "tupa-demo",
            queue_name=env.get("TUPA_QUEUE_NAME") or "tupa:queue",
            trusted_proxies=_trusted_proxies(env.get("TUPA_TRUSTED_PROXIES")),
            token_max_age_days=_int(env, "TUPA_TOKEN_MAX_AGE_DAYS", 90, 1, 3650),
            match_weights=_weights(env.get("TUPA_MATCH_WEIGHTS")),
            match_replan_continuity=float(
                _int(env, "TUPA_MATCH_REPLAN_CONTINUITY", 300, 0, 100_000)
            ),
            match_travel_buffer=_int(env, "TUPA_MATCH_TRAVEL_BUFFER", 30, 0, 240),
            match_time_limit=_int(env, "TUPA_MATCH_TIME_LIMIT", 30, 1, 600),
            match_second_before_third=_flag(env, "TUPA_MATCH_SECOND_BEFORE_THIRD"),
            public_url=_public_url(env.get("TUPA_PUBLIC_URL")),
            smtp_host=(env.get("TUPA_SMTP_HOST") or "").strip(),
            smtp_port=_int(env, "TUPA_SMTP_PORT", 587, 1, 65535),
            smtp_username=env.get("TUPA_SMTP_USERNAME") or "",
            smtp_password=env.get("TUPA_SMTP_PASSWORD") or "",
            smtp_starttls=not _flag(env, "TUPA_SMTP_NO_STARTTLS"),
            smtp_timeout=_int(env, "TUPA_SMTP_TIMEOUT", 30, 1, 600),
            mail_from=env.get("TUPA_MAIL_FROM") or "Tupa <tupa@localhost>",
            reminder_evening_hour=_int(env, "TUPA_REMINDER_EVENING_HOUR", 18, 0, 23),
            sms_provider=_choice(env, "TUPA_SMS_PROVIDER", "log", ("log", "twilio")),
            twilio_account_sid=env.get("TUPA_TWILIO_ACCOUNT_SID") or "",
            twilio_auth_token=env.get("TUPA_TWILIO_AUTH_TOKEN") or "",
            sms_from=env.get("TUPA_SMS_FROM") or "",
            sms_api_url=(env.get("TUPA_SMS_API_URL") or "https://api.twilio.com").rstrip("/"),
            sms_timeout=_int(env, "TUPA_SMS_TIMEOUT", 10, 1, 120),
        )


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Only the database URL, for tools that need nothing else (Piccolo's CLI)."""
    env = os.environ if environ is None else environ
    return _database_url(
        env.get("DATABASE_URL"), Path(env.get("TUPA_DATA_DIR") or default_data_dir())
    )


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise SettingsError(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _languages(raw: str | None) -> tuple[str, ...]:
    """`fi,sv,en`: the languages offered, the first being the default; unset, all of them."""
    if not raw or not raw.strip():
        return tuple(LANGUAGES)
    chosen: list[str] = []
    for part in raw.split(","):
        code = part.strip().lower()
        if code not in LANGUAGES:
            raise SettingsError("TUPA_LANGUAGES", f"{code!r} is not one of {', '.join(LANGUAGES)}")
        if code not in chosen:
            chosen.append(code)
    return tuple(chosen)


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"{raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise SettingsError(name, f"{value} is outside {low}..{high}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    """`1`, `true`, `yes` or `on` is on; `0`, `false`, `no`, `off` or unset is off."""
    raw = (env.get(name) or "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise SettingsError(name, f"{raw!r} is not one of 1, 0, true, false, yes, no, on, off")


def _weights(raw: str | None) -> Weights:
    """`goal_fit=10,interest=20,...`: the matcher's weights, each a number from 0 to 10000;
    those not named keep their defaults."""
    if not raw:
        return Weights()
    names = {f.name for f in fields(Weights)}
    values: dict[str, float] = {}
    for part in raw.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in names:
            known = ", ".join(sorted(names))
            raise SettingsError("TUPA_MATCH_WEIGHTS", f"{name!r} is not one of {known}")
        try:
            value = float(number)
        except ValueError:
            raise SettingsError(
                "TUPA_MATCH_WEIGHTS", f"{name}: {number!r} is not a number"
            ) from None
        if not 0 <= value <= 10_000:
            raise SettingsError("TUPA_MATCH_WEIGHTS", f"{name}: {value} is outside 0..10000")
        values[name] = value
    return Weights(**values)


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite:///{data_dir / 'tupa.sqlite3'}"
    scheme = urlsplit(raw).scheme
    if scheme == "sqlite":
        if not raw.startswith("sqlite:///") or raw == "sqlite:///":
            raise SettingsError("DATABASE_URL", "write SQLite as sqlite:///path/to/file.sqlite3")
        return raw
    if scheme in {"postgres", "postgresql"}:
        if not urlsplit(raw).hostname and "host=" not in raw:
            raise SettingsError("DATABASE_URL", "the PostgreSQL URL has no host")
        return raw
    raise SettingsError(
        "DATABASE_URL", f"scheme {scheme or '(none)'!r} is not sqlite or postgresql"
    )


def _trusted_proxies(raw: str | None) -> str:
    """Comma-separated addresses or networks (`10.0.0.2`, `172.16.0.0/12`); `*` (anyone)
    is refused: it would let every client choose the address that rate limits and the
    audit log see."""
    entries = [entry.strip() for entry in (raw or "").split(",") if entry.strip()]
    for entry in entries:
        if entry == "*":
            raise SettingsError("TUPA_TRUSTED_PROXIES", "'*' trusts every client; name the proxy")
        try:
            ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                "TUPA_TRUSTED_PROXIES", f"{entry!r} is not an IP address or network"
            ) from None
    return ",".join(entries)


def _public_url(raw: str | None) -> str:
    if not raw:
        return "http://127.0.0.1:8000"
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError("TUPA_PUBLIC_URL", "write it as https://tupa.example.org")
    return raw.rstrip("/")


def _redis_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError("REDIS_URL", "must start with redis://, rediss:// or unix://")
    return raw


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("TUPA_TIME_ZONE", f"{name!r} is not a known time zone") from None
    return name


def _secret_key(raw: str | None, data_dir: Path, production: bool) -> str:
    if raw:
        if len(raw) < 32:
            raise SettingsError("SECRET_KEY", "must be at least 32 characters long")
        return raw
    if production:
        raise SettingsError("SECRET_KEY", "is required when TUPA_ENV=production")
    return _embedded_secret_key(data_dir)


def _embedded_secret_key(data_dir: Path) -> str:
    """Generate the secret once and keep it in the data folder, readable by its owner only."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
