from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.transfer.tables import ImportUpload

APP_CONFIG = AppConfig(
    app_name="transfer",
    migrations_folder_path=str(MIGRATIONS_DIR / "transfer"),
    table_classes=[ImportUpload],
    migration_dependencies=["service.auth.piccolo_app"],
)
