"""An upload between its preview and its confirmation.

The parsed rows are kept here, owned by the user who uploaded them and for a short
while only, so that confirming imports what the preview showed and never rows posted
back by the browser."""

from piccolo.columns import JSON, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.auth.tables import User
from service.tables import Identified


class ImportUpload(Identified, Table, tablename="import_upload"):
    owner = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20)
    filename = Varchar(length=255, default="")
    rows = JSON(default="[]")  # the parsed rows that the preview took: [{"number", "values"}]
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    confirmed_at = Timestamptz(null=True, default=None)
