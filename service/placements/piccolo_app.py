from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.placements.tables import AbsenceNotice, Placement

APP_CONFIG = AppConfig(
    app_name="placements",
    migrations_folder_path=str(MIGRATIONS_DIR / "placements"),
    table_classes=[Placement, AbsenceNotice],
    migration_dependencies=["service.people.piccolo_app", "service.schedule.piccolo_app"],
)
