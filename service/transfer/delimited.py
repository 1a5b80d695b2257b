"""CSV files out: UTF-8 with a heading row, produced line by line for streaming, and no
cell that a spreadsheet would run as a formula (`workbook.neutralised`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from service.transfer.workbook import neutralised


def csv_lines(headings: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The heading row, then each row, as CSV text (a byte-order mark first, so that
    spreadsheets open the file as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralised(heading) for heading in headings])
    yield _taken(buffer)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        yield _taken(buffer)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralised(value)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
