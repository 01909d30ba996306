"""A case's timeline a page at a time (issue #11 item 5): the detail carries the newest steps in
the order they happened and a cursor; GET /api/cases/<id>/events gives the older ones, newest
first, each step exactly once, in scope only."""
import uuid
from datetime import datetime, timezone

TIMELINE_PAGE = 50  # the contract: a case's detail carries its newest 50 steps



def _comments(client, case_id, n, start=0):
    now = datetime.now(timezone.utc).isoformat()
    mutations = [{"id": str(uuid.uuid4()), "type": "case.action", "at": now,
                  "data": {"case_id": str(case_id), "action": "comment", "body": f"第 {start + i + 1} 次跟进"}}
                 for i in range(n)]
    res = client.post("/api/sync", json={"mutations": mutations})
    assert res.status_code == 200 and {r["status"] for r in res.get_json()["results"]} == {"applied"}
    return [m["id"] for m in mutations]


def test_the_detail_carries_the_newest_page_and_the_rest_comes_page_by_page(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    said = _comments(secretary, case.id, 2 * TIMELINE_PAGE + 7)  # 107 comments after the opening: 108 steps
    detail = secretary.get(f"/api/cases/{case.id}").get_json()
    newest = [e["id"] for e in detail["events"]]
    assert newest == said[-TIMELINE_PAGE:]  # the newest 50, oldest of them first
    assert detail["events"][-1]["data"]["body"] == f"第 {2 * TIMELINE_PAGE + 7} 次跟进"
    assert detail["events_next"]

    older, cursor, pages = [], detail["events_next"], 0
    while cursor:
        page = secretary.get(f"/api/cases/{case.id}/events?cursor={cursor}&limit=40").get_json()
        assert len(page["items"]) <= 40
        older += page["items"]
        cursor, pages = page["next"], pages + 1
    assert pages == 2  # 58 older steps in pages of 40
    assert [e["id"] for e in older] == said[:-TIMELINE_PAGE][::-1] + [older[-1]["id"]]  # newest first
    assert older[-1]["type"] == "opened"
    assert len({*newest, *(e["id"] for e in older)}) == 2 * TIMELINE_PAGE + 8


def test_a_short_timeline_is_whole_in_the_detail(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    _comments(secretary, case.id, 3)
    detail = secretary.get(f"/api/cases/{case.id}").get_json()
    assert [e["type"] for e in detail["events"]] == ["opened", "commented", "commented", "commented"]
    assert detail["events_next"] is None
    first = secretary.get(f"/api/cases/{case.id}/events").get_json()
    assert [e["id"] for e in first["items"]] == [e["id"] for e in detail["events"]][::-1] and first["next"] is None


def test_new_steps_do_not_shift_the_older_pages(make_case, chain, as_user):
    """The cursor is a position in time: steps added meanwhile neither repeat nor hide older ones."""
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    said = _comments(secretary, case.id, TIMELINE_PAGE + 5)
    cursor = secretary.get(f"/api/cases/{case.id}").get_json()["events_next"]
    _comments(secretary, case.id, 10, start=TIMELINE_PAGE + 5)
    page = secretary.get(f"/api/cases/{case.id}/events?cursor={cursor}").get_json()
    assert [e["id"] for e in page["items"]][:5] == said[:5][::-1]
    assert page["items"][-1]["type"] == "opened" and page["next"] is None


def test_older_pages_are_in_scope_only_and_a_bad_cursor_is_refused(make_case, chain, as_user, demo):
    case = make_case(level="branch", status="open")
    outsider = as_user(demo.one("member", "第二网格"))
    res = outsider.get(f"/api/cases/{case.id}/events")
    assert res.status_code == 404
    assert res.get_json() == outsider.get(f"/api/cases/{uuid.uuid4()}/events").get_json()
    secretary = as_user(chain["secretary"])
    for bad in ("x", "WzFd", "bm90LWpzb24"):
        res = secretary.get(f"/api/cases/{case.id}/events?cursor={bad}")
        assert res.status_code == 422 and "cursor" in res.get_json()["error"]["fields"], bad
    assert secretary.get(f"/api/cases/{case.id}/events?limit=0").status_code == 422
