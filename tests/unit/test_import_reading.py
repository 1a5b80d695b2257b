"""Reading a provider's spreadsheet (service.transfer.reading): XLSX and CSV as Excel
saves them in Finnish and Danish locales, every refusal with its message, the limits,
and the export workbook read back into the same values."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Any

import pytest
from openpyxl import Workbook

from service.i18n import gettext, translations, use_language
from service.transfer.reading import (
    NOT_A_SPREADSHEET,
    NOT_CHOICE_CLOSE,
    CellError,
    Limits,
    ReadResult,
    parse_cell,
    read_rows,
)
from service.transfer.sheets import SHEETS, SHEETS_BY_KIND, as_row
from service.transfer.workbook import workbook_bytes

PARTICIPANTS = SHEETS_BY_KIND["participants"]
SLOTS = SHEETS_BY_KIND["slots"]
ACTIVITIES = SHEETS_BY_KIND["activities"]

# There is no Danish catalogue yet: these stand for it, as the caller passes every
# catalogue's headings to the reader.
DANISH = {
    "Participants": "Deltagere",
    "Name": "Navn",
    "Referral date": "Henvisningsdato",
    "Hours a week": "Timer om ugen",
    "Animals are fine": "Dyr er i orden",
    "Language": "Sprog",
}

CHOICES: dict[str, list[str]] = {
    "languages": ["en", "fi"],
    "sites": ["Pajatalo", "Mäkelän tila"],
    "partners": ["Mäkelän tila"],
    "activities": ["Woodwork", "Horse care"],
    "activity_kinds": ["workshop", "green_care"],
    "partner_kinds": ["farm", "association"],
    "roles": ["admin", "coordinator", "staff", "partner"],
    "domains": ["everyday_living", "interaction", "work_and_study"],
    "participant_statuses": ["active", "paused"],
    "goal_statuses": ["open", "reached"],
    "placement_statuses": ["active", "ended"],
    "weekdays": [str(day) for day in range(1, 8)],
}


def say(message: str, **variables: Any) -> str:
    return message % variables if variables else message


def every_heading(english: str) -> list[str]:
    return [translations("fi").gettext(english), DANISH.get(english, english)]


def read(data: bytes, sheet=PARTICIPANTS, name: str = "file.csv", **kwargs: Any) -> ReadResult:
    return read_rows(
        data, name, sheet, headings=every_heading, choices=CHOICES, translate=say, **kwargs
    )


def reasons(result: ReadResult) -> list[tuple[int, str, str]]:
    problems = [*result.errors, *(e for row in result.rows for e in row.errors)]
    return [(p.row, p.column, p.reason) for p in problems]


def xlsx(*pages: tuple[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in pages:
        page = book.create_sheet(title)
        for row in rows:
            page.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_a_workbook_sheet_is_found_by_its_title_in_any_language_and_read_by_value():
    data = xlsx(
        ("Ohje", [["Täytä osallistujat toiselle välilehdelle"]]),
        (
            "Osallistujat",
            [
                ["Nimi", "Lähetepäivä", "Tunteja viikossa", "Kertoja päivässä enintään", "Kieli"],
                ["Maija", datetime(2026, 11, 2), 7.5, "=1+2", "FI"],
                [None, None, None, None, None],  # an empty row is passed over
                ["Pekka", "3.11.2026", "6", 1, None],
            ],
        ),
    )
    result = read(data, name="osallistujat.xlsx")
    assert result.sheet_title == "Osallistujat"
    assert result.errors == () and result.notices == ()
    maija, pekka = result.taken
    assert maija.number == 2 and pekka.number == 4  # as the spreadsheet numbers them
    assert maija.values["name"] == "Maija"
    assert maija.values["referral_date"] == date(2026, 11, 2)
    assert maija.values["weekly_hours"] == 7.5
    # The formula was saved without a value (openpyxl does not compute): it is never
    # evaluated, so the cell reads as empty rather than 3.
    assert maija.values["max_sessions_per_day"] is None
    assert maija.values["language"] == "fi"  # as the choice is written
    assert pekka.values["referral_date"] == date(2026, 11, 3)
    assert pekka.values["weekly_hours"] == 6.0
    assert pekka.values["language"] is None
    assert "contact" not in pekka.values  # a column the file lacks is left as it is


def test_a_formula_gives_the_value_the_spreadsheet_saved_with_it():
    data = xlsx(("Participants", [["name", "weekly_hours", "contact"], ["Maija", "=2*3", "=A2"]]))
    # As Excel saves a workbook: each formula with the value it last computed.
    data = _with_sheet_xml(
        data,
        lambda xml: xml.replace(b"<f>2*3</f><v />", b"<f>2*3</f><v>6.5</v>").replace(
            b'<c r="C2"><f>A2</f><v />', b'<c r="C2" t="str"><f>A2</f><v>Maija</v>'
        ),
    )
    (row,) = read(data, name="book.xlsx").taken
    assert row.values == {"name": "Maija", "weekly_hours": 6.5, "contact": "Maija"}


def _with_sheet_xml(data: bytes, change: Any) -> bytes:
    """The workbook with its first sheet's XML changed by `change`."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(member, content)
    return output.getvalue()


