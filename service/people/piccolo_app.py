from piccolo.conf.apps import AppConfig

from service.paths import MIGRATIONS_DIR
from service.people.tables import (
    AccessibilityNeed,
    AvailabilityWindow,
    BlockedTime,
    DayNeeds,
    DietNeed,
    Goal,
    GoalDomainLink,
    Interest,
    LoginCard,
    Participant,
    ReachableSite,
    Review,
    Strength,
)

APP_CONFIG = AppConfig(
    app_name="people",
    migrations_folder_path=str(MIGRATIONS_DIR / "people"),
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
        DayNeeds,
        DietNeed,
    ],
    migration_dependencies=["service.catalog.piccolo_app", "service.auth.piccolo_app"],
)
