"""The README's production shape on loopback: two app instances (A and B, `gunicorn wsgi:app`,
two workers each) behind an imaginary nginx (PROXY_COUNT=1, X-Forwarded-*), sharing one
PostgreSQL database and one Redis, BAOLIAN_ENV=production with one SECRET_KEY, and
NOTIFY_DELIVERY=worker with a `flask notify-worker` beside each instance.

  - a session made on A is valid on B (and a logout on B ends it on A);
  - failed logins spread over A and B count together: the next answers 429 on either;
  - a task assigned through either instance reaches the assignee's push service exactly once.
"""
import secrets
import sys
import time
import uuid
from http.cookies import SimpleCookie

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.chaos.server import Gunicorn, Process, app_env, flask_cli, migrate_and_seed, scratch_pg_database
from tests.notify.pushservice import PushService

PASSWORD = "baolian2026"
SECRETARY, SHI = "13900000020", "13900000101"  # 赵红梅 (branch secretary), 石水奇 (member)
HOST = "baolian.test"  # the name nginx serves; X-Forwarded-Host says so
TASKS = 6
DELIVERY_WAIT = 90  # the workers poll every 30 s when idle; a deadline for liveness only


class Cluster:
    def __init__(self, url, env, users, a, b, workers, push):
        self.url, self.env, self.a, self.b, self.workers, self.push = url, env, a, b, workers, push
        self.users = {u["phone"]: u for u in users}

    def sql(self, query, **params):
        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                return conn.execute(text(query), params).all()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def cluster(postgres, redis_url):
    from py_vapid import Vapid02

    vapid = Vapid02()
    vapid.generate_keys()
    push = PushService().start()
    procs = []
    try:
        with scratch_pg_database("deploy") as url:
            env = app_env(url, REDIS_URL=redis_url, NOTIFY_DELIVERY="worker", PROXY_COUNT=1,
                          PUSH_EXTRA_ORIGINS=push.origin + "/", VAPID_PRIVATE_KEY=vapid.private_pem().decode())
            users = migrate_and_seed(env)
            a, b = Gunicorn(env, workers=2), Gunicorn(env, workers=2)
            procs += [a, b]
            workers = [Process(env, [sys.executable, "-m", "flask", "--app", "wsgi", "notify-worker"])
                       for _ in range(2)]
            procs += workers
            a.start()
            b.start()
            yield Cluster(url, env, users, a, b, workers, push)
    finally:
        for proc in procs:
            proc.stop()
        push.stop()


class Browser:
    """One person's browser behind nginx: its own address, https as nginx saw it, and the
    Secure session cookie sent by hand (requests would keep it off plain http)."""

    def __init__(self, address=None):
        self.address = address or f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{1 + secrets.randbelow(250)}"
        self.cookie = self.csrf = None
        self.last_set_cookie = None

    def send(self, server, method, path, body=None):
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST,
                   "Referer": f"https://{HOST}/", "Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = f"baolian_session={self.cookie}"
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        res = requests.request(method, server.url + path, json=body, headers=headers, timeout=30,
                               allow_redirects=False)
        raw = res.headers.get("Set-Cookie")
        if raw:
            jar = SimpleCookie()
            jar.load(raw)
            if "baolian_session" in jar:
                self.last_set_cookie = jar["baolian_session"]
                self.cookie = jar["baolian_session"].value or None
        return res

    def login(self, server, phone, password=PASSWORD):
        self.cookie = None
        self.csrf = self.send(server, "GET", "/api/auth/csrf").json()["csrf_token"]
        res = self.send(server, "POST", "/api/auth/login", {"phone": phone, "password": password})
        if res.status_code == 200:
            self.csrf = res.json()["csrf_token"]
        return res


def test_a_session_made_on_one_instance_is_valid_on_the_other(cluster):
    browser = Browser()
    res = browser.login(cluster.a, SECRETARY)
    assert res.status_code == 200, res.text
    morsel = browser.last_set_cookie
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"].lower() == "lax", morsel.OutputString()

    me = browser.send(cluster.b, "GET", "/api/me")
    assert me.status_code == 200, me.text
    assert me.json()["phone"] == SECRETARY

    out = browser.send(cluster.b, "POST", "/api/auth/logout")  # a write on B with A's CSRF token
    assert out.status_code == 204, out.text
    browser.cookie = morsel.value  # replay the old cookie, as a stolen copy would be
    assert browser.send(cluster.a, "GET", "/api/me").status_code == 401


