"""A sync answer carries the records it touched, not whole timelines (issue #11 item 5): each
result of a case step holds the case's own fields and the one step it made, so its size does not
grow with the case's history (it used to embed every event: 200 comments on one case answered
about 90 MB)."""
import json
import uuid
from datetime import datetime, timezone

TIMELINE_PAGE = 50  # the contract: a case's detail carries its newest 50 steps


BODY = "已电话联系户主，约定明天上门查看"
# What one result should hold: the case's fields (about 1 KB with its household and holder), the
# step it made (about 0.5 KB), what the caller may do, and the result's own envelope. 3 KB is
# generous for that and far below one timeline of 200 steps (about 100 KB).
RESULT_BYTES = 3000


def _comments(case_id, n):
    now = datetime.now(timezone.utc).isoformat()
    return [{"id": str(uuid.uuid4()), "type": "case.action", "at": now,
             "data": {"case_id": str(case_id), "action": "comment", "body": BODY}} for _ in range(n)]


def test_two_hundred_comments_on_a_long_case_answer_a_small_batch(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    first = secretary.post("/api/sync", json={"mutations": _comments(case.id, 200)})
    assert first.status_code == 200
    batch = _comments(case.id, 200)
    res = secretary.post("/api/sync", json={"mutations": batch})
    assert res.status_code == 200
    results = res.get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 200
    assert len(res.data) < 200 * RESULT_BYTES  # 600 KB at most; about 256 KB measured
    for mutation, result in zip(batch, results):
        record = result["record"]
        assert "events" not in record and record["id"] == str(case.id)
        assert (record["event"]["id"], record["event"]["data"]["body"]) == (mutation["id"], BODY)
        assert "comment" in record["actions"]
    sizes = [len(json.dumps(r, ensure_ascii=False).encode()) for r in results]
    assert max(sizes) - min(sizes) < 64  # the 400th step's result is no larger than the 201st's
    # and the rest of the timeline is where the phone fetches it
    detail = secretary.get(f"/api/cases/{case.id}").get_json()
    assert [e["id"] for e in detail["events"]] == [m["id"] for m in batch[-TIMELINE_PAGE:]]


def test_a_resent_batch_is_as_small(make_case, chain, as_user):
    case = make_case(level="branch", status="open")
    secretary = as_user(chain["secretary"])
    batch = _comments(case.id, 50)
    secretary.post("/api/sync", json={"mutations": batch})
    again = secretary.post("/api/sync", json={"mutations": batch})
    results = again.get_json()["results"]
    assert [r["status"] for r in results] == ["duplicate"] * 50
    assert [r["record"]["event"]["id"] for r in results] == [m["id"] for m in batch]
    assert len(again.data) < 50 * RESULT_BYTES


def test_a_case_opened_through_sync_answers_with_its_opening(login, jiang):
    shi = login("石水奇")
    case_id = str(uuid.uuid4())
    mutation = {"id": case_id, "type": "case.create", "at": datetime.now(timezone.utc).isoformat(),
                "data": {"household_id": jiang.id, "category": "urgent_needs", "title": "屋顶漏雨"}}
    result = shi.post("/api/sync", json={"mutations": [mutation]}).get_json()["results"][0]
    assert result["status"] == "applied"
    record = result["record"]
    assert (record["id"], record["event"]["type"], record["event"]["attachments"]) == (case_id, "opened", [])
    assert "events" not in record and "escalate" in record["actions"]