def test_without_a_sheet_of_the_kind_the_first_one_is_read():
    data = xlsx(("Taulukko1", [["name", "WEEKLY_HOURS"], ["Maija", 3]]), ("Other", [["x"]]))
    result = read(data, name="data.xlsx")
    assert result.sheet_title == "Taulukko1"
    assert [row.values["weekly_hours"] for row in result.taken] == [3.0]


def test_excel_finnish_csv_utf8_with_bom_and_semicolons():
    text = (
        "Nimi;Lähetepäivä;Tunteja viikossa;Eläimet sopivat;Toimipaikat, joihin osallistuja pääsee\r\n"
        "Äijä Öhman;2.1.2027;7,5;kyllä;Pajatalo; mäkelän TILA\r\n"
    )
    text = text.replace("Pajatalo; mäkelän TILA", '"Pajatalo; mäkelän TILA"')
    result = read(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert reasons(result) == []
    (row,) = result.taken
    assert row.values["name"] == "Äijä Öhman"
    assert row.values["referral_date"] == date(2027, 1, 2)
    assert row.values["weekly_hours"] == 7.5
    assert row.values["animal_contact_allowed"] is True
    assert row.values["sites"] == ["Pajatalo", "Mäkelän tila"]


def test_excel_danish_csv_windows_1252_with_semicolons():
    text = (
        "Navn;Henvisningsdato;Timer om ugen;Dyr er i orden;Sprog\r\n"
        "Søren Ærøskøbing;31-01-2027;12,25;nej;en\r\n"
        "Åse Blåbær;1.2.2027;3;ja;\r\n"
    )
    result = read(text.encode("cp1252"), name="deltagere.csv")
    assert reasons(result) == []
    soren, aase = result.taken
    assert soren.values["name"] == "Søren Ærøskøbing"
    assert soren.values["referral_date"] == date(2027, 1, 31)
    assert soren.values["weekly_hours"] == 12.25
    assert soren.values["animal_contact_allowed"] is False
    assert aase.values["name"] == "Åse Blåbær" and aase.values["language"] is None


def test_comma_and_tab_separated_files_are_read_too():
    for delimiter in (",", "\t"):
        text = delimiter.join(["name", "weekly_hours"]) + "\n" + delimiter.join(["Maija", "4"])
        (row,) = read(text.encode()).taken
        assert row.values == {"name": "Maija", "weekly_hours": 4.0}


def test_weekdays_are_numbers_or_names_in_four_languages():
    rows = [["Activity", "Weekday (1 = Monday)", "Starts", "Ends", "Valid from"]]
    days = ["1", "keskiviikko", "torstaina", "onsdag", "fre.", "Måndag", "Sun", "7"]
    rows += [["Woodwork", day, "9.00", "12:00:00", "2027-01-04"] for day in days]
    result = read(xlsx(("Weekly slots", rows)), sheet=SLOTS, name="slots.xlsx")
    assert reasons(result) == []
    assert [row.values["weekday"] for row in result.taken] == [1, 3, 4, 3, 5, 1, 7, 7]
    assert {row.values["start"] for row in result.taken} == {time(9, 0)}
    assert {row.values["end"] for row in result.taken} == {time(12, 0)}


def test_every_bad_cell_is_refused_with_the_row_the_column_and_the_reason():
    header = "Nimi;Lähetepäivä;Tunteja viikossa;Kertoja päivässä enintään;Eläimet sopivat;Kieli;Toimipaikat, joihin osallistuja pääsee;Yhteystiedot"
    cases = {
        " ;;3": ("Nimi", "A value is required."),
        "A;31.2.2027": ("Lähetepäivä", "31.2.2027 is not a day of the calendar."),
        "A;2027-02-30": ("Lähetepäivä", "2027-02-30 is not a day of the calendar."),
        "A;2/1/2027": (
            "Lähetepäivä",
            "2/1/2027 is not a date: write it as 2027-01-31 or 31.1.2027.",
        ),
        "A;1.1.1850": (
            "Lähetepäivä",
            "1.1.1850 is outside the dates Tupa accepts (1900-2199).",
        ),
        "A;;seitsemän": ("Tunteja viikossa", "seitsemän is not a number."),
        "A;;7,5,1": ("Tunteja viikossa", "7,5,1 is not a number."),
        "A;;nan": ("Tunteja viikossa", "nan is not a number."),
        "A;;;1,5": ("Kertoja päivässä enintään", "1,5 is not a whole number."),
        "A;;;99999999999": ("Kertoja päivässä enintään", "99999999999 is too large."),
        "A;;;;ehkä": ("Eläimet sopivat", "ehkä is not yes or no."),
        "A;;;;;sv": ("Kieli", "sv is not one of the choices."),
        "A;;;;;;Pajatlo": (
            "Toimipaikat, joihin osallistuja pääsee",
            "Pajatlo is not one of the choices. Did you mean Pajatalo?",
        ),
        "A;;;;;;Pajatalo; Ranta": (
            "Toimipaikat, joihin osallistuja pääsee",
            "Ranta is not one of the choices.",
        ),
        "A;;;;;;;" + "x" * 4001: ("Yhteystiedot", "The text is longer than 4000 characters."),
    }
    for line, (column, reason) in cases.items():
        result = read(f"{header}\n{_quoted(line)}\n".encode())
        assert result.taken == (), line
        assert reasons(result) == [(2, column, reason)], line


def _quoted(line: str) -> str:
    """A test line as a CSV record: "Pajatalo; Ranta" stays one (quoted) list cell."""
    cells = line.replace("; ", "\x01").split(";")
    return ";".join(f'"{cell}"' if "\x01" in cell else cell for cell in cells).replace("\x01", "; ")


def test_a_nul_character_is_never_taken():
    # XML cannot hold one, so a workbook never has it; in a CSV it marks a binary file.
    contact = next(column for column in PARTICIPANTS.columns if column.key == "contact")
    with pytest.raises(CellError) as refused:
        parse_cell(contact, "a\x00b", CHOICES)
    assert refused.value.message == "The text holds a NUL character, which cannot be stored."
    assert reasons(read(b"name;contact\nMaija;a\x00b\n")) == [
        (0, "", "file.csv is not a spreadsheet: save it as XLSX or CSV.")
    ]


def test_a_row_with_any_error_is_refused_whole_and_the_others_are_taken():
    text = "name;referral_date;weekly_hours\nMaija;2.1.2027;6\nPekka;2.1.2027;many\nLiisa;;\n"
    result = read(text.encode())
    assert [row.number for row in result.taken] == [2, 4]
    (refused,) = result.refused
    assert refused.number == 3 and refused.values == {}
    assert reasons(result) == [(3, "weekly_hours", "many is not a number.")]


def test_times_weekdays_ids_and_choices_of_slots_are_checked():
    header = "Tupa id,Activity,Weekday (1 = Monday),Starts,Ends,Valid from\n"
    cases = {
        "0,Woodwork,1,9:00,10:00,2027-01-04": ("Tupa id", "0 is not a Tupa id."),
        "x,Woodwork,1,9:00,10:00,2027-01-04": ("Tupa id", "x is not a Tupa id."),
        "1,Woodwork,8,9:00,10:00,2027-01-04": (
            "Weekday (1 = Monday)",
            "8 is not a weekday: write 1 (Monday) to 7 (Sunday) or its name.",
        ),
        "1,Woodwork,Funday,9:00,10:00,2027-01-04": (
            "Weekday (1 = Monday)",
            "Funday is not a weekday: write 1 (Monday) to 7 (Sunday) or its name.",
        ),
        "1,Woodwork,1,25:00,10:00,2027-01-04": (
            "Starts",
            "25:00 is not a time of day: write it as 09:30.",
        ),
        "1,Woodwork,1,9.75,10:00,2027-01-04": (
            "Starts",
            "9.75 is not a time of day: write it as 09:30.",
        ),
        "1,Woodwork,1,9:00,noon,2027-01-04": (
            "Ends",
            "noon is not a time of day: write it as 09:30.",
        ),
        "1,Wodwork,1,9:00,10:00,2027-01-04": (
            "Activity",
            "Wodwork is not one of the choices. Did you mean Woodwork?",
        ),
    }
    for line, (column, reason) in cases.items():
        result = read((header + line + "\n").encode(), sheet=SLOTS)
        assert reasons(result) == [(2, column, reason)], line


def test_goal_domains_are_checked_with_or_without_a_weight():
    header = "title,kind,site,domains\n"
    good = read(
        (header + 'Woodwork,workshop,Pajatalo,"interaction:2; Work_and_study"\n').encode(),
        sheet=ACTIVITIES,
    )
    assert good.taken[0].values["domains"] == ["interaction:2", "work_and_study"]
    bad = read(
        (header + 'Woodwork,workshop,Pajatalo,"interaction:2; wellbeing:1"\n').encode(),
        sheet=ACTIVITIES,
    )
    assert reasons(bad) == [(2, "domains", "wellbeing is not one of the choices.")]


def test_headings_are_matched_by_key_or_in_any_language_and_unknown_ones_are_said():
    text = "  NAME ;Tunteja  viikossa;Shoe size;Timer om ugen\nMaija;3;42;4\n"
    result = read(text.encode())
    assert [(p.row, p.column, p.reason) for p in result.errors] == [
        (1, "Timer om ugen", "Two columns have this heading.")
    ]
    assert result.taken == ()
    result = read(b"  NAME ;Tunteja  viikossa;Shoe size\nMaija;3;42\n")
    assert [(p.column, p.reason) for p in result.notices] == [
        ("Shoe size", "This column is not known, so it is left out.")
    ]
    assert result.taken[0].values == {"name": "Maija", "weekly_hours": 3.0}


def test_a_missing_required_column_refuses_the_file():
    result = read(b"Tunteja viikossa\n3\n")
    assert reasons(result) == [(1, "Name", "The required column is missing.")]
    assert result.taken == ()
    assert reasons(read(b"\n\nname\n")) == [
        (0, "", "The first row should hold the column headings, but it is empty.")
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"%PDF-1.7\n\x00\x01\x02\xff\xfe\x00binary",
            "upload.xlsx is not a spreadsheet: save it as XLSX or CSV.",
        ),
        (
            b"PK\x03\x04not really a zip",
            "upload.xlsx is not a spreadsheet: save it as XLSX or CSV.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
            "upload.xlsx is an old Excel workbook (.xls): save it as XLSX or CSV.",
        ),
        (b"", "The first row should hold the column headings, but it is empty."),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_gets_one_clear_error(data, reason):
    result = read(data, name="upload.xlsx")
    assert reasons(result) == [(0, "", reason)]


def test_a_damaged_or_hostile_workbook_is_refused_not_raised():
    data = xlsx(("Participants", [["name"], ["Maija"]]))
    maija = b'<c r="A2" t="inlineStr"><is><t>Maija</t></is></c>'
    damaged = [
        _with_sheet_xml(data, lambda xml: xml[: len(xml) // 2]),  # cut short
        _with_sheet_xml(data, lambda xml: xml.replace(maija, b'<c r="A2" t="n"><v>x</v></c>')),
        _with_sheet_xml(data, _billion_laughs),
    ]
    for broken in damaged:
        assert reasons(read(broken, name="upload.xlsx")) == [
            (0, "", "upload.xlsx is not a spreadsheet: save it as XLSX or CSV.")
        ]


def _billion_laughs(xml: bytes) -> bytes:
    """The sheet with an entity that expands to a billion characters in a cell."""
    entities = b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1)) * 10) for n in range(1, 10)
    )
    doctype = b'<!DOCTYPE lolz [<!ENTITY lol0 "lollollollollollollollollollol">' + entities + b"]>"
    body = xml.split(b"?>", 1)[-1].replace(b"<t>Maija</t>", b"<t>&lol9;</t>")
    return b'<?xml version="1.0"?>' + doctype + body


