from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T07:28:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "The default goal domains (life-management skills), editable afterwards"

DOMAINS = [
    ("everyday_living", "Everyday living"),
    ("interaction", "Interaction"),
    ("social_networks", "Social networks"),
    ("decision_making", "Decision-making"),
    ("stress_management", "Stress management"),
    ("self_confidence", "Self-confidence"),
    ("work_and_study", "Work and study"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def seed_goal_domains():
        engine = engine_finder()
        for key, label in DOMAINS:
            await engine.run_ddl(
                "INSERT INTO goal_domain (key, label, is_active) "
                f"VALUES ('{key}', '{label}', true) ON CONFLICT (key) DO NOTHING"
            )

    manager.add_raw(seed_goal_domains)
    return manager
