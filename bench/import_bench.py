"""导入 at township scale: a 20,000-row register uploaded by a township officer, previewed
(POST /api/imports/households?dry_run=1), applied (all or nothing), then exported and imported
back unchanged. Goal: preview and apply each under 10 s on this machine, on SQLite and PostgreSQL.
Prints wall and CPU times, the Python heap peak of one preview (tracemalloc) and the process's peak
memory (max RSS, cumulative over the run); asserts only that the answers are right."""
import io
import os
import resource
import time
import tracemalloc

from common import Client, bench_app, databases
from openpyxl import Workbook
from sqlalchemy import func, select

from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.org.service import create_org_unit
from app.policy.names import Kind, Role

ROWS = 20_000
VILLAGES, GRIDS, MEMBERS = 20, 2, 25  # 1,000 members in 40 grids of 20 villages
PER_MEMBER = ROWS // (VILLAGES * GRIDS * MEMBERS)
HEADER = ["户编号", "村", "网格", "户主", "住址", "人口", "电话", "标签", "困难户", "包联党员", "党员手机号"]
TAGS = ["", "低保", "独居老人", "残疾", "低保、残疾"]


def township(app):
    """20 villages under 辛安泉镇, each with 2 grids of 25 members; answers [(village, grid, [phones])]."""
    with app.app_context():
        town = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "辛安泉镇")).one()
        password = db.session.scalars(select(User.password_hash)).first()
        places, n = [], 0
        for v in range(VILLAGES):
            village = create_org_unit(kind=Kind.VILLAGE, name=f"基准{v + 1}村", parent=town)
            for g in range(GRIDS):
                grid = create_org_unit(kind=Kind.GRID, name=f"第{g + 1}网格", parent=village)
                phones = []
                for _ in range(MEMBERS):
                    n += 1
                    phones.append(f"158{n:08d}")
                    db.session.add(User(name=f"党员{n}", phone=phones[-1], role=Role.MEMBER, org_unit_id=grid.id,
                                        password_hash=password))
                places.append((village.name, grid.name, phones))
        db.session.commit()
        return places


def register_file(places):
    book = Workbook(write_only=True)
    ws = book.create_sheet("住户")
    ws.append(HEADER)
    i = 0
    for village, grid, phones in places:
        for phone in phones:
            for _ in range(PER_MEMBER):
                i += 1
                ws.append([str(i), village, grid, f"户主{i}", f"{village}{grid} {i} 号", 1 + i % 6,
                           f"137{i:08d}", TAGS[i % len(TAGS)], "是" if i % 9 == 0 else "否", "", phone])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data, dry_run):
    url = "/api/imports/households" + ("?dry_run=1" if dry_run else "")
    t0, c0 = time.perf_counter(), time.process_time()
    res = client.http.post(url, data={"file": (io.BytesIO(data), "register.xlsx")},
                           headers={"X-CSRF-Token": client.csrf}, content_type="multipart/form-data")
    elapsed = Timing(time.perf_counter() - t0, time.process_time() - c0)
    body = res.get_json()
    assert res.status_code == 200, (res.status_code, str(body)[:500])
    return elapsed, body


class Timing:
    """Wall time (what the user waits) and this process's CPU time (the app's share of it; the
    machine may be busy with other work, the database server's CPU is not in it)."""

    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    def __format__(self, spec):
        return f"{self.wall:6.2f} s (CPU {self.cpu:5.2f} s)"


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def run(label, url, options):
    with bench_app(url, options) as app:
        app.config["HOUSEHOLDS_PER_MEMBER"] = PER_MEMBER
        data = register_file(township(app))
        officer = Client(app, "13900000010")  # 王建军, 辛安泉镇
        before = peak_mb()

        preview, body = upload(officer, data, dry_run=True)
        assert (body["created"], body["errors"]) == (ROWS, []), body["errors"][:3]
        after_preview = peak_mb()
        applied, body = upload(officer, data, dry_run=False)
        assert body["created"] == ROWS
        after_apply = peak_mb()
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Household)
                                     .where(Household.household_no.is_not(None))) >= ROWS

        t0 = time.perf_counter()
        exported = officer.get("/api/exports/households.xlsx").data
        export = time.perf_counter() - t0
        app.config["IMPORT_MAX_ROWS"] = 25_000  # the township's export has the demo's 120 households too
        again, body = upload(officer, exported, dry_run=False)
        assert (body["created"], body["updated"], body["errors"]) == (0, 0, []), body["errors"][:3]
        unchanged = body["unchanged"]

        tracemalloc.start()  # once more, for the memory the request itself takes (slower: not timed)
        upload(officer, data, dry_run=True)
        heap = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

    print(f"{label:<11} {ROWS} rows ({len(data) / 1024:.0f} KB .xlsx): preview {preview} | "
          f"apply {applied} (goal: each < 10 s) | export {export:5.2f} s | "
          f"re-import of the export ({unchanged} rows, all unchanged) {again} | "
          f"Python heap peak of one preview {heap:.0f} MB; process peak RSS {before:.0f} MB before, "
          f"{after_preview:.0f} after preview, {after_apply:.0f} after apply | "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    for label, url, options, cleanup in databases():
        try:
            run(label, url, options)
        finally:
            cleanup()