def test_a_50_mb_file_is_refused_before_it_is_read():
    data = b"name\n" + b"x" * (50 * 1024 * 1024)
    assert reasons(read(data)) == [(0, "", "file.csv is larger than 10 MB.")]


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read():
    data = xlsx(("Participants", [["name"], ["Maija"]]))
    padded = _with_sheet_xml(data, lambda xml: xml + b" " * (3 * 1024 * 1024))
    assert len(padded) < 1024 * 1024  # spaces pack small
    limits = Limits(max_unpacked_bytes=2 * 1024 * 1024)
    assert reasons(read(padded, limits=limits)) == [(0, "", "file.csv unpacks to more than 2 MB.")]
    assert len(read(data, limits=limits).taken) == 1


def test_a_sheet_with_100000_rows_is_refused_with_a_message():
    data = b"name\n" + b"Maija\n" * 100_000
    assert reasons(read(data)) == [
        (0, "", "The sheet has more than 20000 rows: split it into several files.")
    ]
    exactly = read(b"name\n" + b"Maija\n" * 20_000)
    assert len(exactly.taken) == 20_000
    rows = [["name"], *([f"P{n}"] for n in range(60))]
    small = Limits(max_rows=50)
    assert reasons(read(xlsx(("Participants", rows)), limits=small)) == [
        (0, "", "The sheet has more than 50 rows: split it into several files.")
    ]


