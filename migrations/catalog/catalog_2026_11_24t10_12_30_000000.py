from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T10:12:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "One title per activity and language"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def unique_title():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS activity_title_key "
            "ON activity_title (activity, language)"
        )

    manager.add_raw(unique_title)
    return manager
