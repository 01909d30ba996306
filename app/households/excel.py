"""Reading uploaded spreadsheets (.xlsx, .csv) with bounded memory and time, whatever they hold.

Nothing a file declares is believed before it is counted. An .xlsx is a zip of XML: it is read
here with the standard library's zipfile and expat, streaming, not with openpyxl (whose reader
pads every row to the declared width and holds a whole row of cells at once), so that

- the upload is read up to IMPORT_MAX_BYTES, never further;
- every XML part is decompressed through one budget (IMPORT_MAX_UNZIPPED_BYTES in all), so a zip
  bomb stops at the budget, whatever sizes its directory claims;
- a sheet that declares more rows or columns than the limits is refused before its rows are
  read, a row with more cells than IMPORT_MAX_COLUMNS allows is refused at the cell that
  exceeds it, and processed rows are dropped from memory as the parse goes;
- a cell longer than IMPORT_MAX_CELL_CHARS is refused, naming its row and column;
- DTDs (and so entity expansion) are refused.

A .csv is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), or GB 18030
(a superset of GBK, which Excel on Chinese Windows writes), and refused if it is none of them.
Every refusal is an ApiError with a Chinese message.
"""
import codecs
import csv
import functools
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from flask import current_app

from app.errors import ApiError
from app.messages import IMPORT

MB = 1024 * 1024
DEFAULTS = {
    "IMPORT_MAX_BYTES": 5 * MB,
    "IMPORT_MAX_ROWS": 20000,
    "IMPORT_MAX_COLUMNS": 64,
    "IMPORT_MAX_UNZIPPED_BYTES": 64 * MB,
    "IMPORT_MAX_CELL_CHARS": 1000,
    "IMPORT_MAX_SHEETS": 10,
}
CHUNK = 64 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other OLE files)
DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?(\d{1,9})$")
INTEGER = re.compile(r"^-?\d{1,30}$")
REL_OFFICE = "officeDocument"


@dataclass
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_unzipped: int
    max_cell_chars: int
    max_sheets: int

    @classmethod
    def from_config(cls):
        get = current_app.config.get
        return cls(*(int(get(key, default)) for key, default in DEFAULTS.items()))


@dataclass
class Table:
    """One sheet (or the CSV): its header cells and its non-empty rows, numbered as Excel shows them."""

    sheet: str
    header: list
    rows: list = field(default_factory=list)  # [(row number, [cell, ...])]


def refuse(key, status=422, **values):
    return ApiError(IMPORT[key].format(**values), code="import_refused", status=status)


def read_upload(filename, stream, limits):
    """The tables of an uploaded file; its first non-empty row is each table's header."""
    data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise refuse("too_large", 413, mb=round(limits.max_bytes / MB, 1))
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix == ".csv":
        return [read_csv(data, limits)]
    if suffix not in (".xlsx", ".xlsm"):
        raise refuse("bad_type")
    if data.startswith(OLE):
        raise refuse("old_xls")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise refuse("not_xlsx")
    try:
        return XlsxReader(data, limits).tables()
    except (zipfile.BadZipFile, ET.ParseError, KeyError, IndexError, ValueError, EOFError, NotImplementedError):
        raise refuse("broken") from None


# --- .csv ------------------------------------------------------------------------------------


def decode(data):
    if data.startswith(codecs.BOM_UTF8):
        candidates, data = ("utf-8",), data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("encoding")


