from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.system.tables import JobRun

APP_CONFIG = AppConfig(
    app_name="system",
    migrations_folder_path=str(MIGRATIONS_DIR / "system"),
    table_classes=[JobRun],
    migration_dependencies=[],
)
