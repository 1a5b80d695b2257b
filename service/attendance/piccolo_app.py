from piccolo.conf.apps import AppConfig

from service.attendance.tables import AttendanceMark, FollowUp
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="attendance",
    migrations_folder_path=str(MIGRATIONS_DIR / "attendance"),
    table_classes=[AttendanceMark, FollowUp],
    migration_dependencies=["service.placements.piccolo_app"],
)
