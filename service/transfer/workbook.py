"""Workbooks (openpyxl): the provider's records, a sheet per kind, and a template to fill
in for each kind. Headings in the reader's language; no I/O beyond the bytes."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from service.transfer.sheets import EXAMPLES, SHEETS, Column, Sheet, explanation
from service.transfer.sheets import cell as cell_value

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
        for number, row in enumerate(records.get(sheet.kind, []), start=2):
            page.append(_text_cells(page, number, [_cut(row.get(key)) for key in sheet.keys]))
        page.freeze_panes = "A2"
        last = get_column_letter(len(sheet.columns))
        page.auto_filter.ref = f"A1:{last}{max(page.max_row, 1)}"
        _fit_column_widths(page, sheet, translate)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _fit_column_widths(page: Any, sheet: Sheet, translate: Callable[[str], str]) -> None:
    """Each column as wide as its heading, between 12 and 40 characters."""
    for index, column in enumerate(sheet.columns, start=1):
        page.column_dimensions[get_column_letter(index)].width = max(
            12, min(40, len(translate(column.heading)) + 2)
        )


def _cut(value: Any) -> Any:
    """Text cut to what Excel holds in a cell."""
    return value[:MAX_CELL] if isinstance(value, str) else value


def _text_cells(page: Any, number: int, values: list[Any]) -> list[Cell]:
    """The cells of one row, none of them a formula (see `_never_formulas`). Made here
    rather than found after `append`: looking a row up by `page.max_row` walks every
    cell so far, which made an export of thousands of rows take minutes."""
    cells = [
        Cell(page, row=number, column=index, value=value)
        for index, value in enumerate(values, start=1)
    ]
    _never_formulas(cells)
    return cells


def _never_formulas(cells: Iterable[Any]) -> None:
    """openpyxl makes a formula of any text starting with "=": a participant's name
    such as "=HYPERLINK(...)" would run in the reader's spreadsheet. Keep it text."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"


def template_bytes(
    sheet: Sheet,
    choices: Mapping[str, list[str]],
    translate: Callable[[str], str],
) -> bytes:
    """A workbook to fill in for one kind of record: the headings in the reader's
    language, an example row, a drop-down list in every column with closed choices, a
    sheet that explains each column, and the lists themselves on a sheet of their own."""
    book = Workbook()
    page = book.active
    assert page is not None
    page.title = translate(sheet.title)[:31]
    page.append([translate(column.heading) for column in sheet.columns])
    for cell, column in zip(page[1], sheet.columns, strict=True):
        cell.font = Font(bold=True, color="9C0006" if column.required else None)
    page.append([_cut(cell_value(_example(sheet, column, choices))) for column in sheet.columns])
    _never_formulas(page[2])
    page.freeze_panes = "A2"
    _add_choice_lists(book, page, sheet, choices, translate)
    explained = book.create_sheet(translate("Columns")[:31])
    explained.append([translate("Column"), translate("What goes in it")])
    for cell in explained[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        explained.append([translate(column.heading), explanation(column, translate)])
    explained.column_dimensions["A"].width = 32
    explained.column_dimensions["B"].width = 80
    _fit_column_widths(page, sheet, translate)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _example(sheet: Sheet, column: Column, choices: Mapping[str, list[str]]) -> Any:
    value = EXAMPLES.get(sheet.kind, {}).get(column.key)
    if value is None and column.type == "choice" and choices.get(column.choices):
        return choices[column.choices][0]
    return value


def _add_choice_lists(
    book: Workbook,
    page: Any,
    sheet: Sheet,
    choices: Mapping[str, list[str]],
    translate: Callable[[str], str],
) -> None:
    """Each list on a hidden sheet, and a drop-down in its column (rows 2 to 5000)."""
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    used = [c for c in sheet.columns if c.type in {"choice", "bool"}]
    for index, column in enumerate(used, start=1):
        values = (
            [translate("yes"), translate("no")]
            if column.type == "bool"
            else list(choices.get(column.choices, []))
        )
        if not values:
            continue
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=column.key)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=str(value)).data_type = "s"
        validation = DataValidation(
            type="list",
            formula1=f"Lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=True,
            error=translate("Choose a value from the list."),
        )
        target = get_column_letter(sheet.columns.index(column) + 1)
        validation.add(f"{target}2:{target}5000")
        page.add_data_validation(validation)


# --- tables: one sheet of typed rows, written as they come (reports, funder files) ------

#: What a spreadsheet reads as the start of a formula (and tab and carriage return,
#: which some spreadsheets skip before reading one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made plain text by a leading
    apostrophe (the way spreadsheets mark typed-in text). For CSV, whose cells have no
    type; in a workbook a text cell is typed text (`_never_formulas`), and numbers,
    negative ones too, stay numbers in both."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_workbook(
    title: str, headings: list[str], rows: Iterable[list[Any]], widths: list[int] | None = None
) -> bytes:
    """One sheet with a bold, frozen heading row and typed cells (dates as dates,
    numbers as numbers), written row by row in openpyxl's write-only mode so that a
    year of rows never sits in memory as cell objects."""
    return tables_workbook([(title, headings, rows)], widths)


def tables_workbook(
    tables: Iterable[tuple[str, list[str], Iterable[list[Any]]]],
    widths: list[int] | None = None,
) -> bytes:
    """A sheet per table (title, headings, rows), each as `table_workbook` makes it."""
    book = Workbook(write_only=True)
    for title, headings, rows in tables:
        page = book.create_sheet(title[:31])
        page.freeze_panes = "A2"
        for index, heading in enumerate(headings, start=1):
            wanted = widths[index - 1] if widths else len(heading) + 2
            page.column_dimensions[get_column_letter(index)].width = max(10, min(40, wanted))
        page.append([_heading_cell(page, heading) for heading in headings])
        for values in rows:
            page.append([_typed_cell(page, _cut(value)) for value in values])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _heading_cell(page: Any, heading: str) -> Cell:
    cell = WriteOnlyCell(page, value=heading)
    cell.font = Font(bold=True)
    return cell


def _typed_cell(page: Any, value: Any) -> Cell:
    cell = WriteOnlyCell(page, value=value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    _never_formulas([cell])
    return cell