def _wrong_login(browser, server, phone):
    return browser.login(server, phone, password="wrong-" + secrets.token_hex(4)).status_code


def test_failed_logins_on_both_instances_count_together(cluster):
    # What one instance allows: wrong passwords on A alone until it says 429 (a phone nobody has).
    learner, stranger = Browser(), "137" + "".join(str(secrets.randbelow(10)) for _ in range(8))
    answers = []
    while len(answers) < 60 and (not answers or answers[-1] != 429):
        answers.append(_wrong_login(learner, cluster.a, stranger))
    assert answers[-1] == 429, f"no login limit within {len(answers)} failures: {answers}"
    limit = answers.index(429)
    assert limit >= 1 and set(answers[:limit]) == {401}, answers

    # A real account, guessed at from one address through A and B in turn: kept per process,
    # the counts would reach the limit on neither.
    phone = "136" + "".join(str(secrets.randbelow(10)) for _ in range(8))
    password = "Drill-" + secrets.token_hex(6)
    district = cluster.sql("SELECT id FROM org_units WHERE kind = 'district' ORDER BY id LIMIT 1")[0][0]
    flask_cli(cluster.env, "create-user", "--name", "限流测试", "--phone", phone, "--role", "admin",
              "--org-unit", str(district), "--password", password)
    guesser = Browser()
    spread = [_wrong_login(guesser, (cluster.a, cluster.b)[i % 2], phone) for i in range(limit)]
    assert spread == [401] * limit, f"{limit} failures over A and B answered {spread}"
    assert _wrong_login(guesser, cluster.a, phone) == 429
    assert _wrong_login(guesser, cluster.b, phone) == 429
    # Not even the right password is tried now, on either instance.
    for server in (cluster.b, cluster.a):
        res = guesser.login(server, phone, password)
        assert res.status_code == 429, res.text
        assert res.json()["error"]["code"] == "rate_limited", res.text


def test_a_notification_is_delivered_once_with_a_worker_beside_each_instance(cluster):
    assert all(w.alive() for w in cluster.workers), [w.log_tail() for w in cluster.workers]
    shi, secretary = Browser(), Browser()
    assert shi.login(cluster.b, SHI).status_code == 200
    res = shi.send(cluster.b, "POST", "/api/push/subscriptions", cluster.push.subscribe())
    assert res.status_code == 201, res.text
    assert secretary.login(cluster.a, SECRETARY).status_code == 200

    assignee = cluster.users[SHI]["id"]
    task_ids = []
    for i in range(TASKS):  # through A and B in turn, one session
        body = {"id": str(uuid.uuid4()), "assignee_id": assignee, "title": f"入户核实第{i + 1}项"}
        res = secretary.send((cluster.a, cluster.b)[i % 2], "POST", "/api/tasks", body)
        assert res.status_code == 201, res.text
        task_ids.append(body["id"])

    def arrived():
        return {a.payload.get("id") for a in cluster.push.arrivals} >= set(task_ids)

    with cluster.push.arrived:
        cluster.push.arrived.wait_for(arrived, DELIVERY_WAIT)
    time.sleep(1.0)  # let any second copy in flight land before counting
    assert arrived(), (f"not delivered within {DELIVERY_WAIT} s; refused: {cluster.push.refusals[-3:]}; "
                       f"workers: {[w.log_tail(10) for w in cluster.workers]}")
    assert not cluster.push.refusals, cluster.push.refusals
    per_task = {t: sum(1 for a in cluster.push.arrivals if a.payload.get("id") == t) for t in task_ids}
    assert per_task == {t: 1 for t in task_ids}, per_task
    per_nid = {}
    for a in cluster.push.arrivals:
        per_nid[a.payload["nid"]] = per_nid.get(a.payload["nid"], 0) + 1
    assert set(per_nid.values()) == {1}, per_nid

    rows = cluster.sql("SELECT d.status, d.attempts FROM notification_deliveries d JOIN notifications n "
                       "ON n.id = d.notification_id WHERE n.user_id = :uid AND d.channel = 'webpush'", uid=assignee)
    assert sorted(rows) == [("sent", 1)] * TASKS, rows
