from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T06:53:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "One link per user and site"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def unique_user_site():
        await engine_finder().run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS user_site_user_site_key ON user_site ("user", site)'
        )

    manager.add_raw(unique_user_site)
    return manager
