from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T09:19:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "A mark's client UUID once; one follow-up per participant and session"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="attendance", description=DESCRIPTION)

    async def unique_keys():
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS attendance_mark_client_uuid_key "
            "ON attendance_mark (client_uuid)"
        )
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS attendance_mark_participant_marked "
            "ON attendance_mark (participant, marked_at)"
        )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS follow_up_key ON follow_up (participant, session)"
        )

    manager.add_raw(unique_keys)
    return manager
