from service.migration_manager import PortableMigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique

ID = "2026-12-02T12:06:58:899147"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = PortableMigrationManager(
        migration_id=ID, app_name="people", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Participant",
        tablename="participant",
        column_name="external_id",
        db_column_name="external_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Participant",
        tablename="participant",
        constraint_name="participant_external_id_key",
        constraint_class=Unique,
        params={"columns": ["external_id"], "nulls_distinct": True},
        schema=None,
    )

    return manager
