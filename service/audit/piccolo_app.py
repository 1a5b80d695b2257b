from piccolo.conf.apps import AppConfig

from service.audit.tables import AuditEvent
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(MIGRATIONS_DIR / "audit"),
    table_classes=[AuditEvent],
    migration_dependencies=["service.auth.piccolo_app"],
)
