from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T09:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "At most one matching run open (queued or running) at a time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def one_open_run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS matching_run_one_open "
            "ON matching_run ((1)) WHERE status IN ('queued', 'running')"
        )

    manager.add_raw(one_open_run)
    return manager
