"""Hostile or broken files are refused with a clear Chinese message (a 4xx), in bounded memory and
bounded work: each upload's Python memory peak is measured (tracemalloc) and must stay under 200 MB,
and the bytes decompressed from an .xlsx are counted and must stay within the configured budget.
No wall-clock time is asserted; the bounds on the work are what keep the time short."""
import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from app.households import excel
from app.messages import IMPORT
from tests.households.files import CJK, HOUSEHOLD_HEADER, upload

MB = 1024 * 1024
PEAK_LIMIT = 200 * MB
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def package(sheet_xml, *, sheets=1, compress=zipfile.ZIP_DEFLATED):
    """A minimal .xlsx whose first worksheet is `sheet_xml` (bytes, or an iterable of byte chunks)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="r1" Type="{REL}/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>')
        names = "".join(f'<sheet name="表{i}" sheetId="{i}" r:id="s{i}"/>' for i in range(1, sheets + 1))
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{names}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="s{i}" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                       for i in range(1, sheets + 1))
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{rels}</Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in ([sheet_xml] if isinstance(sheet_xml, bytes) else sheet_xml):
                f.write(chunk)
    return out.getvalue()


def header_row():
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in HOUSEHOLD_HEADER)
    return f'<row r="1">{cells}</row>'.encode()


@pytest.fixture
def measured(monkeypatch):
    """Runs an upload, answering (response, Python memory peak, bytes decompressed from zip members)."""
    unzipped = [0]
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        unzipped[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)

    def run(client, data, name="hostile.xlsx"):
        unzipped[0] = 0
        tracemalloc.start()
        try:
            res = upload(client, data, name=name, dry_run=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return res, peak, unzipped[0]

    return run


def refused(res, status=422):
    assert res.status_code == status, res.get_data(as_text=True)[:300]
    message = res.get_json()["error"]["message"]
    assert CJK.search(message), message
    return message


def test_a_sheet_that_declares_a_million_columns(login, measured):
    sheet = f'<worksheet xmlns="{MAIN}"><dimension ref="A1:BDWGN1048576"/><sheetData>'.encode() + \
        header_row() + b"</sheetData></worksheet>"
    res, peak, unzipped = measured(login("赵红梅"), package(sheet))
    assert refused(res) == IMPORT["declared_too_big"].format(sheet="表1", rows=1048576, columns=1000000,
                                                             max_rows=20000, max_columns=64)
    assert peak < PEAK_LIMIT


def test_a_row_of_a_million_cells_that_declares_nothing(login, measured):
    cells = (b"<c/>" * 100_000 for _ in range(10))  # 1,000,000 empty cells in row 2, 4 MB of XML
    sheet = [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), header_row(), b'<row r="2">', *cells,
             b"</row></sheetData></worksheet>"]
    res, peak, unzipped = measured(login("赵红梅"), package(sheet))
    assert refused(res) == IMPORT["too_many_columns"].format(sheet="表1", row=2, max=64)
    assert peak < PEAK_LIMIT
    assert unzipped < 4 * MB  # refused at the 257th cell, long before the row's end


def test_a_zip_bomb(login, measured):
    padding = (b" " * MB for _ in range(200))  # 200 MB of nothing, about 200 KB compressed
    sheet = [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), header_row(), *padding, b"</sheetData></worksheet>"]
    data = package(sheet)
    assert len(data) < 1 * MB
    res, peak, unzipped = measured(login("赵红梅"), data)
    assert refused(res) == IMPORT["unzipped_too_large"].format(mb=64)
    assert peak < PEAK_LIMIT
    assert unzipped <= excel.DEFAULTS["IMPORT_MAX_UNZIPPED_BYTES"]


def test_a_zip_bomb_under_a_smaller_budget_stops_mid_stream(app, login, measured, monkeypatch):
    """The budget counts what is really decompressed, not what the zip's directory says."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNZIPPED_BYTES", 8 * MB)
    monkeypatch.setattr(excel.XlsxReader, "_open", lambda self, path: self.zip.open(path))  # trust no sizes
    sheet = [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), header_row(), *(b" " * MB for _ in range(50)),
             b"</sheetData></worksheet>"]
    res, peak, unzipped = measured(login("赵红梅"), package(sheet))
    assert refused(res) == IMPORT["unzipped_too_large"].format(mb=8)
    assert unzipped <= 8 * MB + excel.CHUNK
    assert peak < PEAK_LIMIT


