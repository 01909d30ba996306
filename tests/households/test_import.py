"""导入 and the exports it reads: the round trip is the identity, every bad cell is reported,
nothing is written from a file with errors, and Excel's habits (numbers for phones, GBK CSVs,
dropped leading zeros) are read back or reported, never guessed."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.households import id_numbers
from app.households.models import Household, Resident
from app.messages import IMPORT, MARSHMALLOW, REGISTER
from app.org.models import User
from tests.households.files import (
    CJK,
    HOUSEHOLD_HEADER,
    ID_MAN_1990,
    ID_WOMAN_1966,
    RESIDENT_HEADER,
    by_header,
    cells,
    csv_bytes,
    errors_of,
    upload,
    xlsx,
)

HOUSEHOLDS, RESIDENTS = REGISTER["sheet_households"], REGISTER["sheet_residents"]


def households_count():
    return db.session.scalar(select(func.count()).select_from(Household))


def versions():
    return dict(db.session.execute(select(Household.id, Household.version)).all())


@pytest.fixture
def free_member(demo):
    """A member of 西流南村 第一网格 with room under the cap (one of their households let go)."""
    member = next(u for u in sorted(demo.users.values(), key=lambda u: u.id)
                  if u.role == "member" and u.org_unit.name == "第一网格" and u.name != "石水奇")
    db.session.execute(Household.__table__.update().where(
        Household.id == db.session.scalars(select(Household.id).where(Household.member_id == member.id)
                                           .order_by(Household.id.desc())).first()).values(member_id=None))
    return member


def add_residents(client, household_id):
    for body in ({"name": "姜彩凤", "relation": "head", "id_number": ID_WOMAN_1966, "care": ["dibao"]},
                 {"name": "李大山", "relation": "spouse", "gender": "male", "birth_year": 1962,
                  "care": ["serious_illness"], "phone": "13700000002"}):
        res = client.post(f"/api/households/{household_id}/residents", json=body)
        assert res.status_code == 201, res.get_json()


# --- the round trip ---------------------------------------------------------------------------


def test_the_round_trip_is_the_identity(login, jiang, demo):
    secretary = login("赵红梅")
    add_residents(secretary, jiang.id)
    exported = secretary.get("/api/exports/households.xlsx").data
    sheets = cells(exported)
    n = len(sheets["包联户清单"]) - 1 + len(sheets[RESIDENTS]) - 1
    assert n == 120 + 2
    before = versions()

    preview = upload(secretary, exported, dry_run=True).get_json()
    assert (preview["rows"], preview["created"], preview["updated"], preview["unchanged"]) == (n, 0, 0, n)
    assert preview["errors"] == [] and preview["changes"] == []
    applied = upload(secretary, exported)
    assert applied.status_code == 200, applied.get_json()
    assert (applied.get_json()["created"], applied.get_json()["updated"], applied.get_json()["unchanged"]) == (0, 0, n)
    db.session.expire_all()
    assert versions() == before  # nothing was even touched

    # one phone number edited in Excel (here openpyxl), then imported: exactly that household changes
    book = load_workbook(io.BytesIO(exported))
    ws = book["包联户清单"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("户主")].value != "姜彩凤")
    number = row[header.index("户编号")].value
    row[header.index("电话")].value = "13912345678"
    out = io.BytesIO()
    book.save(out)
    edited = out.getvalue()

    result = upload(secretary, edited)
    body = result.get_json()
    assert result.status_code == 200, body
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 1, n - 1)
    assert [(c["action"], c["household_no"], c["columns"]) for c in body["changes"]] == [("updated", number, ["电话"])]
    db.session.expire_all()
    changed = db.session.scalars(select(Household).where(Household.household_no == number,
                                                         Household.village_id == jiang.village_id)).one()
    assert changed.phone == "13912345678"
    after = versions()
    assert {hid for hid in after if after[hid] != before[hid]} == {changed.id}

    assert cells(secretary.get("/api/exports/households.xlsx").data) == cells(edited)


def test_the_command_line_reads_the_apps_own_export(login, runner, tmp_path):
    """The complaint of the issue: `import-households` refused the product's export."""
    path = tmp_path / "包联户清单.xlsx"
    path.write_bytes(login("赵红梅").get("/api/exports/households.xlsx").data)
    before = versions()
    result = runner.invoke(args=["import-households", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert versions() == before


# --- the preview --------------------------------------------------------------------------------


def test_the_preview_lists_every_error_of_every_cell_and_nothing_is_written(login, free_member):
    secretary = login("赵红梅")
    rows = [
        HOUSEHOLD_HEADER,
        ["", "西流南村", "第一网格", "甲大伯", "一组 301 号", 3, "", "低保", "否", free_member.name, ""],  # 2: fine
        ["", "西流南村", "第一网格", "", "一组 302 号", 40, "12345", "富户", "也许", "", ""],  # 3: five cells
        ["", "西流南村", "第九网格", "丙", "一组 303 号", 2, "", "", "", "查无此人", ""],  # 4: grid, member
        ["", "黄牛蹄村", "第一网格", "丁", "一组 304 号", 2, "", "", "", "", ""],  # 5: not hers
    ]
    before = households_count()
    preview = upload(secretary, xlsx({"住户": rows}), dry_run=True)
    assert preview.status_code == 200
    body = preview.get_json()
    errors = errors_of(body)
    assert set(errors) == {(3, "户主"), (3, "人口"), (3, "电话"), (3, "标签"), (3, "困难户"),
                           (4, "网格"), (4, "包联党员"), (5, "村")}
    assert all(CJK.search(m) for m in errors.values())
    assert errors[3, "电话"] == MARSHMALLOW["phone"]
    assert errors[4, "包联党员"] == IMPORT["unknown_member"].format(who="查无此人")
    assert errors[5, "村"] == IMPORT["unknown_village"].format(name="黄牛蹄村")
    assert body["created"] == 1 and body["rows"] == 4
    assert body["changes"] == [{"sheet": HOUSEHOLDS, "row": 2, "action": "created", "household_no": None,
                                "name": "甲大伯", "columns": []}]
    assert households_count() == before

    refused = upload(secretary, xlsx({"住户": rows}))  # all or nothing: the good row is not imported either
    assert refused.status_code == 422
    assert errors_of(refused.get_json()) == errors
    assert refused.get_json()["error"]["message"] == IMPORT["failed"].format(count=len(errors))
    assert households_count() == before


def test_new_rows_get_the_next_numbers_and_a_second_import_updates_them(login, free_member, jiang):
    secretary = login("赵红梅")
    rows = [HOUSEHOLD_HEADER,
            ["", "", "第一网格", "新户甲", "一组 401 号", 2, 13712345678, "", "", "", free_member.phone]]
    assert upload(secretary, xlsx({"住户": rows})).get_json()["created"] == 1
    made = db.session.scalars(select(Household).where(Household.head_name == "新户甲")).one()
    taken = db.session.scalars(select(Household.household_no).where(Household.village_id == jiang.village_id)).all()
    assert made.household_no == str(max(int(n) for n in taken if n != made.household_no) + 1)
    assert made.phone == "13712345678"  # Excel's number read back as the mobile number it was
    assert made.member_id == free_member.id and made.org_unit_id == free_member.org_unit_id  # 村 from her scope

    # the same row again, without 户编号: a duplicate, reported, not a second household
    again = upload(secretary, xlsx({"住户": rows}))
    assert errors_of(again.get_json()) == {(2, None): IMPORT["duplicate"]}
    # with its number: an update of that household
    rows[1][0], rows[1][5] = made.household_no, 3
    body = upload(secretary, xlsx({"住户": rows})).get_json()
    assert (body["created"], body["updated"]) == (0, 1) and body["changes"][0]["columns"] == ["人口"]


def test_members_are_named_by_phone_or_by_a_name_unique_in_the_village(login, free_member, jiang):
    secretary = login("赵红梅")
    twin = User(name=free_member.name, phone="13955550001", role="member", org_unit_id=free_member.org_unit_id,
                password_hash="x")
    db.session.add(twin)
    db.session.flush()
    rows = [HOUSEHOLD_HEADER,
            ["", "西流南村", "第一网格", "乙", "一组 501 号", 2, "", "", "", free_member.name, ""],
            ["", "西流南村", "第一网格", "丙", "一组 502 号", 2, "", "", "", free_member.name, free_member.phone],
            ["", "西流南村", "第一网格", "丁", "一组 503 号", 2, "", "", "", "石水奇", free_member.phone]]
    errors = errors_of(upload(secretary, xlsx({"住户": rows}), dry_run=True).get_json())
    assert errors == {(2, "包联党员"): IMPORT["ambiguous_member"].format(name=free_member.name),
                      (4, "包联党员"): IMPORT["member_mismatch"].format(name=free_member.name)}


def test_excel_numbers_are_text_where_unambiguous_and_reported_where_not(login, jiang, free_member):
    secretary = login("赵红梅")
    db.session.execute(Household.__table__.update().where(Household.id == jiang.id).values(household_no="0999"))
    rows = [HOUSEHOLD_HEADER,
            [999, "西流南村", "第一网格", "姜彩凤", jiang.address, 3, "", "", "", "", ""],     # 0999 lost its zero
            ["", "西流南村", "第一网格", "戊", "一组 601 号", 2, 3556123456, "", "", "", ""]]  # 0355-6123456 did
    errors = errors_of(upload(secretary, xlsx({"住户": rows}), dry_run=True).get_json())
    assert errors == {(2, "户编号"): IMPORT["zeros_dropped"].format(no="0999"), (3, "电话"): IMPORT["phone_zeros"]}

    residents = [RESIDENT_HEADER, ["", "0999", "姜彩凤", "户主", "", "", "", "", 110101199003071233]]
    errors = errors_of(upload(secretary, xlsx({"家庭成员": residents}), dry_run=True).get_json())
    assert errors == {(2, "身份证号"): IMPORT["id_as_number"]}


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_in_the_encodings_excel_writes(login, free_member, encoding):
    rows = [["村", "网格", "户主姓名", "住址", "人口数", "联系电话", "标签", "包联党员手机号"],
            ["西流南村", "第一网格", "欧阳秀英", "一组 701 号", "2", "0355-6123456", "独居老人、低保",
             free_member.phone]]
    body = upload(login("赵红梅"), csv_bytes(rows, encoding), name="住户.csv").get_json()
    assert body["created"] == 1, body
    made = db.session.scalars(select(Household).where(Household.head_name == "欧阳秀英")).one()
    assert (made.phone, made.tags) == ("0355-6123456", ["独居老人", "低保"])


def test_residents_are_imported_with_their_id_numbers_encrypted(login, jiang):
    secretary = login("赵红梅")
    rows = [RESIDENT_HEADER,
            ["西流南村", jiang.household_no, "姜彩凤", "户主", "", "", "", "独居老人", ID_WOMAN_1966],
            ["西流南村", jiang.household_no, "李小明", "孙子女", "男", 2015, "", "留守儿童", ""],
            ["西流南村", jiang.household_no, "王某", "配偶", "女", 1990, "", "", ID_MAN_1990]]   # 4: not her
    preview = upload(secretary, xlsx({"家庭成员": rows}), dry_run=True).get_json()
    assert errors_of(preview) == {(4, "性别"): REGISTER["id_gender"].format(gender="男")}
    del rows[3]
    assert upload(secretary, xlsx({"家庭成员": rows})).get_json()["created"] == 2
    her = db.session.scalars(select(Resident).where(Resident.name == "姜彩凤")).one()
    assert (her.birth_year, her.gender, her.id_number_masked) == (1966, "female", "140***********402X")
    assert ID_WOMAN_1966 not in her.id_number_token and id_numbers.decrypt(her.id_number_token) == ID_WOMAN_1966
    db.session.refresh(jiang)
    assert set(jiang.tags) == {"独居老人", "留守儿童"}  # 重病 followed her residents away; they say otherwise

    # the masked number the export writes keeps the stored one; another masked one is refused
    rows[1][8] = "140***********402X"
    assert upload(secretary, xlsx({"家庭成员": rows})).get_json()["unchanged"] == 2
    rows[1][8] = "110***********1233"
    assert errors_of(upload(secretary, xlsx({"家庭成员": rows}), dry_run=True).get_json()) == {
        (2, "身份证号"): IMPORT["masked_mismatch"]}


def test_archived_households_and_other_villages_are_not_touched(login, jiang, demo):
    secretary = login("赵红梅")
    assert secretary.delete(f"/api/households/{jiang.id}", json={"reason": "moved_out"}).status_code == 200
    other = db.session.scalars(select(Household).where(Household.member_id == demo["郑满仓"].id)).first()
    rows = [HOUSEHOLD_HEADER,
            [jiang.household_no, "西流南村", "第一网格", "姜彩凤", jiang.address, 3, "", "", "", "", ""],
            [other.household_no, "黄牛蹄村", "第一网格", "改名", other.address, 3, "", "", "", "", ""]]
    errors = errors_of(upload(secretary, xlsx({"住户": rows}), dry_run=True).get_json())
    assert errors == {(2, "户编号"): IMPORT["archived"].format(no=jiang.household_no),
                      (3, "村"): IMPORT["unknown_village"].format(name="黄牛蹄村")}


def test_missing_columns_are_named(login):
    res = upload(login("赵红梅"), xlsx({"住户": [["户主", "电话"], ["甲", ""]]}))
    assert res.status_code == 422
    message = res.get_json()["error"]["message"]
    for name in ("网格", "住址", "人口", "包联党员", "党员手机号"):
        assert name in message


@pytest.mark.parametrize("who", ["石水奇", "刘淑珍"])
def test_only_secretaries_and_above_import(login, who):
    client = login(who)
    assert upload(client, xlsx({"住户": [HOUSEHOLD_HEADER]})).status_code == 403
    assert client.get("/api/imports/households/template.xlsx").status_code == 403


def test_no_file_is_a_clear_422(login):
    secretary = login("赵红梅")
    res = secretary.http.post("/api/imports/households", data={}, headers=secretary._headers(None),
                              content_type="multipart/form-data")
    assert res.status_code == 422 and res.get_json()["error"]["message"] == IMPORT["no_file"]


# --- the template -------------------------------------------------------------------------------


def test_the_template_explains_itself_and_imports_once_filled(login, free_member):
    secretary = login("赵红梅")
    res = secretary.get("/api/imports/households/template.xlsx")
    assert res.status_code == 200 and "filename*=UTF-8''" in res.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(res.data))
    assert book.sheetnames == ["住户", "家庭成员", "说明", "网格与党员"]
    households = [list(r) for r in book["住户"].iter_rows(values_only=True, max_row=2)]
    assert households[0] == HOUSEHOLD_HEADER and households[1][0] == REGISTER["example"]
    assert [c for c in next(book["家庭成员"].iter_rows(values_only=True))] == RESIDENT_HEADER
    explained = {r[0] for r in book["说明"].iter_rows(values_only=True) if r and r[0]}
    assert set(HOUSEHOLD_HEADER) | set(RESIDENT_HEADER) <= explained
    places = by_header([list(r) for r in book["网格与党员"].iter_rows(values_only=True)])
    assert {"村": "西流南村", "网格": "第一网格", "党员": free_member.name, "手机号": free_member.phone} in places
    assert all(p["村"] == "西流南村" for p in places)

    # untouched, it imports nothing (the example row is skipped) ...
    body = upload(secretary, res.data, name="模板.xlsx").get_json()
    assert (body["rows"], body["created"], body["errors"]) == (0, 0, [])
    # ... filled in, it imports
    book["住户"].append(["", "西流南村", "第一网格", "模板户", "一组 801 号", 2, "", "", "否", "", free_member.phone])
    out = io.BytesIO()
    book.save(out)
    assert upload(secretary, out.getvalue()).get_json()["created"] == 1


def test_unvisited_and_care_lists_export_in_the_import_columns(login, jiang):
    secretary = login("赵红梅")
    add_residents(secretary, jiang.id)
    sheets = cells(secretary.get("/api/exports/residents.xlsx?care=dibao").data)
    rows = by_header(sheets[RESIDENTS])
    assert [(r["姓名"], r["重点人群"], r["身份证号"], r["户主"], r["包联党员"]) for r in rows] == [
        ("姜彩凤", "低保", "140***********402X", "姜彩凤", "石水奇")]
    assert sheets[RESIDENTS][0][:len(RESIDENT_HEADER)] == RESIDENT_HEADER
    unvisited = cells(secretary.get("/api/exports/households.xlsx?unvisited_days=30").data)
    listed = {r["户编号"] for r in by_header(unvisited["包联户清单"])}
    listed_by_api = secretary.get("/api/households?unvisited_days=30&limit=200").get_json()["items"]
    expected = {h["household_no"] for h in listed_by_api}
    assert listed == expected
