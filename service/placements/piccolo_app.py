from piccolo.conf.apps import AppConfig

from service.placements.tables import AbsenceNotice, Placement
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="placements",
    migrations_folder_path=str(BASE_DIR / "migrations" / "placements"),
    table_classes=[Placement, AbsenceNotice],
    migration_dependencies=["service.people.piccolo_app", "service.schedule.piccolo_app"],
)
