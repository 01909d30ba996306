"""导入 in the phone app at 360 x 740: the secretary downloads the template, uploads it with two bad
rows, sees both rows' problems, fixes them and imports; the new household reaches its member's
phone at the next sync. Then 新增住户, a resident and an archive, all in the app."""
import re

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household, Resident
from app.org.models import User

from .conftest import csp_violations, login, screenshot

SECRETARY, MEMBER = "13900000020", "13900000110"  # 赵红梅; a member of 第二网格 nobody else's test uses
OTHER = "13900000111"  # another one (the cap here is 12: two new households each stay under it)


def user_id(app, phone):
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.phone == phone)).one()


def sync_now(page):
    page.get_by_role("link", name="我的").click()
    page.get_by_role("button", name="立即同步").click()
    expect(page.get_by_role("status")).to_contain_text("已同步")
    expect(page.get_by_role("status")).not_to_contain_text("正在同步")


def test_the_secretary_imports_a_file_and_the_members_phone_gets_it(app, phones, tmp_path):
    _, page = phones()
    login(page, SECRETARY)
    page.get_by_role("link", name="导入").click()
    expect(page.get_by_role("heading", name="导入住户")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    path = tmp_path / "模板.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book["住户"]
    assert [c.value for c in sheet[1]] == ["户编号", "村", "网格", "户主", "住址", "人口", "电话", "标签", "困难户",
                                           "包联党员", "党员手机号"]
    # typed below the example row, as in Excel (the template's rows are formatted for that, so not appended)
    for row, values in enumerate((
            ["", "西流南村", "第二网格", "导入甲", "二组 201 号", 2, "13711110001", "低保", "否", "", MEMBER],
            ["", "西流南村", "第二网格", "导入乙", "二组 202 号", 3, "12345", "", "否", "", MEMBER],
            ["", "西流南村", "第九网格", "导入丙", "二组 203 号", 0, "", "富户", "否", "查无此人", ""]), start=3):
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column).value = value
    book.save(path)

    page.get_by_label("选择文件（.xlsx 或 .csv）").set_input_files(str(path))
    page.get_by_role("button", name="预览").click()
    table = page.locator("table.import-errors")
    expect(table).to_be_visible()
    expect(page.get_by_text("有 5 处错误，请改正后重新上传")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("第 4 行"))).to_have_count(1)
    expect(table.get_by_role("row", name=re.compile("第 5 行"))).to_have_count(4)  # 网格, 人口, 标签, 包联党员
    expect(table).to_contain_text("电话")
    expect(table).to_contain_text("查无此人")
    expect(page.get_by_role("button", name="导入", exact=True)).to_be_hidden()
    screenshot(page, "60-import-errors")

    sheet["G4"] = "13711110002"
    for cell, value in (("C5", "第二网格"), ("F5", 1), ("H5", "独居老人"), ("J5", ""), ("K5", OTHER)):
        sheet[cell] = value
    book.save(path)
    page.get_by_label("选择文件（.xlsx 或 .csv）").set_input_files(str(path))
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_text("检查通过，可以导入")).to_be_visible()
    expect(page.get_by_text("共 3 行：新增 3，更新 0，不变 0")).to_be_visible()
    screenshot(page, "61-import-ready")
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_text("已导入：新增 3，更新 0，不变 0").first).to_be_visible()
    screenshot(page, "62-import-done")
    with app.app_context():
        made = db.session.scalars(select(Household).where(Household.head_name.like("导入%"))).all()
        assert sorted(h.head_name for h in made) == ["导入丙", "导入乙", "导入甲"]
        assert {h.head_name: h.member.phone for h in made} == {"导入甲": MEMBER, "导入乙": MEMBER, "导入丙": OTHER}

    _, phone = phones()
    login(phone, MEMBER)
    sync_now(phone)
    phone.get_by_role("link", name="包联户").click()
    for name in ("导入甲", "导入乙"):
        expect(phone.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(phone.get_by_role("link", name="导入丙", exact=True)).to_have_count(0)  # another member's
    screenshot(phone, "63-member-phone-after-import")
    assert csp_violations(page) == [] and csp_violations(phone) == []


def test_add_a_household_a_resident_and_archive_it_in_the_app(app, page):
    login(page, SECRETARY)
    page.get_by_role("link", name="新增住户").click()
    page.get_by_label("户主").fill("新增丁")
    page.get_by_label("住址").fill("二组 301 号")
    page.get_by_label("人口").fill("1")
    page.get_by_label("网格").select_option(label="第二网格")
    page.get_by_label("包联党员").select_option(value=str(user_id(app, "13900000112")))
    screenshot(page, "64-new-household")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="新增丁")).to_be_visible()
    with app.app_context():
        hid = db.session.scalars(select(Household.id).where(Household.head_name == "新增丁")).one()

    page.get_by_role("button", name="添加家庭成员").click()
    page.get_by_label("姓名").fill("新增丁")
    page.get_by_label("与户主关系").select_option(label="户主")
    page.get_by_label("身份证号").fill("110101199003071234")  # a wrong check digit
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("校验位不正确，请核对")).to_be_visible()
    page.get_by_label("身份证号").fill("110101199003071233")
    page.get_by_label("独居老人").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("110***********1233")).to_be_visible()
    page.get_by_role("button", name="查看完整身份证号").click()
    expect(page.get_by_text("110101199003071233")).to_be_visible()
    screenshot(page, "65-resident")
    with app.app_context():
        resident = db.session.scalars(select(Resident).where(Resident.household_id == hid)).one()
        assert (resident.birth_year, resident.gender) == (1990, "male")

    page.goto(f"/#/households/{hid}")
    expect(page.get_by_role("link", name="新增丁", exact=True)).to_be_visible()
    page.get_by_role("button", name="归档", exact=True).click()
    page.get_by_label("归档原因").select_option(label="迁出")
    page.get_by_role("button", name="确认归档").click()
    expect(page.get_by_role("heading", name="包联户")).to_be_visible()
    expect(page.get_by_role("link", name="新增丁", exact=True)).to_have_count(0)
    page.get_by_role("link", name="档案与名单").click()
    archived = page.get_by_role("listitem").filter(has_text="新增丁")
    expect(archived).to_contain_text("迁出")
    screenshot(page, "66-archived")
    archived.get_by_role("button", name="恢复").click()
    expect(page.get_by_role("listitem").filter(has_text="新增丁")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Household, hid).archived_at is None
    assert csp_violations(page) == []
