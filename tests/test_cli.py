"""The commands: seed-demo, demo-users, create-user, import-households.

Commands commit. Run through app.test_cli_runner() inside the test's app context they use the
test's session, whose commits only release savepoints of the test's outer transaction; each test
checks from a separate connection that nothing reached the database for real.
"""
import csv
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from werkzeug.security import check_password_hash

from app.extensions import db
from app.households.models import Household
from app.messages import CLI, IMPORT, TEXT
from app.org.demo import DEMO_PASSWORD
from app.org.models import OrgUnit, User
from tests.conftest import ApiClient

CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["村", "网格", "包联党员手机号", "户主姓名", "住址", "人口数", "联系电话", "标签"]


def committed_counts():
    """Row counts as another process sees them: outside the test's transaction."""
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


@pytest.fixture(autouse=True)
def nothing_really_committed():
    before = committed_counts()
    yield
    assert committed_counts() == before


def digest():
    """Every row of every table, in primary-key order, hashed."""
    h = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        h.update(table.name.encode())
        for row in rows:
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def counts():
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


# --- seed-demo ---------------------------------------------------------------------------------


def test_seed_demo_twice_changes_nothing(runner):
    before_counts, before_digest = counts(), digest()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert counts() == before_counts
        assert digest() == before_digest
    assert CLI["seeded"].format(units=before_counts["org_units"], users=before_counts["users"],
                                households=before_counts["households"]) in result.output


def test_seed_demo_if_empty_skips_a_database_with_users(runner):
    before = digest()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert CLI["seed_skipped"] in result.output
    assert digest() == before


def test_seed_demo_builds_the_village_of_the_article(demo):
    village = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "西流南村")).one()
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == village.id)).all()
    assert sorted(g.name for g in grids) == ["第一网格", "第二网格"]
    assert village.parent_id == db.session.scalars(select(OrgUnit.id).where(OrgUnit.name == "辛安泉镇")).one()
    for grid in grids:
        people = db.session.scalars(select(User).where(User.org_unit_id == grid.id)).all()
        roles = sorted(u.role for u in people)
        assert roles.count("grid_leader") == 1
        assert roles.count("informant") == 2
        assert roles.count("member") == 6
        for informant in (u for u in people if u.role == "informant"):
            members = [u for u in people if u.informant_id == informant.id]
            assert len(members) == 3
            for m in members:
                assert db.session.scalar(select(func.count()).where(Household.member_id == m.id)) == 10
    secretaries = db.session.scalars(select(User).where(User.role == "secretary", User.org_unit_id == village.id)).all()
    assert [s.name for s in secretaries] == ["赵红梅"]
    jiang = db.session.scalars(select(Household).where(Household.head_name == "姜彩凤")).one()
    assert jiang.people == 3 and jiang.hardship and jiang.member.name == "石水奇"
    assert db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township")).all()
    staff = demo["刘淑珍"]
    assert staff.role == "department" and staff.org_unit.name == "民政局"
    assert len(db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township")).all()) == 8


# --- demo-users --------------------------------------------------------------------------------


def test_demo_users_json(runner, app):
    result = runner.invoke(args=["demo-users", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert isinstance(rows, list) and rows
    for row in rows:
        assert {"id", "name", "role", "phone", "password", "org_unit"} <= set(row)
    shi = next(r for r in rows if r["name"] == "石水奇")
    assert shi["role"] == "member" and shi["org_unit"] == "第一网格" and shi["password"] == DEMO_PASSWORD
    assert {r["role"] for r in rows} == {"member", "informant", "grid_leader", "secretary", "township",
                                         "department", "admin"}
    assert len({r["name"] for r in rows}) == len(rows), "two demo people share a name"
    assert len({r["phone"] for r in rows}) == len(rows)
    assert {r["id"] for r in rows} == set(db.session.scalars(select(User.id).where(User.phone.in_(
        [r["phone"] for r in rows]))).all())
    # the printed logins work
    for row in (shi, next(r for r in rows if r["role"] == "secretary")):
        res = ApiClient(app).login(row["phone"], row["password"])
        assert res.status_code == 200 and res.get_json()["id"] == row["id"]


def test_demo_users_plain_lists_every_login(runner):
    result = runner.invoke(args=["demo-users"])
    assert result.exit_code == 0
    assert "石水奇" in result.output and DEMO_PASSWORD in result.output
    assert "13900000101" in result.output


# --- create-user -------------------------------------------------------------------------------


def create(runner, **kw):
    args = ["create-user"]
    for key, value in kw.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return runner.invoke(args=args)


def test_create_user(runner, app, demo):
    shi = demo["石水奇"]
    result = create(runner, name="新党员", phone="13911112222", role="member", org_unit=shi.org_unit_id,
                    informant=shi.informant_id, password="s3cret-pass")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.phone == "13911112222")).one()
    assert CLI["user_created"].format(name="新党员", phone="13911112222", id=user.id) in result.output
    assert (user.name, user.role, user.org_unit_id, user.informant_id) == ("新党员", "member", shi.org_unit_id,
                                                                           shi.informant_id)
    assert user.password_hash != "s3cret-pass" and user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "s3cret-pass")
    res = ApiClient(app).login("13911112222", "s3cret-pass")
    assert res.status_code == 200
    assert [c["role"] for c in res.get_json()["chain"]][:1] == ["informant"]


