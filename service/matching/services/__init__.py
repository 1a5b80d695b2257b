"""Matching runs: start one, run it as a job, read its proposal and the waitlist it
leaves, and label it for the review pages (`review` changes and publishes it).

One module per part (`running`, `reading`, `labels`); callers keep importing
`service.matching.services` and its names. The structs are in `service.matching.schemas`."""

from service.matching.services.labels import (
    review_choices,
    slot_labels,
    status_label,
    warning_lines,
)
from service.matching.services.reading import (
    get_run,
    list_runs,
    my_places,
    my_waiting_reason,
    progress_of,
    proposals,
    run_detail,
    waitlist,
)
from service.matching.services.running import (
    MAX_DAYS,
    MAX_TIME_LIMIT,
    OPEN,
    execute_run,
    fail_lost_runs,
    inputs_for,
    request_stop,
    solve_part_job,
    start_run,
)

__all__ = [
    "MAX_DAYS",
    "MAX_TIME_LIMIT",
    "OPEN",
    "execute_run",
    "fail_lost_runs",
    "get_run",
    "inputs_for",
    "list_runs",
    "my_places",
    "my_waiting_reason",
    "progress_of",
    "proposals",
    "request_stop",
    "review_choices",
    "run_detail",
    "slot_labels",
    "solve_part_job",
    "start_run",
    "status_label",
    "waitlist",
    "warning_lines",
]