def test_the_export_workbook_reads_back_into_the_same_values():
    records = _typed_records()
    data = workbook_bytes(
        {
            kind: [as_row(SHEETS_BY_KIND[kind], row) for row in rows]
            for kind, rows in records.items()
        },
        say,
    )
    for sheet in SHEETS:
        result = read_rows(
            data, "export.xlsx", sheet, headings=every_heading, choices=CHOICES, translate=say
        )
        assert result.sheet_title == sheet.title
        assert reasons(result) == [] and result.notices == (), sheet.kind
        expected = [
            {key: row.get(key, _empty(sheet, key)) for key in sheet.keys}
            for row in records[sheet.kind]
        ]
        assert [row.values for row in result.taken] == expected, sheet.kind


def test_a_finnish_export_reads_back_too():
    finnish = translations("fi").gettext
    records = _typed_records()
    data = workbook_bytes(
        {
            kind: [as_row(SHEETS_BY_KIND[kind], row) for row in rows]
            for kind, rows in records.items()
        },
        finnish,
    )
    for sheet in SHEETS:
        result = read_rows(
            data, "vienti.xlsx", sheet, headings=every_heading, choices=CHOICES, translate=say
        )
        assert result.sheet_title == finnish(sheet.title)
        assert reasons(result) == [] and result.notices == (), sheet.kind
        assert len(result.taken) == len(records[sheet.kind])
        assert set(result.taken[0].values) == set(sheet.keys), sheet.kind


