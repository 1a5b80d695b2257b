from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.staff.tables import StaffAbsence, StaffAvailability, StaffContract, StaffSkill

APP_CONFIG = AppConfig(
    app_name="staff",
    migrations_folder_path=str(MIGRATIONS_DIR / "staff"),
    table_classes=[StaffSkill, StaffAvailability, StaffAbsence, StaffContract],
    migration_dependencies=["service.auth.piccolo_app"],
)
