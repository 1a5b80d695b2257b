"""Calendar feeds: tokens (create, rotate, revoke, with who may do what), the cached
rendering of a feed, the "I can't come" links in it, and the versions that the
invalidation job raises.

One module per part: `tokens`, `lookup` (finding a feed by its token), `rendering`,
`absence_links` and `invalidation`; the structs they take and give are in
`service.calendars.schemas`."""

from service.calendars.schemas import FeedRef
from service.calendars.services.absence_links import (
    absence_code,
    absence_link,
    absence_session,
    give_absence,
)
from service.calendars.services.invalidation import refresh_feeds, staffed_by
from service.calendars.services.lookup import resolve
from service.calendars.services.rendering import (
    CACHE_SECONDS,
    KEEP_PAST,
    REFRESH_MINUTES,
    owner_name,
    render_feed,
    rendered_feed,
)
from service.calendars.services.tokens import (
    ALL,
    check_manager,
    create_feed,
    feed_path,
    get_feed,
    list_feeds,
    live_feeds_of,
    revoke_feed,
    rotate_feed,
    scope_of,
    token_hash,
)

# The benchmarks (tests/benchmarks/feeds.py) make tokens as the service does; the
# secret's derivation stays private to the package.
from service.calendars.services.tokens import _token as _token
from service.calendars.tables import FeedKind

__all__ = [
    "ALL",
    "CACHE_SECONDS",
    "KEEP_PAST",
    "REFRESH_MINUTES",
    "FeedKind",
    "FeedRef",
    "absence_code",
    "absence_link",
    "absence_session",
    "check_manager",
    "create_feed",
    "feed_path",
    "get_feed",
    "give_absence",
    "list_feeds",
    "live_feeds_of",
    "owner_name",
    "refresh_feeds",
    "render_feed",
    "rendered_feed",
    "resolve",
    "revoke_feed",
    "rotate_feed",
    "scope_of",
    "staffed_by",
    "token_hash",
]
