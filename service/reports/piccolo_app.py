from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.reports.tables import AllowanceLine, AllowanceMonth, AllowanceRate

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(MIGRATIONS_DIR / "reports"),
    table_classes=[AllowanceRate, AllowanceMonth, AllowanceLine],
    migration_dependencies=[
        "service.auth.piccolo_app",
        "service.catalog.piccolo_app",
        "service.people.piccolo_app",
    ],
)
