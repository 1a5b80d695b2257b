from piccolo.conf.apps import AppConfig

from service.auth.tables import ApiToken, User, UserSite
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(BASE_DIR / "migrations" / "accounts"),
    table_classes=[User, UserSite, ApiToken],
    migration_dependencies=["service.catalog.piccolo_app"],
)
