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
    SiteDayService,
    SiteFeature,
)
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(MIGRATIONS_DIR / "catalog"),
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
        SiteDayService,
    ],
    migration_dependencies=[],
)