def read_csv(data, limits):
    text = decode(data)
    first = text[:text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first and "," not in first else ","
    table = None
    physical = 0
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            physical += 1
            cells = _bounded_row(row, number, limits, "CSV")
            table = _add_row(table, "CSV", number, cells, limits)
    except csv.Error:  # a field past the csv module's own limit, a NUL byte, an unclosed quote
        raise refuse("broken") from None
    return table or Table("CSV", [])


def _bounded_row(row, number, limits, sheet):
    if len(row) > limits.max_columns and any(str(v).strip() for v in row[limits.max_columns:]):
        raise refuse("too_many_columns", sheet=sheet, row=number, max=limits.max_columns)
    row = row[:limits.max_columns]
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise refuse("cell_too_long", sheet=sheet, row=number, column=column, max=limits.max_cell_chars)
    return row


def _add_row(table, sheet, number, cells, limits):
    """The first non-empty row is the header; later non-empty rows are data, up to the limit."""
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
        return table
    if table is None:
        return Table(sheet, [("" if v is None else str(v)).strip() for v in cells])
    if len(table.rows) >= limits.max_rows:
        raise refuse("too_many_rows", sheet=sheet, max=limits.max_rows)
    table.rows.append((number, cells))
    return table


# --- .xlsx -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)  # a handful of tags (and a hostile file's many) looked up per element
def _local(tag):
    return tag.rsplit("}", 1)[-1]


@functools.lru_cache(maxsize=4096)
def _column_number(letters):
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class XlsxReader:
    def __init__(self, data, limits):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.limits = limits
        self.left = limits.max_unzipped  # one budget for every part read

    def tables(self):
        book = self._path_of(self._rels("_rels/.rels"), REL_OFFICE, "xl/workbook.xml")
        sheets = [(el.get("name") or "", el.get(next((k for k in el.attrib if _local(k) == "id"), "")))
                  for el in self._elements(book, "sheet")]
        if len(sheets) > self.limits.max_sheets:
            raise refuse("too_many_sheets", n=self.limits.max_sheets)
        rels = self._rels(self._rels_path(book))
        shared_path = self._path_of(rels, "sharedStrings", None, base=book)
        shared = self._shared_strings(shared_path) if shared_path else []
        out = []
        for name, rid in sheets:
            target = rels.get(rid)
            if target and target[0].endswith("worksheet"):
                table = self._sheet(self._resolve(book, target[1]), name, shared)
                if table is not None:
                    out.append(table)
        return out

    # parts of the package

    def _open(self, path):
        info = self.zip.getinfo(path)
        if info.file_size > self.left:
            raise refuse("unzipped_too_large", mb=round(self.limits.max_unzipped / MB))
        return self.zip.open(info)

    def _events(self, path, events=("end",)):
        """(event, element) of one XML part, streamed through the budget; DTDs refused."""
        parser = ET.XMLPullParser(events=events)
        tail = b""
        with self._open(path) as raw:
            while True:
                chunk = raw.read(CHUNK)
                if not chunk:
                    break
                self.left -= len(chunk)
                if self.left < 0:
                    raise refuse("unzipped_too_large", mb=round(self.limits.max_unzipped / MB))
                if DTD.search(tail + chunk):
                    raise refuse("broken")
                tail = chunk[-16:]
                parser.feed(chunk)
                yield from parser.read_events()
        parser.close()
        yield from parser.read_events()

    def _elements(self, path, name):
        for event, el in self._events(path):
            if event == "end" and _local(el.tag) == name:
                yield el

    def _rels(self, path):
        if path not in self.zip.NameToInfo:
            return {}
        return {el.get("Id"): (el.get("Type") or "", el.get("Target") or "")
                for el in self._elements(path, "Relationship")}

    @staticmethod
    def _rels_path(part):
        p = PurePosixPath(part)
        return str(p.parent / "_rels" / (p.name + ".rels"))

    @staticmethod
    def _resolve(base, target):
        if target.startswith("/"):
            return target.lstrip("/")
        parts = []
        for piece in (str(PurePosixPath(base).parent) + "/" + target).split("/"):
            if piece == ".." and parts:
                parts.pop()
            elif piece != ".." and piece not in ("", "."):
                parts.append(piece)
        return "/".join(parts)

    def _path_of(self, rels, kind, default, base=""):
        for rel_type, target in rels.values():
            if rel_type.endswith("/" + kind):
                return self._resolve(base, target) if base else target.lstrip("/")
        return default

    def _shared_strings(self, path):
        strings, root = [], None
        for event, el in self._events(path, ("start", "end")):
            if event == "start":
                root = el if root is None else root
                continue
            if _local(el.tag) == "si":
                strings.append(_text_of(el))
                root.clear()  # keep nothing but the list of strings
        return strings

    def _sheet(self, path, name, shared):
        limits, table = self.limits, None
        cells_in_row, physical, last_row = 0, 0, 0
        for _event, el in self._events(path):
            tag = _local(el.tag)
            if tag == "c":
                cells_in_row += 1
                if cells_in_row > 4 * limits.max_columns:  # before the row ends: never hold a huge row
                    raise refuse("too_many_columns", sheet=name, row=last_row + 1, max=limits.max_columns)
            elif tag == "row":
                physical += 1
                if physical > 2 * (limits.max_rows + 1):
                    raise refuse("too_many_rows", sheet=name, max=limits.max_rows)
                number = int(el.get("r") or last_row + 1)
                cells = self._row(el, name, number, shared)
                el.clear()
                cells_in_row, last_row = 0, number
                table = _add_row(table, name, number, cells, limits)
            elif tag == "dimension":
                self._check_dimension(el.get("ref") or "", name)
            elif tag == "sheetData":
                break  # what follows the cells (merges, validations, drawings) is not read
        return table

    def _check_dimension(self, ref, name):
        last = REF.match(ref.split(":")[-1])
        if last is None:
            return
        columns, rows = _column_number(last.group(1)), int(last.group(2))
        if columns > self.limits.max_columns or rows > self.limits.max_rows + 1:
            raise refuse("declared_too_big", sheet=name, rows=rows, columns=columns,
                         max_rows=self.limits.max_rows, max_columns=self.limits.max_columns)

    def _row(self, row, sheet, number, shared):
        limits, values, next_column = self.limits, {}, 1
        for c in row:
            if _local(c.tag) != "c":
                continue
            ref = REF.match(c.get("r") or "")
            column = _column_number(ref.group(1)) if ref else next_column
            next_column = column + 1
            value = _value(c, shared)
            if column > limits.max_columns:
                if value not in (None, ""):
                    raise refuse("too_many_columns", sheet=sheet, row=number, max=limits.max_columns)
                continue
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise refuse("cell_too_long", sheet=sheet, row=number, column=column, max=limits.max_cell_chars)
            values[column] = value
        width = max(values, default=0)
        return [values.get(i) for i in range(1, width + 1)]


def _text_of(el):
    """The text of a string item: its <t>, or its rich-text runs' <t>; phonetic guides (<rPh>) left out."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _value(c, shared):
    kind = c.get("t") or "n"
    for v in c:
        if _local(v.tag) in ("v", "is"):
            break
    else:
        return None
    if kind == "inlineStr":
        return _text_of(v)
    text = v.text or ""
    if kind == "s":
        return shared[int(text)]
    if kind == "b":
        return text.strip() == "1"
    if kind in ("str", "e", "d"):
        return text
    text = text.strip()
    if not text:
        return None
    return int(text) if INTEGER.match(text) else float(text)
