from piccolo.conf.apps import AppConfig

from service.catalog.tables import (
    Activity,
    ActivityDomain,
    ActivityFeature,
    ActivitySkill,
    ActivityTitle,
    GoalDomain,
    Partner,
    Room,
    Site,
    SiteFeature,
)
from service.settings import BASE_DIR

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(BASE_DIR / "migrations" / "catalog"),
    table_classes=[
        Partner,
        Site,
        SiteFeature,
        Room,
        GoalDomain,
        Activity,
        ActivityDomain,
        ActivitySkill,
        ActivityFeature,
        ActivityTitle,
    ],
    migration_dependencies=[],
)
