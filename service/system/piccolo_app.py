from piccolo.conf.apps import AppConfig

from service.settings import BASE_DIR
from service.system.tables import JobRun

APP_CONFIG = AppConfig(
    app_name="system",
    migrations_folder_path=str(BASE_DIR / "migrations" / "system"),
    table_classes=[JobRun],
    migration_dependencies=[],
)
