from piccolo.conf.apps import AppConfig

from service.auth.tables import ApiToken, User, UserSite
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(MIGRATIONS_DIR / "accounts"),
    table_classes=[User, UserSite, ApiToken],
    migration_dependencies=["service.catalog.piccolo_app"],
)
