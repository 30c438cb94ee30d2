"""Reading spreadsheets: what a person's file becomes, and the files refused."""

import io
import zipfile

import openpyxl
import pytest

from app.spreadsheets.sheet import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    SheetError,
    SheetFormat,
    format_of,
    read_table,
)


def csv_table(text: str, encoding: str = "utf-8"):
    return read_table(text.encode(encoding), SheetFormat.csv)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found_whichever_it_is(delimiter):
    text = delimiter.join(["Title", "Impact", "Keywords"]) + "\n"
    text += delimiter.join(["Distil a 7B model", "4", '"rlhf, distillation"']) + "\n"
    table = csv_table(text)
    assert table.headers == ["Title", "Impact", "Keywords"]
    assert table.rows == [["Distil a 7B model", "4", "rlhf, distillation"]]


def test_a_byte_order_mark_and_windows_line_ends_are_read():
    table = read_table("\ufeffTitle,Impact\r\nA,3\r\n".encode(), SheetFormat.csv)
    assert table.headers == ["Title", "Impact"] and table.rows == [["A", "3"]]


def test_latin1_text_is_refused_with_how_to_save_utf8():
    with pytest.raises(SheetError, match=r"not UTF-8.*CSV UTF-8"):
        csv_table("Title,Impact\nÉvaluation,3\n", encoding="latin-1")


def test_utf16_is_refused_as_not_a_csv_text():
    with pytest.raises(SheetError, match="CSV UTF-8"):
        csv_table("Title,Impact\nA,3\n", encoding="utf-16")


def test_a_delimiter_it_cannot_tell_apart_is_said():
    with pytest.raises(SheetError, match=r"Only one column.*colons"):
        csv_table("Title:Impact\nA:3\n")


def test_formulas_are_kept_as_the_text_they_are():
    table = csv_table('Title,Question\n"=HYPERLINK(""http://evil.example"",""x"")",=1+1\n')
    assert table.rows == [['=HYPERLINK("http://evil.example","x")', "=1+1"]]
    content = xlsx_bytes([["Title", "Question"], ['=HYPERLINK("http://evil.example","x")', 2]])
    assert read_table(content, SheetFormat.xlsx).rows == [
        ['=HYPERLINK("http://evil.example","x")', "2"]
    ]


def test_xlsx_reads_its_first_sheet_numbers_as_written():
    content = xlsx_bytes([["Title", "Impact", "Scoop risk"], ["A", 4, 0.5], [None, None, None]])
    table = read_table(content, SheetFormat.xlsx)
    assert table.headers == ["Title", "Impact", "Scoop risk"]
    assert table.rows == [["A", "4", "0.5"]]


def test_a_file_that_is_no_xlsx_is_refused():
    with pytest.raises(SheetError, match="not a zip"):
        read_table(b"Title,Impact\nA,3\n", SheetFormat.xlsx)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_UPLOAD_BYTES
    with pytest.raises(SheetError, match="unpacks to 60 MB"):
        read_table(buffer.getvalue(), SheetFormat.xlsx)


def test_too_many_rows_or_bytes_are_refused():
    with pytest.raises(SheetError, match=f"more than {MAX_ROWS:,} rows"):
        csv_table("Title\n" + "a\n" * (MAX_ROWS + 1))
    with pytest.raises(SheetError, match="larger than 5 MB"):
        read_table(b"a" * (MAX_UPLOAD_BYTES + 1), SheetFormat.csv)


def test_empty_files_and_other_formats_are_refused():
    with pytest.raises(SheetError, match="empty"):
        csv_table("\n\n")
    with pytest.raises(SheetError, match=r"\.xls"):
        format_of("plans.xls")
    with pytest.raises(SheetError, match=r"csv or \.xlsx"):
        format_of("plans.numbers")
