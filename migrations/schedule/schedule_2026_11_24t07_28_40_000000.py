from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T07:28:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "One session per slot and origin date; one link per session and staff member"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schedule", description=DESCRIPTION)

    async def unique_indexes():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS session_slot_origin_key "
            "ON session (slot, origin_date)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS session_staff_key "
            'ON session_staff (session, "user")'
        )
        await engine.run_ddl(
            'CREATE UNIQUE INDEX IF NOT EXISTS slot_staff_key ON slot_staff (slot, "user")'
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS session_site_date ON session (site, date)"
        )

    manager.add_raw(unique_indexes)
    return manager
