"""The sync change log for every scale record, as the app's own log (app/sync/changelog.py)
writes it when a record is made: phones whose scope takes in scale data learn of it through
GET /api/sync like anything else."""
from app.scale.cases import case_id, notification_rows, stories
from app.scale.households import visit_rows
from app.scale.shape import grid_of_member, member_of, village_of

CHANGE_COLUMNS = ("entity", "entity_id", "household_id", "user_id", "department_id", "member_id", "org_unit_id",
                  "village_id", "created_at")


def change_rows(plan, now):
    """Rows of a household's records carry where it is (its member, grid and village), as the
    log does."""
    def placed(h):
        m = member_of(h)
        g = grid_of_member(m)
        return plan.household(h), plan.member(m), plan.grid(g), plan.village(village_of(g))

    for h in range(plan.shape.households):
        hid, member, grid, village = placed(h)
        yield "household", str(hid), hid, None, None, member, grid, village, now
    for row in visit_rows(plan, now):
        hid, member, grid, village = placed(row[1] - plan.household(0))
        yield "visit", str(row[0]), hid, None, None, member, grid, village, now
    for s in stories(plan, now):
        (hid, member, grid, village), cid = placed(s.h), case_id(plan, s)
        yield "case", str(cid), hid, None, s.department, member, grid, village, now
        if s.task is not None:
            tid = str(s.task["id"])
            for user in dict.fromkeys((s.task["assignee"], s.task["assigner"])):
                yield "task", tid, None, user, None, None, None, None, now
            yield "task", tid, hid, None, s.department, member, grid, village, now
    for row in notification_rows(plan, now):
        yield "notification", str(row[0]), None, row[1], None, None, None, None, now
