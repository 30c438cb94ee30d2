"""Reading an uploaded spreadsheet into a header and rows of text.

CSV goes through the standard library (its Sniffer finds the delimiter);
XLSX through openpyxl in read-only mode. Cells are kept as the text they
hold: a formula such as `=HYPERLINK(...)` is stored as that text, never
evaluated. Everything is bounded before it is read: the file's size, the
XLSX's uncompressed size (a zip bomb is refused unopened), rows, columns and
cell lengths.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import openpyxl

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 40
MAX_CELL_CHARS = 10_000
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",;\t|"


class SheetFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class SheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, in
    words for the person who chose it."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # each as long as headers
    delimiter: str = ""  # CSV only: what the sniffer found

    @property
    def row_count(self) -> int:
        return len(self.rows)


def format_of(filename: str) -> SheetFormat:
    name = filename.lower().strip()
    if name.endswith((".csv", ".tsv", ".txt")):
        return SheetFormat.csv
    if name.endswith(".xlsx"):
        return SheetFormat.xlsx
    if name.endswith(".xls"):
        raise SheetError(
            "This is an old Excel file (.xls): save it as .xlsx or CSV UTF-8 and upload that."
        )
    raise SheetError("Choose a .csv or .xlsx file.")


def read_table(content: bytes, sheet_format: SheetFormat) -> Table:
    if len(content) > MAX_UPLOAD_BYTES:
        raise SheetError(too_large_message())
    if not content.strip():
        raise SheetError("The file is empty.")
    if sheet_format is SheetFormat.xlsx:
        return _read_xlsx(content)
    return _read_csv(content)


def too_large_message() -> str:
    return (
        f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the most an import "
        f"takes ({MAX_ROWS:,} rows). Split it, or leave out columns you do not import."
    )


# ---------------------------------------------------------------- CSV


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SheetError(
            f"The file is not UTF-8 text (byte 0x{content[exc.start]:02x} at position "
            f"{exc.start:,} is not valid UTF-8). In Excel choose Save As → “CSV UTF-8”; in "
            "LibreOffice or Numbers export as CSV with the character set UTF-8."
        ) from None


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:_SNIFF_BYTES]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        # One column, or a sample the sniffer cannot decide: the header line
        # says which delimiter it uses, if any.
        counts = {d: first_line.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0:
            return csv.excel  # a single column: said below if it is not enough
        return type("HeaderDelimited", (csv.excel,), {"delimiter": best})
    return dialect


def _read_csv(content: bytes) -> Table:
    if b"\x00" in content:
        raise SheetError(
            "The file holds NUL bytes: it is not a CSV text file (UTF-16, or a binary file "
            "renamed .csv?). Save it as “CSV UTF-8” and upload that."
        )
    text = _decode(content)
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = _bounded(reader)
    except csv.Error as exc:
        raise SheetError(f"The CSV cannot be read at line {reader.line_num}: {exc}.") from None
    delimiter = getattr(dialect, "delimiter", ",")
    table = _table(records, delimiter=delimiter)
    if len(table.headers) == 1:
        header = table.headers[0]
        hint = next((d for d in ";\t|,:" if d in header), None)
        if hint is not None:
            raise SheetError(
                f"Only one column was found, and its header holds {_name(hint)}: the file's "
                "columns may be separated by something Goldfish could not tell apart. Save it "
                "as CSV with commas between columns."
            )
    return table


def _name(delimiter: str) -> str:
    names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars", ":": "colons"}
    return names[delimiter]


def _bounded(rows) -> list[list[str]]:
    records: list[list[str]] = []
    for record in rows:
        if len(records) > MAX_ROWS:  # the header plus MAX_ROWS rows
            raise SheetError(f"The file has more than {MAX_ROWS:,} rows; split it.")
        records.append(record)
    return records


def _table(records: list[list[str]], *, delimiter: str = "") -> Table:
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()  # trailing blank lines
    if not records:
        raise SheetError("The file is empty.")
    headers = [" ".join(cell.split()) for cell in records[0]]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (a spreadsheet's formatting)
    if not headers:
        raise SheetError("The first row is empty: it should name the columns.")
    if len(headers) > MAX_COLUMNS:
        raise SheetError(f"The file has {len(headers)} columns; at most {MAX_COLUMNS} are read.")
    width = len(headers)
    rows: list[list[str]] = []
    for record in records[1:]:
        cells = [cell if isinstance(cell, str) else "" for cell in record]
        if not any(cell.strip() for cell in cells):
            rows.append([""] * width)  # kept, so that row numbers match the file's
            continue
        if any(cell.strip() for cell in cells[width:]):
            # More cells than the header names: kept whole, refused per row.
            rows.append(cells)
            continue
        cells = cells[:width] + [""] * (width - len(cells))
        rows.append([cell[: MAX_CELL_CHARS + 1] for cell in cells])
    return Table(headers=headers, rows=rows, delimiter=delimiter)


# ---------------------------------------------------------------- XLSX


def _read_xlsx(content: bytes) -> Table:
    buffer = io.BytesIO(content)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise SheetError(
            "This is not an .xlsx file (it is not a zip archive): save it from your "
            "spreadsheet as .xlsx or CSV UTF-8."
        ) from None
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise SheetError(
            f"The .xlsx unpacks to {unpacked / 1024 / 1024:,.0f} MB, more than the "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB an import reads: save it as CSV."
        )
    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(f"The .xlsx cannot be read ({type(exc).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        records: list[list[str]] = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
            if len(records) > MAX_ROWS:
                raise SheetError(f"The first sheet has more than {MAX_ROWS:,} rows; split it.")
            records.append([_cell_text(value) for value in row])
    finally:
        workbook.close()
    return _table(records)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
