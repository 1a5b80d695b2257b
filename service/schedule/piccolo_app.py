from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.schedule.tables import Closure, Session, SessionStaff, SlotStaff, WeeklySlot

APP_CONFIG = AppConfig(
    app_name="schedule",
    migrations_folder_path=str(MIGRATIONS_DIR / "schedule"),
    table_classes=[WeeklySlot, SlotStaff, Session, SessionStaff, Closure],
    migration_dependencies=["service.catalog.piccolo_app", "service.auth.piccolo_app"],
)
