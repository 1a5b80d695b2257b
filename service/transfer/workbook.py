"""The provider's records as an XLSX workbook (openpyxl): a sheet per kind, headings in
the reader's language, a frozen heading row and filters. No I/O beyond the bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from service.transfer.sheets import SHEETS

# Excel refuses sheet titles over 31 characters; cells over 32,767 characters.
MAX_CELL = 32_767


def workbook_bytes(
    records: Mapping[str, list[dict[str, Any]]], translate: Callable[[str], str]
) -> bytes:
    book = Workbook()
    for empty in list(book.worksheets):  # a new workbook starts with one empty sheet
        book.remove(empty)
    for sheet in SHEETS:
        page = book.create_sheet(translate(sheet.title)[:31])
        page.append([translate(column.heading) for column in sheet.columns])
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in records.get(sheet.kind, []):
            page.append([_cut(row.get(key)) for key in sheet.keys])
            _never_formulas(page[page.max_row])
        page.freeze_panes = "A2"
        last = get_column_letter(len(sheet.columns))
        page.auto_filter.ref = f"A1:{last}{max(page.max_row, 1)}"
        for index, column in enumerate(sheet.columns, start=1):
            page.column_dimensions[get_column_letter(index)].width = max(
                12, min(40, len(translate(column.heading)) + 2)
            )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _cut(value: Any) -> Any:
    """Text cut to what Excel holds in a cell."""
    return value[:MAX_CELL] if isinstance(value, str) else value


def _never_formulas(cells: tuple[Any, ...]) -> None:
    """openpyxl makes a formula of any text starting with "=": a participant's name
    such as "=HYPERLINK(...)" would run in the reader's spreadsheet. Keep it text."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"
