"""Demo cases, made through the real services so their timelines are authentic.

Fixed ids make seeding idempotent: a story already present is not told again.
"""
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.cases import service as cases
from app.cases.models import CaseEvent
from app.common.time import utcnow
from app.extensions import db
from app.households.models import Household
from app.org.models import OrgUnit, User
from app.tasks import service as tasks
from app.visits.service import record_visit


def demo_id(name):
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://baolian.example/demo/{name}")


def seed_demo_cases():
    people = {u.phone: u for u in db.session.scalars(select(User)).all()}
    member, secretary, township = people["13900000101"], people["13900000020"], people["13900000010"]
    informant, grid_leader = member.informant, people["13900000031"]
    homes = db.session.scalars(select(Household).where(Household.member_id == member.id)
                               .order_by(Household.id)).all()
    other_member = people["13900000102"]
    other_homes = db.session.scalars(select(Household).where(Household.member_id == other_member.id)
                                     .order_by(Household.id)).all()
    minzheng = db.session.scalars(select(OrgUnit).where(OrgUnit.name == "民政局")).one()
    staff = people["13900000050"]
    if db.session.get(cases.Case, demo_id("jiang")) is None:
        _jiang_story(member, informant, grid_leader, secretary, homes[0])
    _story("relief", member, homes[1], "独居老人冬季取暖困难", [
        (member, "escalate", {"reason": "需上级协调"}), (informant, "escalate", {"reason": "属实"}),
        (grid_leader, "escalate", {}), (secretary, "escalate", {"reason": "村里无力解决"}),
        (township, "dispatch", {"department_id": minzheng.id}), (staff, "accept", {})])
    _story("roof", member, homes[2], "房屋漏雨需修缮", [(member, "escalate", {"reason": "请核实"})])
    _story("fire", other_member, other_homes[0], "山林防火隔离带杂草堆积",
           [(other_member, "escalate", {}), (other_member.informant, "escalate", {})],
           category="fire", overdue=True)
    _story("medical", member, homes[3], "老人突发疾病需送医", [(member, "escalate", {"reason": "紧急"})],
           urgency="urgent")
    _story("garbage", member, homes[4], "门前垃圾无人清运", [], category="environment")
    db.session.flush()


def _story(name, opener, household, title, steps, category="urgent_needs", urgency="normal", overdue=False):
    case_id = demo_id(name)
    if db.session.get(cases.Case, case_id) is not None:
        return
    case, _ = cases.open_case(actor=opener, data={
        "id": case_id, "household_id": household.id, "visit_id": None, "category": category,
        "title": title, "description": "", "urgency": urgency, "opened_at": None})
    for actor, action, data in steps:
        cases.act(actor=actor, case_id=case.id, action=action, data=data)
    if overdue:
        case.due_at = utcnow() - timedelta(hours=6)


def _jiang_story(member, informant, grid_leader, secretary, home):
    """姜彩凤: the husband's sudden illness, reported by 石水奇, closed with the newspaper job."""
    start = utcnow() - timedelta(days=20)
    visit, _ = record_visit(actor=member, data={
        "id": demo_id("jiang-visit"), "household_id": home.id, "visited_at": start, "mode": "door",
        "notes": "丈夫突发疾病，家庭陷入困难，三口人收入骤减", "needs": ["urgent_needs"], "hardship": "serious"})
    case, _ = cases.open_case(actor=member, data={
        "id": demo_id("jiang"), "household_id": home.id, "visit_id": visit.id, "category": "urgent_needs",
        "title": "姜彩凤家丈夫突发疾病，家庭困难", "description": "三口人，丈夫突发疾病，需增加收入来源",
        "urgency": "normal", "opened_at": start})
    steps = [(member, "escalate", {"reason": "立即向村党支部汇报"}), (informant, "escalate", {"reason": "情况属实"}),
             (grid_leader, "escalate", {"reason": "请支部研究"})]
    for i, (actor, action, data) in enumerate(steps, start=1):
        cases.act(actor=actor, case_id=case.id, action=action, data={**data, "at": start + timedelta(hours=i)})
    task, _ = tasks.create_task(actor=secretary, data={
        "id": demo_id("jiang-task"), "case_id": case.id, "assignee_id": member.id,
        "title": "通知姜彩凤承担党报党刊分发", "due_at": None})
    _backdate_assignment(task, start + timedelta(hours=4))
    tasks.step_task(actor=member, task_id=task.id, action="accept", data={"at": start + timedelta(days=1)})
    tasks.step_task(actor=member, task_id=task.id, action="complete",
                    data={"at": start + timedelta(days=2), "note": "姜彩凤已开始分发党报党刊"})
    cases.act(actor=secretary, case_id=case.id, action="resolve",
              data={"resolution": "支部研究决定由姜彩凤分发党报党刊，增加家庭收入", "at": start + timedelta(days=3)})
    cases.act(actor=member, case_id=case.id, action="revisit",
              data={"id": demo_id("jiang-revisit"), "satisfaction": "satisfied", "mode": "door",
                    "notes": "姜彩凤说送报收入稳定，家里好多了", "at": start + timedelta(days=3, hours=6)})
    cases.act(actor=secretary, case_id=case.id, action="close", data={"at": start + timedelta(days=4)})


def _backdate_assignment(task, at):
    """The story happened weeks ago: its task was assigned then, not when the demo was loaded."""
    task.created_at = at
    for event in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == task.case_id,
                                                            CaseEvent.type == "task_assigned")):
        event.at = event.recorded_at = at
    db.session.flush()
