"""Helpers for the register's spreadsheet tests: uploading, building and reading workbooks."""
import csv
import io
import re

from openpyxl import Workbook, load_workbook

CJK = re.compile(r"[\u4e00-\u9fff]")
HOUSEHOLD_HEADER = ["户编号", "村", "网格", "户主", "住址", "人口", "电话", "标签", "困难户", "包联党员", "党员手机号"]
RESIDENT_HEADER = ["村", "户编号", "姓名", "与户主关系", "性别", "出生年份", "电话", "重点人群", "身份证号"]
# Valid ID numbers (check digits computed by GB 11643's mod 11-2): a man born 1990, a woman born 1966.
ID_MAN_1990 = "110101199003071233"
ID_WOMAN_1966 = "14042619660315402X"


def upload(client, data, name="register.xlsx", dry_run=False):
    url = "/api/imports/households" + ("?dry_run=1" if dry_run else "")
    return client.http.post(url, data={"file": (io.BytesIO(data), name)}, headers=client._headers(None),
                            content_type="multipart/form-data")


def xlsx(sheets):
    """{title: [header, row, ...]} -> bytes."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def cells(data):
    """{sheet: [[value, ...], ...]} of a workbook, every cell as openpyxl reads it."""
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def by_header(rows):
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def errors_of(body):
    """{(row, column): message} of an import answer (or its 422 error)."""
    body = body.get("error", body)
    return {(e["row"], e["column"]): e["message"] for e in body["errors"]}