@pytest.mark.parametrize("content, key", [
    (b"just some text, not a spreadsheet", "not_xlsx"),
    (b"%PDF-1.7\n" + b"\x00" * 1000, "not_xlsx"),
    (excel.OLE + b"\x00" * 4096, "old_xls"),
    (b"PK\x03\x04" + b"\x00" * 100, "not_xlsx"),
])
def test_a_file_that_is_not_an_xlsx_named_xlsx(login, measured, content, key):
    res, peak, _ = measured(login("赵红梅"), content)
    assert refused(res) == IMPORT[key]
    assert peak < PEAK_LIMIT


def test_a_cell_of_100000_characters(login, measured):
    book = Workbook()
    book.active.append(HOUSEHOLD_HEADER)
    book.active.append(["", "西流南村", "第一网格", "甲", "住" * 100_000, 2])
    out = io.BytesIO()
    book.save(out)
    res, peak, _ = measured(login("赵红梅"), out.getvalue())
    assert refused(res) == IMPORT["cell_too_long"].format(sheet="Sheet", row=2, column=5, max=1000)
    assert peak < PEAK_LIMIT

    text = ",".join(HOUSEHOLD_HEADER) + "\n,西流南村,第一网格,甲," + "住" * 100_000 + ",2\n"
    res, peak, _ = measured(login("赵红梅"), text.encode(), name="h.csv")
    assert refused(res) == IMPORT["cell_too_long"].format(sheet="CSV", row=2, column=5, max=1000)
    assert peak < PEAK_LIMIT


def test_a_csv_in_no_known_encoding(login, measured):
    data = ",".join(HOUSEHOLD_HEADER).encode("gbk") + b"\n\xff\xfe\xfd\x80\x81,\xff\n"
    res, peak, _ = measured(login("赵红梅"), data, name="h.csv")
    assert refused(res) == IMPORT["encoding"]


def test_a_gbk_file_is_not_read_as_utf8(login, measured):
    """GBK bytes are not valid UTF-8, so the file is decoded as GB 18030 and its headers are found;
    read as UTF-8 with replacement it would have no columns at all."""
    data = (",".join(HOUSEHOLD_HEADER) + "\n,西流南村,第一网格,欧阳秀英,一组 9 号,2,,,,,\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    res, peak, _ = measured(login("赵红梅"), data, name="h.csv")
    assert res.status_code == 200 and res.get_json()["created"] == 1, res.get_json()


def test_entity_expansion_is_refused(login, measured):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">' for i in range(1, 10))
              + f']><worksheet xmlns="{MAIN}"><sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row>'
              '</sheetData></worksheet>')
    res, peak, _ = measured(login("赵红梅"), package(laughs.encode()))
    assert refused(res) == IMPORT["broken"]
    assert peak < PEAK_LIMIT


def test_too_many_sheets(login, measured):
    res, _, _ = measured(login("赵红梅"), package(f'<worksheet xmlns="{MAIN}"/>'.encode(), sheets=11))
    assert refused(res) == IMPORT["too_many_sheets"].format(n=10)


def test_limits_are_configuration(app, login, measured, monkeypatch):
    secretary = login("赵红梅")
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    res, _, _ = measured(secretary, b"x" * 1001, name="h.csv")
    assert refused(res, 413) == IMPORT["too_large"].format(mb=0.0)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 5 * MB)
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    rows = [",".join(HOUSEHOLD_HEADER)] + [f",西流南村,第一网格,户{i},一组 {i} 号,2,,,,," for i in range(4)]
    res, _, _ = measured(secretary, "\n".join(rows).encode(), name="h.csv")
    assert refused(res) == IMPORT["too_many_rows"].format(sheet="CSV", max=3)
    res, _, _ = measured(secretary, b"whatever", name="h.xls")
    assert refused(res) == IMPORT["bad_type"]
