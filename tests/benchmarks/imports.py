"""Imports: preview and import 5,000 participants with their capacity (times of the
week, sites, needs, strengths) from XLSX, then their 10,000 goals with domains, then
export everything again. Through the services, as the upload page calls them. Peak
memory is the process's peak resident size so far (an upper bound: earlier work in the
same process counts too). Targets (PostgreSQL): preview and import within 15 s and
400 MB; the export within 10 s."""

from __future__ import annotations

import io
import os
import resource
import time

from openpyxl import Workbook

from service.audit.services import Actor
from service.auth.schemas import CurrentUser
from service.auth.tables import Role
from service.transfer.services import confirm_upload, export_everything, preview_upload
from tests.benchmarks.common import Row, migrated_engine
from tests.helpers import make_site, make_user

PEOPLE = int(os.environ.get("TUPA_BENCH_IMPORT_PEOPLE", "5000"))  # fewer for a smoke run
SITES = ("Pajatalo", "Meijeri", "Mäkelän tila", "Kirjasto")
DOMAINS = ("everyday_living", "interaction", "social_networks")


async def run(engines: list[str]) -> list[Row]:
    rows: list[Row] = []
    for kind in engines:
        async with migrated_engine(kind):
            rows += await _measure(kind)
    return rows


async def _measure(kind: str) -> list[Row]:
    for name in SITES:
        await make_site(name)
    admin = await make_user(Role.admin, "admin@example.org")
    actor = Actor(user=CurrentUser(admin.id, admin.email, admin.display_name, Role.admin))
    rows = []
    for sheet, data in (("participants", _participants()), ("goals", _goals())):
        started = time.perf_counter()
        preview = await preview_upload(actor, sheet, f"{sheet}.xlsx", data)
        previewed = time.perf_counter()
        assert preview.can_confirm, (preview.errors, preview.counts)
        done = await confirm_upload(actor, preview.upload_id or 0)
        finished = time.perf_counter()
        rows.append(
            Row(
                "imports",
                f"{sheet} from XLSX ({len(done.created)} new)",
                kind,
                {
                    "preview_s": round(previewed - started, 2),
                    "import_s": round(finished - previewed, 2),
                    "total_s": round(finished - started, 2),
                    "peak_mb": _peak_mb(),
                    "file_kb": len(data) // 1024,
                },
            )
        )
    started = time.perf_counter()
    exported = await export_everything(actor)
    rows.append(
        Row(
            "imports",
            f"export everything ({sum(len(v) for v in exported.values())} rows)",
            kind,
            {"total_s": round(time.perf_counter() - started, 2), "peak_mb": _peak_mb()},
        )
    )
    return rows


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _workbook(title: str, headings: list[str], records: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    page = book.create_sheet(title)
    page.append(headings)
    for record in records:
        page.append(record)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _participants() -> bytes:
    headings = [
        "Your own number",
        "Name",
        "Contact",
        "Language",
        "Referral date",
        "Hours a week",
        "Sessions a day at most",
        "Demand they can take (1-5)",
        "Available (weekday start-end)",
        "Sites they can reach",
        "Accessibility needs",
        "Strengths",
    ]
    records = [
        [
            f"P-{n}",
            f"Person {n}",
            f"person{n}@example.org",
            "fi",
            "2026-11-02",
            4 + n % 8,
            1 + n % 2,
            1 + n % 5,
            f"{1 + n % 5} 09:00-12:00; {1 + (n + 2) % 5} 12:00-15:00",
            f"{SITES[n % 4]}; {SITES[(n + 1) % 4]}",
            "step_free" if n % 3 == 0 else "",
            "woodwork; cooking",
        ]
        for n in range(PEOPLE)
    ]
    return _workbook("Participants", headings, records)


def _goals() -> bytes:
    headings = ["Participant's own number", "Goal in their own words", "Priority", "Goal domains"]
    records = [
        [f"P-{n}", words, 1 + n % 3, f"{DOMAINS[n % 3]}; {DOMAINS[(n + 1) % 3]}"]
        for n in range(PEOPLE)
        for words in ("I want to get out of the house twice a week.", "Cook a meal for a friend.")
    ]
    return _workbook("Goals", headings, records)
