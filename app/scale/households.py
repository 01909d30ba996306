"""Households (10 per member), optional head-of-household residents, and about two visits per
household spread over the last months, as rows."""
from datetime import timedelta

from app.org.demo import person
from app.scale.ids import record_id
from app.scale.org import Tree
from app.scale.shape import (
    GRIDS_PER_VILLAGE,
    HOUSEHOLDS_PER_MEMBER,
    MEMBERS_PER_GRID,
    grid_of_member,
    member_of,
    village_of,
)

HOUSEHOLDS_PER_VILLAGE = HOUSEHOLDS_PER_MEMBER * MEMBERS_PER_GRID * GRIDS_PER_VILLAGE
HOUSEHOLD_COLUMNS = ("id", "org_unit_id", "village_id", "household_no", "member_id", "head_name", "address",
                     "people", "phone", "tags", "hardship", "archive_note", "version", "created_at", "updated_at")
RESIDENT_COLUMNS = ("id", "household_id", "name", "relation", "gender", "birth_year", "phone", "care",
                    "id_number_masked", "created_at", "updated_at")
VISIT_COLUMNS = ("id", "household_id", "author_id", "visited_at", "recorded_at", "mode", "notes", "needs",
                 "hardship")
TAGS = (("低保", 7), ("独居老人", 11), ("残疾", 13), ("留守儿童", 17))
VISIT_NOTES = ("", "家中一切正常", "老人身体尚好，叮嘱注意保暖", "反映村道路灯不亮", "孩子在外打工，老人独自在家")
KIND_VISIT = 1


def tags_of(h):
    return [t for t, every in TAGS if h % every == 0]


def household_rows(plan, now):
    tree = Tree(plan)
    created = now - timedelta(days=400)
    for h in range(plan.shape.households):
        m = member_of(h)
        g = grid_of_member(m)
        v = village_of(g)
        no = h % HOUSEHOLDS_PER_VILLAGE + 1
        tags = tags_of(h)
        yield (plan.household(h), plan.grid(g), plan.village(v), str(no), plan.member(m), person(h + 7),
               f"{tree.village_name(v)}{g % GRIDS_PER_VILLAGE + 1}组 {no} 号", 1 + h % 5,
               f"13{h % 10**9:09d}" if h % 3 == 0 else "", tags, bool(tags) and h % 2 == 0, "", 1, created, created)


def resident_rows(plan, first_resident, now):
    """The head of each household, as the register's first resident."""
    for h in range(plan.shape.households):
        yield (first_resident + h, plan.household(h), person(h + 7), "head", ("male", "female")[h % 2],
               1940 + h % 60, "", [], "", now, now)


def visit_count(h):
    """0 (2 % of households were never visited), 1, 2 or 3: about 2 on average."""
    if h % 50 == 7:
        return 0
    return (2, 1, 3, 2, 2)[h % 5]


def visit_rows(plan, now):
    n = 0
    for h in range(plan.shape.households):
        latest = now - timedelta(days=(h * 37) % 60, hours=h % 10)
        hardship = "mild" if h % 9 == 0 else "none"
        for j in range(visit_count(h)):
            at = latest - timedelta(days=35 * j)
            yield (record_id(plan.run, KIND_VISIT, n), plan.household(h), plan.member(member_of(h)), at,
                   at + timedelta(minutes=5), ("door", "phone")[j % 2], VISIT_NOTES[(h + j) % len(VISIT_NOTES)],
                   [], hardship)
            n += 1