def test_create_user_prompts_for_the_password_twice(runner, demo):
    result = runner.invoke(args=["create-user", "--name", "李四", "--phone", "13911113333", "--role", "secretary",
                                 "--org-unit", str(demo["赵红梅"].org_unit_id)], input="pw-123456\npw-123456\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.phone == "13911113333")).one().check_password("pw-123456")


@pytest.mark.parametrize("case", ["unit_kind", "no_unit", "phone_taken", "bad_phone", "long_name", "blank_name",
                                  "no_informant", "informant_not_informant", "informant_elsewhere",
                                  "informant_for_non_member", "bad_role"])
def test_create_user_refuses_bad_input_without_a_crash(runner, demo, case):
    shi = demo["石水奇"]
    grid = shi.org_unit_id
    kw = {"name": "新人", "phone": "13911114444", "role": "member", "org_unit": grid, "password": "pw-123456"}
    kw.update({
        "unit_kind": {"org_unit": demo["赵红梅"].org_unit_id},
        "no_unit": {"org_unit": 10**7},
        "phone_taken": {"phone": shi.phone},
        "bad_phone": {"phone": "abc"},
        "long_name": {"name": "名" * 41},
        "blank_name": {"name": "  "},
        "no_informant": {"informant": 10**7},
        "informant_not_informant": {"informant": demo["赵红梅"].id},
        "informant_elsewhere": {"informant": demo["吴月娥"].id},
        "informant_for_non_member": {"role": "informant", "informant": shi.informant_id},
        "bad_role": {"role": "king"},
    }[case])
    before = counts()
    result = create(runner, **kw)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a refusal, not a crash
    assert counts() == before
    if case != "bad_role":
        assert CJK.search(result.output)


# --- import-households -------------------------------------------------------------------------


@pytest.fixture
def fresh_member(demo):
    """A member of 石水奇's grid who covers no household yet (committed to the test's savepoint)."""
    shi = demo["石水奇"]
    user = User(name="新党员", phone="13922220000", role="member", org_unit_id=shi.org_unit_id,
                informant_id=shi.informant_id, password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


def write_xlsx(path, rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    wb.close()
    return path


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def open_files(path):
    """This process's open file descriptors on `path` (Linux)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc")
    found = []
    for fd in fds.iterdir():
        try:
            if os.readlink(fd) == str(path):
                found.append(fd.name)
        except OSError:
            pass
    return found


def households_count():
    return db.session.scalar(select(func.count()).select_from(Household))


def run_import(runner, path):
    return runner.invoke(args=["import-households", str(path)])


def test_import_xlsx(runner, tmp_path, fresh_member):
    path = write_xlsx(tmp_path / "户.xlsx", [
        ["西流南村", "第一网格", int(fresh_member.phone), "甲大伯", "西流南村一组 201 号", 3, 13712345678,
         "低保、残疾"],
        ["西流南村", "第一网格", fresh_member.phone, "乙大娘", "西流南村一组 202 号", 1, "0355-6123456", "独居老人"],
        [None, None, None, None, None, None, None, None],  # blank rows are skipped
        ["西流南村", "第一网格", fresh_member.phone, "丙叔", "西流南村一组 203 号", "2", None, None],
    ])
    before = households_count()
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert CLI["import_ok"].format(count=3) in result.output
    assert open_files(path) == []  # the workbook was closed, not left to the garbage collector
    assert households_count() == before + 3
    rows = {h.head_name: h for h in db.session.scalars(select(Household).where(Household.member_id == fresh_member.id))}
    assert set(rows) == {"甲大伯", "乙大娘", "丙叔"}
    assert rows["甲大伯"].tags == ["低保", "残疾"] and rows["甲大伯"].phone == "13712345678"
    assert rows["甲大伯"].people == 3 and rows["丙叔"].people == 2
    assert rows["乙大娘"].phone == "0355-6123456"
    assert rows["丙叔"].tags == [] and rows["丙叔"].org_unit_id == fresh_member.org_unit_id


def test_import_csv_with_field_name_headers(runner, tmp_path, fresh_member):
    header = ["village", "grid", "member_phone", "head_name", "address", "people", "phone", "tags"]
    path = write_csv(tmp_path / "h.csv", [
        ["西流南村", "第一网格", fresh_member.phone, "丁婶", "西流南村一组 301 号", "4", "", "留守儿童,低保"],
        ["西流南村", "第一网格", fresh_member.phone, "戊爷", "西流南村一组 302 号", "1", "", ""],
    ], header=header)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert CLI["import_ok"].format(count=2) in result.output
    imported = db.session.scalars(select(Household).where(Household.member_id == fresh_member.id)
                                  .order_by(Household.id)).all()
    assert [(h.head_name, h.people, h.tags) for h in imported] == [("丁婶", 4, ["留守儿童", "低保"]), ("戊爷", 1, [])]


def test_imported_households_show_up_for_their_member(runner, tmp_path, app, fresh_member):
    fresh_member.set_password("pw-123456")
    db.session.commit()
    path = write_csv(tmp_path / "h.csv", [["西流南村", "第一网格", fresh_member.phone, "己", "一组 9 号", "2", "", ""]])
    assert run_import(runner, path).exit_code == 0
    client = ApiClient(app)
    assert client.login(fresh_member.phone, "pw-123456").status_code == 200
    assert [h["head_name"] for h in client.get("/api/households").get_json()["items"]] == ["己"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_import_with_errors_reports_each_row_and_imports_nothing(runner, tmp_path, fresh_member, fmt):
    p = fresh_member.phone
    rows = [
        ["西流南村", "第一网格", p, "好人甲", "一组 1-1", "3", "", ""],            # 2: fine
        ["西流南村", "第九网格", p, "乙", "一组 1-2", "3", "", ""],                # 3: no such grid
        ["不存在村", "第一网格", p, "丙", "一组 1-3", "3", "", ""],                # 4: no such village
        ["西流南村", "第一网格", "13900009999", "丁", "一组 1-4", "3", "", ""],    # 5: no such member
        ["西流南村", "第二网格", p, "戊", "一组 1-5", "3", "", ""],                # 6: member of another grid
        ["西流南村", "第一网格", p, "己", "一组 1-6", "abc", "", ""],              # 7: people not a number
        ["西流南村", "第一网格", p, "庚", "一组 1-7", "0", "", ""],                # 8: people out of range
        ["西流南村", "第一网格", p, "辛", "一组 1-8", "3", "12345", ""],           # 9: bad phone
        ["西流南村", "第一网格", p, "壬", "一组 1-9", "3", "", "富户"],            # 10: unknown tag
        ["西流南村", "第一网格", p, "", "一组 1-10", "3", "", ""],                 # 11: no head's name
        ["西流南村", "第一网格", p, "好人乙", "一组 1-11", "2", "", ""],           # 12: fine
    ]
    path = (write_xlsx if fmt == "xlsx" else write_csv)(tmp_path / f"bad.{fmt}", rows)
    before = households_count()
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert households_count() == before
    assert db.session.scalar(select(func.count()).where(Household.member_id == fresh_member.id)) == 0
    out = result.output
    assert CLI["import_failed"].format(count=9) in out
    reported = {int(n): msg for n, msg in re.findall(r"第 (\d+) 行：(.+)", out)}
    assert sorted(reported) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert all(CJK.search(m) for m in reported.values())
    assert "第九网格" in reported[3]
    assert "不存在村" in reported[4]
    assert "13900009999" in reported[5]
    assert reported[6] == "包联党员手机号：" + IMPORT["member_elsewhere"].format(phone=p, grid="第二网格")
    assert reported[7].startswith("人口数：")
    assert reported[8].startswith("人口数：")
    assert reported[9].startswith("手机号：") or reported[9].startswith("联系电话：")
    assert "标签：" in reported[10]
    assert reported[11].startswith("户主姓名：")


def test_import_cap_exceeded_within_the_file(runner, tmp_path, fresh_member, app):
    cap = app.config["HOUSEHOLDS_PER_MEMBER"]
    rows = [["西流南村", "第一网格", fresh_member.phone, f"户{i}", f"一组 {i} 号院", "2", "", ""]
            for i in range(cap + 2)]
    result = run_import(runner, write_csv(tmp_path / "cap.csv", rows))
    assert result.exit_code == 1
    reported = dict(re.findall(r"第 (\d+) 行：(.+)", result.output))
    assert sorted(int(n) for n in reported) == [cap + 2, cap + 3]  # the 11th and 12th rows of data
    assert TEXT["member_cap"].format(cap=cap) in reported[str(cap + 2)]
    assert db.session.scalar(select(func.count()).where(Household.member_id == fresh_member.id)) == 0


def test_import_for_a_member_already_at_the_cap(runner, tmp_path, demo):
    shi = demo["石水奇"]
    path = write_csv(tmp_path / "x.csv", [["西流南村", "第一网格", shi.phone, "新户", "新址", "2", "", ""]])
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert TEXT["member_cap"].format(cap=10) in result.output


def test_import_duplicates_are_reported(runner, tmp_path, fresh_member, jiang):
    rows = [
        ["西流南村", "第一网格", fresh_member.phone, "姜彩凤", jiang.address, "3", "", ""],   # 2: already there
        ["西流南村", "第一网格", fresh_member.phone, "庄大爷", "二组 5 号", "1", "", ""],     # 3
        ["西流南村", "第一网格", fresh_member.phone, "庄大爷", "二组 5 号", "1", "", ""],     # 4: same as row 3
    ]
    before = households_count()
    result = run_import(runner, write_xlsx(tmp_path / "dup.xlsx", rows))
    assert result.exit_code == 1
    reported = dict(re.findall(r"第 (\d+) 行：(.+)", result.output))
    assert reported == {"2": IMPORT["duplicate"], "4": IMPORT["duplicate_in_file"].format(row=3)}
    assert households_count() == before


def test_import_missing_columns(runner, tmp_path):
    result = run_import(runner, write_csv(tmp_path / "cols.csv", [["西流南村", "甲"]], header=["村", "户主姓名"]))
    assert result.exit_code == 1
    assert "缺少列" in result.output
    for name in ("网格", "包联党员手机号", "住址", "人口数"):
        assert name in result.output


@pytest.mark.parametrize("name, content", [("h.txt", "村,网格\n"), ("h.xls", "")])
def test_import_refuses_other_file_types(runner, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert IMPORT["bad_type"] in result.output


def test_import_empty_file(runner, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "缺少列" in result.output


def test_import_missing_file(runner, tmp_path):
    result = run_import(runner, tmp_path / "nope.xlsx")
    assert result.exit_code == 2


def test_isolation_check_can_see_a_real_commit(app):
    """The autouse check above would notice a commit that escaped the test's transaction."""
    with db.engine.connect() as conn:
        before = conn.scalar(text("SELECT count(*) FROM org_units"))
    db.session.add(OrgUnit(kind="village", name="临时村", parent_id=None, path="/tmp-unit/"))
    db.session.commit()  # only a savepoint released
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM org_units")) == before
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == before + 1
