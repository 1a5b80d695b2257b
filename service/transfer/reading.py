"""Reading a provider's spreadsheet (XLSX or CSV) into checked rows of one sheet.

A pure core: bytes in, plain data out; no database, no web, no settings. What depends
on the provider comes in as arguments: the translations of the headings (`headings`),
the allowed values of the closed choices (`choices`) and the language of the messages
(`translate`). Formulas are never evaluated: an XLSX cell gives the value the
spreadsheet saved with it. A row with any error is refused whole, so that an import
never takes half a row.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import get_day_names
from charset_normalizer import from_bytes
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from service.bounds import DB_INT_MAX, day_out_of_range
from service.transfer.sheets import N_, Column, Sheet

Translate = Callable[..., str]
"""`translate(message, **variables)`: the message in the reader's language, with
`%(name)s` filled in (as `service.i18n.gettext`)."""

Lookups = Mapping[str, Mapping[str, str]]
"""Each named list of choices, its values by how they are compared (see `_plain`)."""

Headings = Callable[[str], Iterable[str]]
"""Every translation of an English heading or sheet title, one per catalogue."""

CSV_DELIMITERS = ",;\t"
UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,  # a part the workbook names is missing
    OSError,
    EOFError,
    ValueError,  # a cell's value does not fit its type
    SyntaxError,  # damaged XML (ElementTree's and lxml's parse errors)
)
"""What openpyxl raises on a damaged workbook; our own errors are not among them."""
ENCODINGS = ("utf_8", "cp1252", "utf_16")  # what Excel saves CSV and Unicode text in
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
SNIFF_BYTES = 64 * 1024
WEEKDAY_LANGUAGES = ("en", "fi", "sv", "da", "lv", "ru")  # the languages Tupa speaks
TRUE_WORDS = frozenset({"yes", "true", "1", "kyllä", "ja", "jā", "да"})  # en fi sv da lv ru
FALSE_WORDS = frozenset({"no", "false", "0", "ei", "nej", "nē", "нет"})
MAX_COLUMNS = 200  # read of a workbook's rows, however wide a sheet claims to be
NUMBER_MAX = 10**9
WEIGHTED_CHOICE = re.compile(r"^(?P<choice>.+?):(?P<weight>\d+)$")  # "interaction:2"
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
NORDIC_DATE = re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4})\.?$")  # 31.1.2027, 31-01-2027
CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")  # 9:30, 09.30, 09:30:00

# The reasons, in English; each goes through `translate` where it is given.
NOT_A_SPREADSHEET = N_("%(file)s is not a spreadsheet: save it as XLSX or CSV.")
OLD_XLS = N_("%(file)s is an old Excel workbook (.xls): save it as XLSX or CSV.")
TOO_LARGE = N_("%(file)s is larger than %(limit)s MB.")
UNPACKS_TOO_LARGE = N_("%(file)s unpacks to more than %(limit)s MB.")
TOO_MANY_ROWS = N_("The sheet has more than %(limit)s rows: split it into several files.")
NO_HEADINGS = N_("The first row should hold the column headings, but it is empty.")
MISSING_COLUMN = N_("The required column is missing.")
TWICE = N_("Two columns have this heading.")
UNKNOWN_HEADING = N_("This column is not known, so it is left out.")
REQUIRED = N_("A value is required.")
NOT_WHOLE = N_("%(value)s is not a whole number.")
NOT_NUMBER = N_("%(value)s is not a number.")
OUT_OF_RANGE = N_("%(value)s is too large.")
NOT_AN_ID = N_("%(value)s is not a Tupa id.")
NOT_DATE = N_("%(value)s is not a date: write it as 2027-01-31 or 31.1.2027.")
NO_SUCH_DAY = N_("%(value)s is not a day of the calendar.")
DAY_OUTSIDE = N_("%(value)s is outside the dates Tupa accepts (1900-2199).")
NOT_TIME = N_("%(value)s is not a time of day: write it as 09:30.")
NOT_BOOL = N_("%(value)s is not yes or no.")
NOT_WEEKDAY = N_("%(value)s is not a weekday: write 1 (Monday) to 7 (Sunday) or its name.")
NOT_CHOICE = N_("%(value)s is not one of the choices.")
NOT_CHOICE_CLOSE = N_("%(value)s is not one of the choices. Did you mean %(match)s?")
NUL = N_("The text holds a NUL character, which cannot be stored.")
TOO_LONG = N_("The text is longer than %(limit)s characters.")


@dataclass(frozen=True)
class Limits:
    """What one import reads at most. A larger file or sheet is refused before it is
    read whole."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 20_000  # rows of records, the headings not counted
    max_text: int = 4000  # the longest text any field stores (an activity's description)
    max_unpacked_bytes: int = 100 * 1024 * 1024  # a workbook is a zip: what it unpacks to


