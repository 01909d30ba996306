"""Out of scope answers exactly as missing, even for ids a phone makes: posting someone else's
visit, case or task id tells nothing that a fresh id would not."""
import uuid

from tests.conftest import visit_body


def _pair(client, path, existing_id, body):
    """The answers to the same body with an id that exists out of scope and a fresh one."""
    taken = client.post(path, json={**body, "id": existing_id})
    fresh = client.post(path, json={**body, "id": str(uuid.uuid4())})
    return (taken.status_code, taken.get_json()), (fresh.status_code, fresh.get_json())


def test_a_visit_id_of_another_village(login, demo, jiang):
    mine = login("石水奇").post("/api/visits", json=visit_body(jiang.id)).get_json()
    stranger = login("郑满仓")  # a member of another village
    taken, fresh = _pair(stranger, "/api/visits", mine["id"], {**visit_body(jiang.id), "notes": "探测"})
    assert taken == fresh and taken[0] == 404


def test_a_case_id_of_another_village(login, jiang):
    case_id = str(uuid.uuid4())
    body = {"household_id": jiang.id, "category": "other", "title": "院墙倒塌"}
    assert login("石水奇").post("/api/cases", json={**body, "id": case_id}).status_code == 201
    taken, fresh = _pair(login("郑满仓"), "/api/cases", case_id, body)
    assert taken == fresh and taken[0] == 404


def test_a_task_id_of_another_village(login, chain):
    task_id = str(uuid.uuid4())
    assert login("赵红梅").post("/api/tasks", json={
        "id": task_id, "assignee_id": chain["member"].id, "title": "走访核实"}).status_code == 201
    taken, fresh = _pair(login("孙保平"), "/api/tasks", task_id,
                         {"assignee_id": chain["member"].id, "title": "走访核实"})
    assert taken == fresh and taken[0] == 422  # the assignee is not theirs to task, whichever the id
