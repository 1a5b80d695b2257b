from piccolo.conf.apps import AppConfig

from service.attendance.tables import AttendanceMark, FollowUp
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="attendance",
    migrations_folder_path=str(BASE_DIR / "migrations" / "attendance"),
    table_classes=[AttendanceMark, FollowUp],
    migration_dependencies=["service.placements.piccolo_app"],
)