LIMITS = Limits()


@dataclass(frozen=True)
class Problem:
    """Why a row (or the file, when `row` is 0) is refused, said for the reader."""

    row: int  # as the spreadsheet shows it; 0 for the file as a whole
    column: str  # the heading as the file has it, or as the template has it
    reason: str


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it (the headings are row 1)
    values: dict[str, Any]  # by column key; empty when the row is refused
    errors: tuple[Problem, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.errors)


@dataclass(frozen=True)
class ReadResult:
    rows: tuple[Row, ...] = ()
    errors: tuple[Problem, ...] = ()  # about the file: nothing of it can be taken
    notices: tuple[Problem, ...] = ()  # left out, e.g. unknown columns; the rows stand
    sheet_title: str = ""  # the sheet of a workbook that was read

    @property
    def taken(self) -> tuple[Row, ...]:
        """The rows without errors, or none when the file itself is refused."""
        return () if self.errors else tuple(row for row in self.rows if not row.refused)

    @property
    def refused(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.refused)


class CellError(ValueError):
    """A cell that does not hold what its column needs."""

    def __init__(self, message: str, **variables: Any) -> None:
        super().__init__(message)
        self.message = message
        self.variables = variables


@dataclass
class _Reading:
    """What reading one file needs beside its bytes."""

    sheet: Sheet
    filename: str
    headings: Headings
    choices: Lookups
    translate: Translate
    limits: Limits
    notices: list[Problem] = field(default_factory=list)

    def problem(self, row: int, column: str, message: str, **variables: Any) -> Problem:
        return Problem(row, column, self.translate(message, **variables))


def read_rows(
    data: bytes,
    filename: str,
    sheet: Sheet,
    *,
    headings: Headings,
    choices: Mapping[str, Sequence[str]],
    translate: Translate,
    limits: Limits = LIMITS,
) -> ReadResult:
    """The rows of `sheet` in an XLSX or CSV file, each parsed by its column's type.

    `filename` only names the file in messages; what the bytes are decides how they are
    read (a workbook saved with a .csv name is still read as a workbook). Nothing here
    raises on a damaged or hostile file: it is refused with a message."""
    reading = _Reading(sheet, filename, headings, _lookups(choices), translate, limits)
    if len(data) > limits.max_bytes:
        return _refused(reading, TOO_LARGE, limit=f"{limits.max_bytes / 1024 / 1024:g}")
    if data.startswith(OLE_MAGIC):
        return _refused(reading, OLD_XLS)
    if data.startswith(ZIP_MAGIC):
        return _read_workbook(reading, data)
    text = _decoded(data)
    if text is None:
        return _refused(reading, NOT_A_SPREADSHEET)
    try:
        return _read_table(reading, _csv_rows(text), sheet_title="")
    except csv.Error:  # e.g. a cell longer than the csv module reads
        return _refused(reading, NOT_A_SPREADSHEET)


def _refused(reading: _Reading, message: str, **variables: Any) -> ReadResult:
    """The whole file refused; messages about the file name it."""
    return ReadResult(errors=(reading.problem(0, "", message, file=reading.filename, **variables),))


