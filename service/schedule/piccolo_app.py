from piccolo.conf.apps import AppConfig

from service.schedule.tables import Closure, Session, SessionStaff, SlotStaff, WeeklySlot
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="schedule",
    migrations_folder_path=str(BASE_DIR / "migrations" / "schedule"),
    table_classes=[WeeklySlot, SlotStaff, Session, SessionStaff, Closure],
    migration_dependencies=["service.catalog.piccolo_app", "service.auth.piccolo_app"],
)
