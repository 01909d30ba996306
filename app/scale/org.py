"""The scale org tree (counties with their departments, townships, villages, grids) and its
people, as rows."""
from app.org.demo import DEPARTMENTS, person
from app.policy.names import Kind, Role
from app.scale.plan import SCALE_PREFIX
from app.scale.shape import (
    GRIDS_PER_VILLAGE,
    INFORMANTS_PER_GRID,
    OFFICERS_PER_TOWNSHIP,
    STAFF_PER_DEPARTMENT,
    TOWNSHIPS_PER_COUNTY,
    VILLAGES_PER_TOWNSHIP,
    county_of,
    grid_of_member,
    informant_of,
    township_of,
    village_of,
)

UNIT_COLUMNS = ("id", "kind", "name", "parent_id", "path")
USER_COLUMNS = ("id", "name", "phone", "password_hash", "role", "org_unit_id", "informant_id", "active",
                "created_at", "session_epoch", "scope_version", "must_change_password")


class Tree:
    """Names and paths of the plan's units."""

    def __init__(self, plan):
        self.plan = plan

    def county_name(self, c):
        return f"{SCALE_PREFIX}{c + self.plan.county_offset + 1:03d}区"

    def county_path(self, c):
        return f"/{self.plan.county(c)}/"

    def township_path(self, t):
        return f"{self.county_path(county_of(t))}{self.plan.township(t)}/"

    def village_path(self, v):
        return f"{self.township_path(township_of(v))}{self.plan.village(v)}/"

    def grid_path(self, g):
        return f"{self.village_path(village_of(g))}{self.plan.grid(g)}/"

    @staticmethod
    def village_name(v):
        return f"第{v % VILLAGES_PER_TOWNSHIP + 1:02d}村"


def unit_rows(plan):
    tree, s = Tree(plan), plan.shape
    for c in range(s.counties):
        yield plan.county(c), Kind.DISTRICT, tree.county_name(c), None, tree.county_path(c)
        for d, name in enumerate(DEPARTMENTS):
            unit = plan.department(c, d)
            # named after its county: the demo finds its own departments by name alone
            yield unit, Kind.DEPARTMENT, tree.county_name(c) + name, plan.county(c), f"{tree.county_path(c)}{unit}/"
    for t in range(s.townships):
        yield (plan.township(t), Kind.TOWNSHIP, f"第{t % TOWNSHIPS_PER_COUNTY + 1:02d}镇", plan.county(county_of(t)),
               tree.township_path(t))
    for v in range(s.villages):
        yield plan.village(v), Kind.VILLAGE, tree.village_name(v), plan.township(township_of(v)), tree.village_path(v)
    for g in range(s.grids):
        yield (plan.grid(g), Kind.GRID, f"第{g % GRIDS_PER_VILLAGE + 1}网格", plan.village(village_of(g)),
               tree.grid_path(g))


def user_rows(plan, password_hash, now):
    s = plan.shape

    def row(uid, role, unit, informant=None):
        return (uid, person(uid), plan.phone(uid), password_hash, role, unit, informant, True, now, 0, 0, False)

    for c in range(s.counties):
        yield row(plan.admin(c), Role.ADMIN, plan.county(c))
        for d in range(len(DEPARTMENTS)):
            for k in range(STAFF_PER_DEPARTMENT):
                yield row(plan.staff(c, d, k), Role.DEPARTMENT, plan.department(c, d))
    for t in range(s.townships):
        for k in range(OFFICERS_PER_TOWNSHIP):
            yield row(plan.officer(t, k), Role.TOWNSHIP, plan.township(t))
    for v in range(s.villages):
        yield row(plan.secretary(v), Role.SECRETARY, plan.village(v))
    for g in range(s.grids):
        yield row(plan.grid_leader(g), Role.GRID_LEADER, plan.grid(g))
    for i in range(s.informants):
        yield row(plan.informant(i), Role.INFORMANT, plan.grid(i // INFORMANTS_PER_GRID))
    for m in range(s.members):
        yield row(plan.member(m), Role.MEMBER, plan.grid(grid_of_member(m)), plan.informant(informant_of(m)))
