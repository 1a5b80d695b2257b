from piccolo.conf.apps import AppConfig

from service.catalog.tables import Site
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(BASE_DIR / "migrations" / "catalog"),
    table_classes=[Site],
    migration_dependencies=[],
)
