"""Catalogue tables: the places where sessions happen."""

from piccolo.columns import Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Site(Table, tablename="site"):
    """A place where sessions happen: an own unit or a partner's premises."""

    name = Varchar(length=120)
    time_zone = Varchar(length=64, default="Europe/Helsinki")
    country = Varchar(length=2, default="FI")
    address = Varchar(length=240, default="")
    phone = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
