"""When a user was last signed out everywhere (password change or reset, deactivation)."""

from service.migration_manager import PortableMigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T09:07:47:946964"
VERSION = "1.38.0"
DESCRIPTION = "User.signed_out_at: sessions and tokens revoked at once"


async def forwards():
    manager = PortableMigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="User",
        tablename="user_account",
        column_name="signed_out_at",
        db_column_name="signed_out_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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

    return manager