def _empty(sheet, key: str) -> Any:
    type_ = next(column.type for column in sheet.columns if column.key == key)
    return {"text": "", "list": []}.get(type_)


def _typed_records() -> dict[str, list[dict[str, Any]]]:
    """Records of every kind as the export's queries give them (weekdays 1-7)."""
    return {
        "partners": [
            {
                "id": 1,
                "name": "Mäkelän tila",
                "kind": "farm",
                "contact_name": "Liisa",
                "phone": "+358 40 123",
                "email": "l@example.org",
                "notes": '=HYPERLINK("x")',
            },
        ],
        "sites": [
            {
                "id": 1,
                "name": "Pajatalo",
                "partner": None,
                "address": "Rantakatu 4",
                "country": "FI",
                "time_zone": "Europe/Helsinki",
                "features": ["ramp", "step_free"],
            },
            {"id": 2, "name": "Mäkelän tila", "partner": "Mäkelän tila", "features": []},
        ],
        "staff": [
            {
                "id": 3,
                "name": "Olli",
                "email": "olli@example.org",
                "role": "staff",
                "language": "fi",
                "sites": ["Mäkelän tila", "Pajatalo"],
                "active": True,
            },
        ],
        "activities": [
            {
                "id": 4,
                "title": "Woodwork",
                "kind": "workshop",
                "site": "Pajatalo",
                "description": "Line one\nline two",
                "demand_level": 2,
                "min_participants": 2,
                "max_participants": 8,
                "participants_per_staff": 4,
                "animal_contact": False,
                "domains": ["interaction:2", "work_and_study:1"],
                "skills": ["hand tools"],
                "active": True,
            },
        ],
        "slots": [
            {
                "id": 5,
                "activity": "Woodwork",
                "site": "Pajatalo",
                "weekday": 3,
                "start": time(9, 0),
                "end": time(12, 30),
                "valid_from": date(2027, 1, 4),
                "valid_until": None,
                "room": "Hall",
                "staff": ["olli@example.org"],
            },
        ],
        "participants": [
            {
                "id": 6,
                "name": "Maija",
                "language": "fi",
                "contact": "040 123 4567",
                "referral_date": date(2026, 11, 2),
                "plan_start": date(2026, 12, 1),
                "plan_end": date(2027, 6, 30),
                "status": "active",
                "contact_staff": "olli@example.org",
                "weekly_hours": 7.5,
                "max_sessions_per_day": 1,
                "demand_tolerance": 3,
                "animal_contact_allowed": True,
                "available": ["1 09:00-15:00", "3 09:00-12:00"],
                "sites": ["Pajatalo"],
                "needs": ["quiet_space"],
                "strengths": ["drawing"],
            },
        ],
        "goals": [
            {
                "id": 7,
                "participant_id": 6,
                "participant": "Maija",
                "text": "Out of the house twice a week.",
                "priority": 2,
                "status": "open",
                "domains": ["everyday_living"],
            },
        ],
        "placements": [
            {
                "id": 8,
                "participant_id": 6,
                "participant": "Maija",
                "slot_id": 5,
                "activity": "Woodwork",
                "weekday": 3,
                "start": time(9, 0),
                "start_date": date(2027, 1, 4),
                "end_date": None,
                "status": "active",
                "pinned": False,
            },
        ],
    }


def test_the_reasons_are_said_in_the_readers_language():
    """The reader's messages are marked for translation, and the caller's `translate`
    (the app's gettext) says them in the reader's language."""
    with use_language("fi"):
        assert gettext(NOT_A_SPREADSHEET, file="lista.txt") == (
            "lista.txt ei ole taulukko: tallenna se XLSX- tai CSV-muodossa."
        )
        assert "Tarkoititko Pajatalo?" in gettext(NOT_CHOICE_CLOSE, value="Paja", match="Pajatalo")
