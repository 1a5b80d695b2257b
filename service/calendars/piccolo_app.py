from piccolo.conf.apps import AppConfig

from service.calendars.tables import FeedToken, FeedVersion
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="calendars",
    migrations_folder_path=str(BASE_DIR / "migrations" / "calendars"),
    table_classes=[FeedToken, FeedVersion],
    migration_dependencies=["service.auth.piccolo_app"],
)
