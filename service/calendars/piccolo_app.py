from piccolo.conf.apps import AppConfig

from service.calendars.tables import FeedToken, FeedVersion
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="calendars",
    migrations_folder_path=str(MIGRATIONS_DIR / "calendars"),
    table_classes=[FeedToken, FeedVersion],
    migration_dependencies=["service.auth.piccolo_app"],
)
