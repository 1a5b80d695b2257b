"""The catalogue's rules: sites and rooms, partners, goal domains and activities.

One module per part (`visibility`, `checks`, `partners`, `sites`, `domains`,
`activities`); callers keep importing `service.catalog.services` and its names."""

from service.catalog.services.activities import (
    activity_titles,
    delete_activity,
    get_activity,
    list_activities,
    save_activity,
    title_in,
)
from service.catalog.services.checks import (
    check_country,
    check_features,
    check_time_zone,
    exists,
    get_row,
)
from service.catalog.services.day_service import get_day_service, save_day_service
from service.catalog.services.domains import ensure_default_domains, list_domains, save_domain
from service.catalog.services.partners import (
    delete_partner,
    get_partner,
    list_partners,
    save_partner,
)
from service.catalog.services.sites import (
    add_room,
    delete_room,
    delete_site,
    get_room,
    get_site,
    list_sites,
    save_site,
)
from service.catalog.services.visibility import check_site_visible, site_scope

__all__ = [
    "activity_titles",
    "add_room",
    "check_country",
    "check_features",
    "check_site_visible",
    "check_time_zone",
    "delete_activity",
    "delete_partner",
    "delete_room",
    "delete_site",
    "ensure_default_domains",
    "exists",
    "get_activity",
    "get_day_service",
    "get_partner",
    "get_room",
    "get_row",
    "get_site",
    "list_activities",
    "list_domains",
    "list_partners",
    "list_sites",
    "save_activity",
    "save_day_service",
    "save_domain",
    "save_partner",
    "save_site",
    "site_scope",
    "title_in",
]
