"""The goal-progress report: the reviews of the period (their 1-5 ratings) by goal
domain, with the domains' labels as administrators keep them. Counts only, no names."""

from __future__ import annotations

from collections import defaultdict

from service import db
from service.audit.services import Actor, record
from service.catalog.tables import GoalDomain
from service.catalog.vocabulary import domain_label
from service.i18n import gettext as _
from service.people.tables import GoalDomainLink, Review
from service.reports import core
from service.reports.core import GoalReviews
from service.reports.schemas import GoalsReport, progress_row
from service.reports.services.attendance import ReportQuery


async def goals_report(actor: Actor, query: ReportQuery, *, export: str = "") -> GoalsReport:
    reviews = await (
        Review.select(Review.goal, Review.rating)
        .where((Review.on_date >= query.start) & (Review.on_date <= query.end))
        .order_by(Review.on_date)
        .order_by(Review.id)
    )
    ratings: dict[int, list[int]] = defaultdict(list)
    for review in reviews:
        ratings[review["goal"]].append(review["rating"])
    domains: dict[int, list[str]] = defaultdict(list)
    if ratings:
        for link in await GoalDomainLink.select(
            GoalDomainLink.goal, GoalDomainLink.domain.key.as_alias("key")
        ).where(GoalDomainLink.goal.is_in(sorted(ratings))):
            domains[link["goal"]].append(link["key"])
    by_domain, total = core.goal_progress(
        GoalReviews(goal_id=goal, domains=tuple(domains[goal]), ratings=tuple(found))
        for goal, found in ratings.items()
    )
    labels = {
        row["key"]: domain_label(row["key"], row["label"])
        for row in await GoalDomain.select(GoalDomain.key, GoalDomain.label)
    }
    if export:
        async with db.transaction():
            await record(
                actor,
                "report.export",
                entity="report",
                entity_id="goals",
                details={
                    "format": export,
                    "start": query.start.isoformat(),
                    "end": query.end.isoformat(),
                },
            )
    rows = [
        progress_row(key, labels.get(key, key), progress) for key, progress in by_domain.items()
    ]
    return GoalsReport(
        start=query.start,
        end=query.end,
        rows=sorted(rows, key=lambda row: row.label.casefold()),
        total=progress_row("total", _("All goals"), total),
    )
