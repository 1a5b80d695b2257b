"""The matching page's run form: the filled-in fields, as `RunIn` takes them."""

from datetime import date

from litestar.datastructures import FormMultiDict

from service.forms import form_to
from service.matching.routes import run_fields
from service.matching.schemas import RunIn


def test_only_the_filled_in_run_fields_are_taken():
    posted = FormMultiDict(
        [("_csrf_token", "x"), ("first_day", "2026-12-07"), ("last_day", ""), ("view", "people")]
    )
    fields = run_fields(posted)
    assert fields == {"first_day": "2026-12-07"}
    assert form_to(RunIn, fields) == RunIn(first_day=date(2026, 12, 7))
