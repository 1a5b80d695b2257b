from piccolo.conf.apps import AppConfig

from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    Goal,
    GoalDomainLink,
    Interest,
    LoginCard,
    Participant,
    ReachableSite,
    Review,
    Strength,
)
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="people",
    migrations_folder_path=str(BASE_DIR / "migrations" / "people"),
    table_classes=[
        Participant,
        AvailabilityWindow,
        BlockedTime,
        ReachableSite,
        AccessibilityNeed,
        Strength,
        Interest,
        Goal,
        GoalDomainLink,
        Review,
        LoginCard,
    ],
    migration_dependencies=["service.catalog.piccolo_app", "service.auth.piccolo_app"],
)
