from piccolo.conf.apps import AppConfig

from service.matching.tables import MatchingPart, MatchingProposal, MatchingRun, MatchingUnplaced
from service.paths import MIGRATIONS_DIR

APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=str(MIGRATIONS_DIR / "matching"),
    table_classes=[MatchingRun, MatchingProposal, MatchingUnplaced, MatchingPart],
    migration_dependencies=["service.placements.piccolo_app"],
)
