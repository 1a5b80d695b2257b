"""The `tupa` command: serve, worker, migrate, demo, backup and restore, and user
administration.

The commands import the rest of Tupa inside their bodies, after `load_settings`: those
modules load Piccolo's configuration, which reads DATABASE_URL on import, and a wrong
setting must stop start-up with a message that names it, not with a traceback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from service import clock, countries
from service.settings import Settings, SettingsError

T = TypeVar("T")


def load_settings() -> Settings:
    """Settings from the environment; a wrong value stops here, naming the variable."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        click.echo(f"Tupa cannot start: {error}", err=True)
        sys.exit(2)
    from service import composition

    clock.use_time_zone(settings.tz)
    countries.use_country(settings.country)
    composition.wire()
    return settings


def with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    from service.db import bind_engine, close_engine, open_engine
    from service.engines import engine_from_url

    async def run() -> T:
        engine = engine_from_url(settings.database_url)
        bind_engine(engine)
        await open_engine(engine)
        try:
            return await work()
        finally:
            await close_engine(engine)

    return asyncio.run(run())


@click.group()
def main() -> None:
    """Tupa: day-activity and workshop scheduling."""


@main.command()
@click.option("--host", default="127.0.0.1", envvar="HOST", show_default=True)
@click.option("--port", default=8000, envvar="PORT", show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app with uvicorn."""
    load_settings()
    import uvicorn

    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        # The app reads X-Forwarded-* itself, from TUPA_TRUSTED_PROXIES only (app.py).
        proxy_headers=False,
    )


@main.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@click.option("--check", is_flag=True, help="Exit 0 if a worker reported in lately (health).")
def worker(burst: bool, check: bool) -> None:
    """Run the arq worker (needs REDIS_URL)."""
    settings = load_settings()
    from arq.worker import check_health

    from service.worker import run_worker, worker_settings

    if check:
        sys.exit(check_health(worker_settings(settings)))
    run_worker(settings, burst=burst)


@main.command()
def migrate() -> None:
    """Apply pending migrations (one process at a time on PostgreSQL)."""
    settings = load_settings()
    from service.db import apply_migrations

    applied = with_database(settings, lambda: apply_migrations(settings.database_url, quiet=True))
    click.echo(f"Applied {len(applied)} migration(s)." if applied else "No migrations to apply.")


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
@click.option(
    "--country",
    type=click.Choice(["fi", "dk", "lv"]),
    default=None,
    help="Whose demo provider: Finland's (the default), Denmark's or Latvia's. "
    "Unset: TUPA_COUNTRY's, where it has one.",
)
def demo(if_empty: bool, country: str | None) -> None:
    """Load the demo provider into the database (refused in production)."""
    settings = load_settings()
    country = country or (settings.country if settings.country in {"fi", "dk", "lv"} else "fi")
    if settings.is_production:
        raise click.ClickException(
            "tupa demo is refused when TUPA_ENV=production: its accounts share one known"
            " password. Load it into a development or test database instead."
        )
    from service.demo.loader import DemoExists, load_demo

    try:
        summary = with_database(
            settings, lambda: load_demo(settings.demo_password, country=country)
        )
    except DemoExists as error:
        if if_empty:
            click.echo("The database already has data; demo not loaded.")
            return
        raise click.ClickException(str(error)) from None
    click.echo(summary)


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def backup(archive: Path) -> None:
    """Write the database and the secret key to ARCHIVE (a new .tar.gz file), while
    Tupa keeps running."""
    settings = load_settings()
    from service.system.backup import BackupError
    from service.system.backup import backup as make_backup

    try:
        manifest = make_backup(settings, archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables "
        f"({manifest.engine}) and the secret key to {archive}. It holds personal data: "
        "keep it where only administrators can read it."
    )


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
def restore(archive: Path, force: bool) -> None:
    """Put the database and secret key from ARCHIVE in place (stop Tupa first)."""
    settings = load_settings()
    from service.system.backup import BackupError
    from service.system.backup import restore as restore_backup

    try:
        summary = restore_backup(settings, archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = summary.manifest
    click.echo(
        f"Restored {sum(manifest.rows.values())} rows in {len(manifest.rows)} tables from "
        f"the backup of {manifest.created_at}; every table has the rows the backup listed."
    )
    if summary.secret_differs:
        click.echo(
            "SECRET_KEY differs from the backup's secret key: feed links and login cards "
            "made before the backup will not work until SECRET_KEY is set to the value in "
            "the archive's secret_key file.",
            err=True,
        )
    if summary.pending_migrations:
        click.echo(
            f"The backup lacks {len(summary.pending_migrations)} newer migration(s): "
            "run `tupa migrate` before starting Tupa."
        )


@main.group()
def user() -> None:
    """Create users and reset passwords."""


@user.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "coordinator", "staff", "partner", "participant"]),
)
@click.option("--name", default="", help="Display name.")
@click.option(
    "--password",
    default=None,
    envvar="TUPA_NEW_PASSWORD",
    help="Default: a temporary password, printed once, to change at first sign-in.",
)
def user_create(email: str, role: str, name: str, password: str | None) -> None:
    settings = load_settings()
    from service.audit.services import Actor
    from service.auth import services
    from service.auth.passwords import temporary_password
    from service.auth.schemas import UserCreate
    from service.auth.tables import Role

    chosen = password or temporary_password()
    data = UserCreate(
        email=email,
        role=Role(role),
        display_name=name,
        password=chosen,
        must_change_password=password is None,
    )
    created = _run_service(settings, lambda: services.create_user(Actor.system("cli"), data))
    click.echo(f"Created {created.role.value} {created.email} (id {created.id}).")
    if password is None:
        click.echo(f"Temporary password: {chosen}")


@user.command("reset-password")
@click.option("--email", required=True)
def user_reset_password(email: str) -> None:
    settings = load_settings()
    from service.audit.services import Actor
    from service.auth import services
    from service.auth.tables import User

    async def reset() -> str:
        row = (
            await User.select(User.id).where(User.email == services.normalize_email(email)).first()
        )
        if row is None:
            raise click.ClickException(f"No user has the email {email}.")
        return await services.reset_password(Actor.system("cli"), row["id"])

    click.echo(f"Temporary password: {with_database(settings, reset)}")


@user.command("list")
def user_list() -> None:
    settings = load_settings()
    from service.auth import services

    for item in with_database(settings, services.list_users):
        state = "" if item.is_active else " (inactive)"
        click.echo(f"{item.id:>5}  {item.role.value:<12} {item.email}{state}")


def _run_service(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from service.errors import DomainError

    try:
        return with_database(settings, work)
    except DomainError as error:
        raise click.ClickException(error.detail) from None


if __name__ == "__main__":
    main()