# --- The two kinds of file -------------------------------------------------------------


def _read_workbook(reading: _Reading, data: bytes) -> ReadResult:
    """A sheet of an XLSX workbook, read as a stream (read-only mode) with the values
    its formulas last had, never evaluating them."""
    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > reading.limits.max_unpacked_bytes:
            limit = reading.limits.max_unpacked_bytes / 1024 / 1024
            return _refused(reading, UNPACKS_TOO_LARGE, limit=f"{limit:g}")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UNREADABLE:
        return _refused(reading, NOT_A_SPREADSHEET)
    try:
        page = _the_sheet(reading, book)
        if page is None:
            return _refused(reading, NOT_A_SPREADSHEET)
        rows = page.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        return _read_table(reading, rows, sheet_title=page.title)
    except UNREADABLE:
        return _refused(reading, NOT_A_SPREADSHEET)
    finally:
        book.close()


def _the_sheet(reading: _Reading, book: Any) -> Any:
    """The worksheet titled as the kind in any language, else the first one."""
    wanted = {
        _plain(title)
        for title in (
            reading.sheet.kind,
            reading.sheet.title,
            *reading.headings(reading.sheet.title),
        )
    }
    worksheets = list(book.worksheets)
    for page in worksheets:
        if _plain(page.title) in wanted:
            return page
    return worksheets[0] if worksheets else None


