"""Passwords and sessions: 修改密码 for everyone, temporary passwords that must be changed, and
every old session ended by a password change, a reset, a deactivation or a role change."""
import pytest

from tests.conftest import ApiClient

NEW = "qingshan-7dao"


def _phone(app, user, password=None):
    client = ApiClient(app)
    res = client.login(user.phone, password) if password else client.login(user.phone)
    assert res.status_code == 200, res.get_json()
    return client


def test_a_password_change_ends_the_other_sessions_not_this_one(app, chain):
    member = chain["member"]
    here, elsewhere = _phone(app, member), _phone(app, member)
    wrong = here.post("/api/auth/password", json={"old_password": "nope-nope", "new_password": NEW})
    assert wrong.status_code == 422 and "old_password" in wrong.get_json()["error"]["fields"]
    for weak in ("1234567", "88888888", member.phone, f"ab{member.phone[3:9]}cd"):
        res = here.post("/api/auth/password", json={"old_password": "baolian2026", "new_password": weak})
        assert res.status_code == 422 and "new_password" in res.get_json()["error"]["fields"], weak
        assert "密码" in res.get_json()["error"]["message"]
    assert elsewhere.get("/api/households").status_code == 200  # nothing changed yet
    assert here.post("/api/auth/password", json={"old_password": "baolian2026", "new_password": NEW}).status_code == 204
    assert here.get("/api/households").status_code == 200
    assert elsewhere.get("/api/households").status_code == 401
    assert ApiClient(app).login(member.phone).status_code == 401  # the old password is gone
    assert _phone(app, member, NEW).get("/api/me").status_code == 200


@pytest.mark.parametrize("change", ["reset", "deactivate", "role"])
def test_what_a_manager_does_ends_the_persons_sessions(change, app, chain, demo):
    person = chain["member"] if change != "role" else chain["informant"]
    old = _phone(app, person)
    manager = _phone(app, chain["secretary"])
    if change == "role":  # an informant becomes a grid leader: first his members get another informant
        assert manager.patch(f"/api/users/{person.id}", json={"role": "grid_leader"}).status_code == 422
        others = [u for u in demo.users.values() if u.informant_id == person.id]
        colleague = next(u for u in demo.users.values() if u.role == "informant" and u.id != person.id
                         and u.org_unit_id == person.org_unit_id)
        for member in others:
            assert manager.patch(f"/api/users/{member.id}", json={"informant_id": colleague.id}).status_code == 200
        res = manager.patch(f"/api/users/{person.id}", json={"role": "grid_leader"})
    elif change == "reset":
        res = manager.post(f"/api/users/{person.id}/reset-password", json={})
    else:
        res = manager.patch(f"/api/users/{person.id}", json={"active": False})
    assert res.status_code == 200, res.get_json()
    assert old.get("/api/me").status_code == 401


def test_a_temporary_password_must_be_changed_first(app, chain):
    secretary = _phone(app, chain["secretary"])
    created = secretary.post("/api/users", json={
        "name": "新党员", "phone": "13911119999", "role": "member", "org_unit_id": chain["member"].org_unit_id,
        "informant_id": chain["informant"].id}).get_json()
    newcomer = ApiClient(app)
    res = newcomer.login("13911119999", created["temporary_password"])
    assert res.status_code == 200 and res.get_json()["must_change_password"] is True
    blocked = newcomer.get("/api/households")
    assert blocked.status_code == 403 and blocked.get_json()["error"]["code"] == "password_change_required"
    assert newcomer.get("/api/me").get_json()["must_change_password"] is True
    assert newcomer.post("/api/auth/password", json={"old_password": created["temporary_password"],
                                                     "new_password": NEW}).status_code == 204
    assert newcomer.get("/api/households").status_code == 200
    assert newcomer.get("/api/me").get_json()["must_change_password"] is False
    reset = secretary.post(f"/api/users/{created['id']}/reset-password", json={}).get_json()
    assert newcomer.get("/api/me").status_code == 401
    again = ApiClient(app)
    assert again.login("13911119999", reset["temporary_password"]).get_json()["must_change_password"] is True


def test_guessing_the_old_password_is_throttled_like_a_login(app, chain):
    """Someone holding a session cookie must not get unlimited tries at the real password."""
    phone = _phone(app, chain["member"])
    answers = [phone.post("/api/auth/password", json={"old_password": f"guess-{n}-x", "new_password": NEW}).status_code
               for n in range(7)]
    assert answers[:5] == [422] * 5 and 429 in answers[5:], answers
    right = phone.post("/api/auth/password", json={"old_password": "baolian2026", "new_password": NEW})
    assert right.status_code == 429  # paused: even the right one waits


def test_a_reset_between_the_check_and_the_change_wins(app, chain, monkeypatch):
    """The old password is checked without a lock; a reset landing meanwhile must not be undone."""
    import app.auth.routes as routes

    phone = _phone(app, chain["member"])
    manager = _phone(app, chain["secretary"])
    real = routes.check_password

    def reset_meanwhile(user, password):
        ok = real(user, password)
        assert manager.post(f"/api/users/{user.id}/reset-password", json={}).status_code == 200
        return ok

    monkeypatch.setattr(routes, "check_password", reset_meanwhile)
    res = phone.post("/api/auth/password", json={"old_password": "baolian2026", "new_password": NEW})
    monkeypatch.undo()
    assert res.status_code in (401, 422)
    assert phone.get("/api/me").status_code == 401  # the reset ended this session
