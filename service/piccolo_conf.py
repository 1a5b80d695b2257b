"""Piccolo's configuration module (PICCOLO_CONF=service.piccolo_conf).

`DB` starts as the engine named by the environment, for the `piccolo` command line;
the app and the worker replace it through `service.db.bind_engine`. It imports only
`service.engines` and the settings, never `service.db` (which imports it).
"""

from piccolo.conf.apps import AppRegistry

from service.engines import engine_from_url
from service.settings import database_url_from_env

APP_REGISTRY = AppRegistry(
    apps=[
        "service.catalog.piccolo_app",
        "service.auth.piccolo_app",
        "service.audit.piccolo_app",
        "service.system.piccolo_app",
        "service.staff.piccolo_app",
        "service.schedule.piccolo_app",
        "service.people.piccolo_app",
        "service.placements.piccolo_app",
        "service.matching.piccolo_app",
        "service.attendance.piccolo_app",
        "service.calendars.piccolo_app",
        "service.reports.piccolo_app",
        "service.notifications.piccolo_app",
        "service.transfer.piccolo_app",
    ]
)

DB = engine_from_url(database_url_from_env())