def _decoded(data: bytes) -> str | None:
    """The text of a CSV file: UTF-8 (with or without a byte order mark), Windows-1252
    or UTF-16 as Excel saves them; None when the bytes are not text."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf_8_sig"),
        (b"\xff\xfe", "utf_16"),
        (b"\xfe\xff", "utf_16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        text = data.decode("utf_8")
    except UnicodeDecodeError:
        best = from_bytes(data, cp_isolation=list(ENCODINGS)).best()
        if best is None:
            return None
        text = str(best)
    return None if "\x00" in text else text


def _csv_rows(text: str) -> Iterator[list[str]]:
    """The records of a CSV text, its delimiter found among comma, semicolon and tab
    (Excel writes semicolons where the decimal separator is a comma)."""
    sample = text[:SNIFF_BYTES]
    first_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    # The headings hold no decimals: the delimiter splits them into the most columns.
    most = max(CSV_DELIMITERS, key=first_line.count)
    if first_line.count(most) > first_line.count(delimiter):
        delimiter = most
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


# --- Headings and rows -----------------------------------------------------------------


def _read_table(
    reading: _Reading, records: Iterable[Sequence[Any]], sheet_title: str
) -> ReadResult:
    records = iter(records)
    header = next(records, None)
    cells = [_text_of(value) for value in header or ()]
    if not any(cells):
        return _refused(reading, NO_HEADINGS)
    columns, file_errors = _match_headings(reading, cells)
    if file_errors:
        return ReadResult(errors=tuple(file_errors), notices=tuple(reading.notices))
    rows: list[Row] = []
    for number, record in enumerate(records, start=2):
        if not any(_text_of(value) for value in record):
            continue  # an empty row between or after the records
        if number - 1 > reading.limits.max_rows:
            return _refused(reading, TOO_MANY_ROWS, limit=reading.limits.max_rows)
        rows.append(_read_row(reading, number, columns, record))
    return ReadResult(rows=tuple(rows), notices=tuple(reading.notices), sheet_title=sheet_title)


def _plain(text: str) -> str:
    """A heading as compared: case and spaces do not matter."""
    return "".join(text.split()).casefold()


def _match_headings(
    reading: _Reading, cells: list[str]
) -> tuple[dict[int, tuple[Column, str]], list[Problem]]:
    """The column of each position, by key or by heading in any language; the
    unknown headings as notices and the missing required columns as errors."""
    known: dict[str, Column] = {}
    for column in reading.sheet.columns:
        for name in (column.key, column.heading, *reading.headings(column.heading)):
            known.setdefault(_plain(name), column)
    found: dict[int, tuple[Column, str]] = {}
    errors: list[Problem] = []
    seen: set[str] = set()
    for position, heading in enumerate(cells):
        if not heading:
            continue
        matched = known.get(_plain(heading))
        if matched is None:
            reading.notices.append(reading.problem(1, heading, UNKNOWN_HEADING))
        elif matched.key in seen:
            errors.append(reading.problem(1, heading, TWICE))
        else:
            seen.add(matched.key)
            found[position] = (matched, heading)
    for column in reading.sheet.columns:
        if column.required and column.key not in seen:
            errors.append(reading.problem(1, reading.translate(column.heading), MISSING_COLUMN))
    return found, errors


def _read_row(
    reading: _Reading, number: int, columns: dict[int, tuple[Column, str]], record: Sequence[Any]
) -> Row:
    values: dict[str, Any] = {}
    errors: list[Problem] = []
    for position, (column, heading) in columns.items():
        raw = record[position] if position < len(record) else None
        try:
            values[column.key] = _parse(column, raw, reading.choices, reading.limits)
        except CellError as error:
            errors.append(reading.problem(number, heading, error.message, **error.variables))
    return Row(number, {} if errors else values, tuple(errors))


# --- Cells -----------------------------------------------------------------------------


def parse_cell(
    column: Column, raw: Any, choices: Mapping[str, Sequence[str]], limits: Limits = LIMITS
) -> Any:
    """The value of one cell for `column`, or CellError saying why it cannot be."""
    return _parse(column, raw, _lookups(choices), limits)


def _lookups(choices: Mapping[str, Sequence[str]]) -> Lookups:
    """Each list of choices by its values as compared, once for a whole file."""
    return {
        name: {_plain(choice): choice for choice in allowed} for name, allowed in choices.items()
    }


def _parse(column: Column, raw: Any, choices: Lookups, limits: Limits) -> Any:
    if _is_empty(raw):
        if column.required:
            raise CellError(REQUIRED)
        return {"text": "", "list": []}.get(column.type)  # else None
    if column.type == "choice" and column.choices == "weekdays":
        return parse_weekday(raw)
    parser = _PARSERS.get(column.type, _parse_text)
    if column.type in {"choice", "list"}:
        return parser(raw, choices.get(column.choices) if column.choices else None, limits)
    return parser(raw, limits)


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text_of(value: Any) -> str:
    """A cell as text: whole numbers without a trailing `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_text(raw: Any, limits: Limits) -> str:
    text = _text_of(raw)
    if "\x00" in text:
        raise CellError(NUL)
    if len(text) > limits.max_text:
        raise CellError(TOO_LONG, limit=limits.max_text)
    return text


def _parse_int(raw: Any, limits: Limits) -> int:
    if isinstance(raw, bool):
        raise CellError(NOT_WHOLE, value=raw)
    number = _decimal(raw)
    if number is None or number != number.to_integral_value():
        raise CellError(NOT_WHOLE, value=_text_of(raw))
    if abs(number) > DB_INT_MAX:
        raise CellError(OUT_OF_RANGE, value=_text_of(raw))
    return int(number)


def _parse_id(raw: Any, limits: Limits) -> int:
    try:
        number = _parse_int(raw, limits)
    except CellError:
        raise CellError(NOT_AN_ID, value=_text_of(raw)) from None
    if number < 1:
        raise CellError(NOT_AN_ID, value=_text_of(raw))
    return number


def _parse_number(raw: Any, limits: Limits) -> float:
    number = None if isinstance(raw, bool) else _decimal(raw)
    if number is None:
        raise CellError(NOT_NUMBER, value=_text_of(raw))
    if abs(number) > NUMBER_MAX:
        raise CellError(OUT_OF_RANGE, value=_text_of(raw))
    return float(number)


def _decimal(raw: Any) -> Decimal | None:
    """A number from a cell: 7, 7.5 or 7,5 (a decimal comma); None if it is not one."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        text = repr(raw)
    else:
        text = "".join(_text_of(raw).split()).replace("\u2212", "-")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parse_date(raw: Any, limits: Limits) -> date:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        text = _text_of(raw)
        iso, nordic = ISO_DATE.match(text), NORDIC_DATE.match(text)
        if iso:
            year, month, number = (int(part) for part in iso.groups())
        elif nordic:
            number, month, year = (int(part) for part in nordic.groups())
        else:
            raise CellError(NOT_DATE, value=text)
        try:
            day = date(year, month, number)
        except ValueError:
            raise CellError(NO_SUCH_DAY, value=text) from None
    if day_out_of_range(day):
        raise CellError(DAY_OUTSIDE, value=_text_of(raw))
    return day


def _parse_time(raw: Any, limits: Limits) -> time:
    if isinstance(raw, datetime):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    text = _text_of(raw)
    match = CLOCK.match(text)
    if not match:
        raise CellError(NOT_TIME, value=text)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59 or int(match[3] or 0) > 59:
        raise CellError(NOT_TIME, value=text)
    return time(hour, minute)


def _parse_bool(raw: Any, limits: Limits) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _text_of(raw).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(NOT_BOOL, value=_text_of(raw))


def _parse_choice(raw: Any, allowed: Mapping[str, str] | None, limits: Limits) -> str:
    """One of `allowed` as it is written there (case and spaces aside); any text when
    the list is not given, for the records to check. An unknown value names the
    closest choice."""
    text = _parse_text(raw, limits)
    if allowed is None:
        return text
    match = allowed.get(_plain(text))
    if match is not None:
        return match
    close = difflib.get_close_matches(_plain(text), list(allowed), n=1, cutoff=0.6)
    if close:
        raise CellError(NOT_CHOICE_CLOSE, value=text, match=allowed[close[0]])
    raise CellError(NOT_CHOICE, value=text)


def _parse_list(raw: Any, allowed: Mapping[str, str] | None, limits: Limits) -> list[str]:
    """The items of a `; `-separated cell, each one of `allowed` when that is given.
    An item may carry a weight, as an activity's goal domains do ("interaction:2")."""
    items = [item.strip() for item in _parse_text(raw, limits).split(";")]
    values = []
    for item in filter(None, items):
        weighted = WEIGHTED_CHOICE.match(item) if allowed is not None else None
        if weighted and _plain(item) not in (allowed or {}):
            choice = _parse_choice(weighted["choice"], allowed, limits)
            values.append(f"{choice}:{int(weighted['weight'])}")
        else:
            values.append(_parse_choice(item, allowed, limits))
    return values


def parse_weekday(raw: Any) -> int:
    """1 (Monday) to 7 (Sunday), from the number or the day's name in English,
    Finnish, Danish or Swedish, written out or shortened."""
    text = _text_of(raw)
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    number = WEEKDAY_NUMBERS.get(_plain(text).rstrip("."))
    if number is None:
        raise CellError(NOT_WEEKDAY, value=text)
    return number


def _weekday_numbers() -> dict[str, int]:
    """Each weekday name (wide and abbreviated, both grammatical contexts) to 1-7."""
    numbers: dict[str, int] = {}
    for language in WEEKDAY_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_day_names(width, context=context, locale=language)
                for index, name in names.items():
                    numbers[_plain(name).rstrip(".")] = int(index) + 1
    return numbers


WEEKDAY_NUMBERS = _weekday_numbers()

_PARSERS: dict[str, Callable[..., Any]] = {
    "id": _parse_id,
    "text": _parse_text,
    "int": _parse_int,
    "number": _parse_number,
    "date": _parse_date,
    "time": _parse_time,
    "bool": _parse_bool,
    "choice": _parse_choice,
    "list": _parse_list,
}
