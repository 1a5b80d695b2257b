"""Who may read which site."""

from __future__ import annotations

from service.auth.permissions import may
from service.auth.schemas import CurrentUser
from service.errors import NotFound
from service.i18n import gettext as _


def site_scope(user: CurrentUser) -> frozenset[int] | None:
    """The sites a user may read: None means all (administrators and coordinators)."""
    if may(user, "sites.all"):
        return None
    return frozenset(user.site_ids)


def check_site_visible(user: CurrentUser, site_id: int) -> None:
    """Refuse, as if it did not exist, a site the user may not read."""
    scope = site_scope(user)
    if scope is not None and site_id not in scope:
        raise NotFound(_("There is no site %(id)s.", id=site_id))
