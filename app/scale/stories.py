"""What happened to each household's case, told once and read by every pass (cases, their
timelines, return visits, tasks, notifications): a story is a list of steps, and the case's
state is where the last step left it.

Every member's 4th household has a case still open (10 % of households), spread over every
level and status of the chain; every other member's 9th has one closed out (5 %), and one
household in a hundred one resolved and awaiting its return visit.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from app.cases.models import CATEGORIES
from app.org.demo import DEPARTMENTS
from app.policy.names import Level, Status
from app.scale.ids import record_id
from app.scale.org import Tree
from app.scale.shape import (
    OFFICERS_PER_TOWNSHIP,
    STAFF_PER_DEPARTMENT,
    county_of,
    grid_of_member,
    informant_of,
    township_of,
    village_of,
)
from app.scale.shape import member_of as member_index

TITLES = {
    "urgent_needs": "家庭突发困难，需要帮扶", "epidemic": "返乡人员健康监测", "fire": "山林防火隔离带杂草堆积",
    "civility": "门前乱堆乱放", "environment": "村口垃圾无人清运", "industry": "农产品滞销求助",
    "other": "邻里纠纷调解",
}
RESOLUTION = "已协调解决，问题销号"
# The still-open cases, by (household // 10) % 10: where each one stands now.
OPEN_STATES = (
    (Level.MEMBER, Status.OPEN), (Level.INFORMANT, Status.ESCALATED), (Level.GRID, Status.ESCALATED),
    (Level.BRANCH, Status.ESCALATED), (Level.BRANCH, Status.IN_PROGRESS), (Level.TOWNSHIP, Status.ESCALATED),
    (Level.DEPARTMENT, Status.DISPATCHED), (Level.DEPARTMENT, Status.IN_PROGRESS), (Level.MEMBER, Status.OPEN),
    (Level.BRANCH, Status.IN_PROGRESS),
)
CLIMB = (Level.MEMBER, Level.INFORMANT, Level.GRID, Level.BRANCH, Level.TOWNSHIP)


@dataclass
class Step:
    type: str
    actor: int
    at: object
    data: dict = field(default_factory=dict)
    department_id: int | None = None
    answers: bool = False  # a holder's step, answering the deadline of their level


@dataclass
class Story:
    h: int
    n: int  # the case's number in this run
    category: str
    urgency: str
    opened_at: object
    status: str = Status.OPEN
    level: str = Level.MEMBER
    holder: int | None = None
    holder_unit: int | None = None
    department: int | None = None
    dispatcher: int | None = None
    steps: list = field(default_factory=list)
    task: dict | None = None
    resolved_at: object = None
    closed_at: object = None
    satisfaction: str | None = None
    revisit: Step | None = None


class People:
    """The chain above one household, as ids and names."""

    def __init__(self, plan, h, names):
        m = member_index(h)
        g = grid_of_member(m)
        v = village_of(g)
        t = township_of(v)
        c = county_of(t)
        d = h // 10 % len(DEPARTMENTS)
        self.by_level = {Level.MEMBER: plan.member(m), Level.INFORMANT: plan.informant(informant_of(m)),
                         Level.GRID: plan.grid_leader(g), Level.BRANCH: plan.secretary(v),
                         Level.TOWNSHIP: plan.officer(t, h // 10 % OFFICERS_PER_TOWNSHIP)}
        self.department = plan.department(c, d)
        self.department_name = Tree(plan).county_name(c) + DEPARTMENTS[d]
        self.staff = [plan.staff(c, d, k) for k in range(STAFF_PER_DEPARTMENT)]
        self.names = names


def has_case(h):
    return h % 10 == 3 or h % 20 == 8 or h % 100 == 56


def story_of(plan, h, n, now, names):
    """The story of household h's case (it must have one)."""
    p = People(plan, h, names)
    category = CATEGORIES[h // 10 % len(CATEGORIES)]
    urgent = h % 10 == 3 and h // 10 % 7 == 0 and OPEN_STATES[h // 10 % 10][0] in (Level.MEMBER, Level.BRANCH)
    age = timedelta(days=2 + h % 5) if h % 10 == 3 else timedelta(days=20 + h % 40)
    s = Story(h, n, category, "urgent" if urgent else "normal", now - age)
    at = _Clock(s.opened_at)
    member = p.by_level[Level.MEMBER]
    s.steps.append(Step("opened", member, at.next(), {"category": category, "urgency": s.urgency, "visit_id": None}))
    if h % 10 == 3:
        level, status = OPEN_STATES[h // 10 % 10]
    elif h % 20 == 8:
        level, status = (Level.BRANCH if h // 20 % 2 == 0 else Level.DEPARTMENT), Status.CLOSED
    else:
        level, status = Level.BRANCH, Status.RESOLVED
    _climb(s, p, at, Level.TOWNSHIP if level == Level.DEPARTMENT else level)
    if level == Level.DEPARTMENT:
        _dispatch(s, p, at, accept=status != Status.DISPATCHED)
    if status == Status.IN_PROGRESS and level == Level.BRANCH:
        _task(s, p, at, plan, done=False, accepted=h // 10 % 10 == 9)
    if status in (Status.RESOLVED, Status.CLOSED):
        if status == Status.CLOSED and level == Level.BRANCH:
            _task(s, p, at, plan, done=True, accepted=True)
        _resolve(s, p, at, now)
    if status == Status.CLOSED:
        _close(s, p, at, now)
    return s


class _Clock:
    def __init__(self, start):
        self.t = start

    def next(self, hours=3):
        self.t += timedelta(hours=hours)
        return self.t


def _climb(s, p, at, to_level):
    s.level, s.holder, s.status = Level.MEMBER, p.by_level[Level.MEMBER], Status.OPEN
    for lower, upper in zip(CLIMB, CLIMB[1:]):
        if CLIMB.index(upper) > CLIMB.index(to_level):
            break
        holder = p.by_level[upper]
        s.steps.append(Step("escalated", p.by_level[lower], at.next(),
                            {"from": lower, "to": upper, "holder_id": holder, "holder_name": p.names(holder),
                             "reason": "需上级协调"}, answers=True))
        s.level, s.holder, s.status = upper, holder, Status.ESCALATED


def _dispatch(s, p, at, accept):
    officer = s.holder
    s.steps.append(Step("dispatched", officer, at.next(), {"department_id": p.department,
                                                          "department_name": p.department_name, "reason": ""},
                        answers=True))
    s.level, s.status, s.holder, s.holder_unit = Level.DEPARTMENT, Status.DISPATCHED, None, p.department
    s.department, s.dispatcher = p.department, officer
    if accept:
        staff = p.staff[s.h // 10 % len(p.staff)]
        s.steps.append(Step("accepted", staff, at.next(), {"note": ""}, p.department, answers=True))
        s.status, s.holder, s.holder_unit = Status.IN_PROGRESS, staff, None


def _task(s, p, at, plan, done, accepted):
    member, secretary = p.by_level[Level.MEMBER], s.holder
    task_id = record_id(plan.run, KIND_TASK, s.n)
    title = "入户核实并落实帮扶措施"
    s.task = {"id": task_id, "assignee": member, "assigner": secretary, "title": title, "created_at": at.next(),
              "status": "done" if done else ("accepted" if accepted else "assigned"), "accepted_at": None,
              "done_at": None}
    s.steps.append(Step("task_assigned", secretary, s.task["created_at"],
                        {"task_id": str(task_id), "title": title, "assignee_id": member,
                         "assignee_name": p.names(member)}))
    s.status = Status.IN_PROGRESS
    if accepted:
        s.task["accepted_at"] = at.next()
        s.steps.append(Step("task_accepted", member, s.task["accepted_at"],
                            {"task_id": str(task_id), "title": title, "note": ""}))
    if done:
        s.task["done_at"] = at.next(20)
        s.steps.append(Step("task_done", member, s.task["done_at"],
                            {"task_id": str(task_id), "title": title, "note": "已落实"}))


def _resolve(s, p, at, now):
    level = s.level
    department = s.department if level == Level.DEPARTMENT else None
    s.steps.append(Step("resolved", s.holder, at.next(), {"resolution": RESOLUTION, "level": level}, department,
                        answers=True))
    s.status, s.resolved_at = Status.RESOLVED, min(at.t, now)
    if level == Level.DEPARTMENT:
        s.level, s.holder = Level.TOWNSHIP, s.dispatcher


def _close(s, p, at, now):
    member = p.by_level[Level.MEMBER]
    s.revisit = Step("revisited", member, at.next(), {"satisfaction": "satisfied", "mode": "door",
                                                     "notes": "群众表示满意"}, s.department)
    s.steps.append(s.revisit)
    s.satisfaction = "satisfied"
    s.steps.append(Step("closed", s.holder, at.next(), {"note": "", "satisfaction": "satisfied",
                                                       "no_revisit_reason": None}, s.department))
    s.status, s.closed_at, s.holder, s.holder_unit = Status.CLOSED, min(at.t, now), None, None


KIND_TASK = 4
