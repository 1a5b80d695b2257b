from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T08:07:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "One absence notice per participant and session"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="placements", description=DESCRIPTION)

    async def unique_notice():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS absence_notice_key "
            "ON absence_notice (participant, session)"
        )

    manager.add_raw(unique_notice)
    return manager
