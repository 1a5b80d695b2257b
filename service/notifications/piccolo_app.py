from piccolo.conf.apps import AppConfig

from service.notifications.tables import FailingAddress, Notification, NotificationPreference
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(MIGRATIONS_DIR / "notifications"),
    table_classes=[Notification, FailingAddress, NotificationPreference],
    migration_dependencies=[
        "service.auth.piccolo_app",
        "service.people.piccolo_app",
        "service.schedule.piccolo_app",
    ],
)
