"""Bookkeeping for background jobs."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service.tables import Identified


class JobRun(Identified, Table, tablename="job_run"):
    """One claimed run of a job id. The unique job id makes a job run once even when
    the queue delivers it twice (arq promises at-least-once)."""

    job_id = Varchar(length=200, unique=True, index=True)
    name = Varchar(length=100, index=True)
    status = Varchar(length=12, default="running")  # running, done, failed
    attempts = Integer(default=1)
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    error = Text(default="")
