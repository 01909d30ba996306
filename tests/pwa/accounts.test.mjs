// Accounts and people without a screen (pwa/js/accounts.js): the forced password change, the
// 修改密码 form's checks, the server's field errors, the roles a manager may give, the 人员 query,
// an edit's changes, a 交接 plan and its candidates, 待交接 grouped by member.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  awaitingByMember, catalogueRoles, checkPasswordForm, fieldErrors, handoverCandidates, handoverPlan,
  passwordChangeRequired, peopleQuery, personChanges, roleOptions,
} from "../../pwa/js/accounts.js";

// Role codes as the server sends them (this test is not app code: it may spell them).
const R = { member: "member", informant: "informant", leader: "grid_leader", secretary: "secretary" };
const GRID1 = { id: 11, kind: "grid", name: "第一网格" };
const GRID2 = { id: 12, kind: "grid", name: "第二网格" };

test("a temporary password keeps the user on 修改密码 only while the server says so", () => {
  assert.equal(passwordChangeRequired({ id: 1, must_change_password: true }), true);
  assert.equal(passwordChangeRequired({ id: 1, must_change_password: false }), false);
  assert.equal(passwordChangeRequired({ id: 1 }), false); // an older profile without the flag
  assert.equal(passwordChangeRequired(null), false);
});

test("修改密码: every field filled, the two new ones equal; the policy is the server's", () => {
  assert.deepEqual(checkPasswordForm({ old: "", next: "", confirm: "" }),
    { old_password: "required", new_password: "required", confirm: "required" });
  assert.deepEqual(checkPasswordForm({ old: "a", next: "qingshan-7dao", confirm: "qingshan-7da" }), { confirm: "mismatch" });
  assert.deepEqual(checkPasswordForm({ old: "a", next: "short", confirm: "short" }), {}); // the server says 至少 8 位
});

test("the server's field errors: the first message of each field, however nested", () => {
  assert.deepEqual(fieldErrors({ fields: { old_password: ["旧密码不正确"], new_password: ["密码至少 8 位", "过于简单"] } }),
    { old_password: "旧密码不正确", new_password: "密码至少 8 位" });
  assert.deepEqual(fieldErrors({ fields: { assignments: { 0: { member_id: ["必填"] } } } }), { assignments: "必填" });
  assert.deepEqual(fieldErrors({ fields: { phone: "该手机号已被其他人员使用" } }), { phone: "该手机号已被其他人员使用" });
  assert.deepEqual(fieldErrors({ message: "x" }), {});
  assert.deepEqual(fieldErrors(null), {});
});

test("roles to give: from the server's capabilities when it sends them", () => {
  const user = { capabilities: { can: ["users.manage"], manages: [
    { role: R.member, unit_kind: "grid", informant_role: R.informant },
    { role: R.informant, unit_kind: "grid", informant_role: null },
    { role: R.secretary, unit_kind: "village" },
  ] } };
  assert.deepEqual(roleOptions(user, [{ id: 9, role: "admin", org_unit: { kind: "district" } }]), [
    { role: R.member, unitKind: "grid", informantRole: R.informant },
    { role: R.informant, unitKind: "grid", informantRole: null },
    { role: R.secretary, unitKind: "village", informantRole: null },
  ]);
  assert.deepEqual(roleOptions({ capabilities: { can: [], manages: [] } }, []), []);
});

test("roles to give: else learnt from the people already managed, in the catalogue's order", () => {
  const people = [
    { id: 3, role: R.leader, org_unit: GRID1, informant_id: null },
    { id: 2, role: R.member, org_unit: GRID1, informant_id: 1 },
    { id: 1, role: R.informant, org_unit: GRID1, informant_id: null },
    { id: 4, role: R.member, org_unit: GRID2, informant_id: 99 }, // an informant not in the list
  ];
  const order = catalogueRoles({ "app.name": "包联", "role.member": "党员", "role.informant": "信息员", "role.grid_leader": "网格长" });
  assert.deepEqual(order, [R.member, R.informant, R.leader]);
  assert.deepEqual(roleOptions({ capabilities: { can: ["users.manage"] } }, people, order), [
    { role: R.member, unitKind: "grid", informantRole: R.informant },
    { role: R.informant, unitKind: "grid", informantRole: null },
    { role: R.leader, unitKind: "grid", informantRole: null },
  ]);
  assert.deepEqual(roleOptions(null, []), []);
  // a person without a unit teaches nothing about where that role sits
  assert.deepEqual(roleOptions({}, [{ id: 5, role: R.secretary, org_unit: null }], order), []);
});

test("the 人员 list's query: mine, by name or phone, 在岗 / 已停用 / 全部, paged", () => {
  assert.equal(peopleQuery(), "/api/users?managed=1&active=1&limit=50");
  assert.equal(peopleQuery({ q: " 石水 ", status: "inactive", limit: 20 }),
    `/api/users?managed=1&q=${encodeURIComponent("石水")}&active=0&limit=20`);
  assert.equal(peopleQuery({ status: "all", cursor: "a b" }), "/api/users?managed=1&limit=50&cursor=a+b");
});

test("an edit sends only what changed; an informant only for a role that needs one", () => {
  const person = { id: 7, name: "李新苗", phone: "13911110001", role: R.member, org_unit: GRID1, informant_id: 1 };
  const same = { name: "李新苗", phone: "13911110001", role: R.member, org_unit_id: 11, informant_id: 1 };
  assert.deepEqual(personChanges(person, same, true), {});
  assert.deepEqual(personChanges(person, { ...same, phone: "13911110002", informant_id: 2 }, true),
    { phone: "13911110002", informant_id: 2 });
  assert.deepEqual(personChanges(person, { ...same, role: R.leader, informant_id: null }, false), { role: R.leader });
  assert.deepEqual(personChanges(person, { ...same, org_unit_id: 12, informant_id: 5 }, true), { org_unit_id: 12, informant_id: 5 });
});

test("a 交接 plan: all to one member, or household by household (undecided ones stay)", () => {
  assert.deepEqual(handoverPlan("all", { to: "8" }), { body: { to_member_id: 8 } });
  assert.deepEqual(handoverPlan("all", {}), { problem: "choose_member" });
  assert.deepEqual(handoverPlan("each", { choices: { 101: "8", 102: null, 103: "9" } }),
    { body: { assignments: [{ household_id: 101, member_id: 8 }, { household_id: 103, member_id: 9 }] } });
  assert.deepEqual(handoverPlan("each", { choices: { 101: null } }), { problem: "nothing" });
});

test("who may take over: active people of the same role in the same village, not the person", () => {
  const person = { id: 1, role: R.member, org_unit: GRID1 };
  const users = [
    { id: 1, role: R.member, org_unit: GRID1, active: true },
    { id: 2, role: R.member, org_unit: GRID2, active: true },
    { id: 3, role: R.member, org_unit: { id: 21, kind: "grid" }, active: true }, // another village
    { id: 4, role: R.informant, org_unit: GRID1, active: true },
    { id: 5, role: R.member, org_unit: GRID1, active: false },
  ];
  const parentOf = new Map([[11, 100], [12, 100], [21, 200]]);
  assert.deepEqual(handoverCandidates(person, users, parentOf).map((u) => u.id), [2]);
  assert.deepEqual(handoverCandidates(person, users).map((u) => u.id), [2, 3]); // no units known: the server decides
});

test("待交接: one group per member, households in order", () => {
  const a = { id: 1, name: "石水奇" };
  const b = { id: 2, name: "王五" };
  const groups = awaitingByMember([
    { id: 12, head_name: "乙", member: a }, { id: 30, head_name: "丙", member: b },
    { id: 11, head_name: "甲", member: a }, { id: 40, head_name: "丁", member: null },
  ]);
  assert.deepEqual(groups.map((g) => [g.member.name, g.households.map((x) => x.head_name)]),
    [["石水奇", ["甲", "乙"]], ["王五", ["丙"]]]);
});

test("a 403 password_change_required from any route tells the app to open 修改密码", async () => {
  const { request } = await import("../../pwa/js/api.js");
  const realFetch = globalThis.fetch;
  const hadWindow = "window" in globalThis;
  const events = [];
  globalThis.window = new EventTarget();
  globalThis.window.addEventListener("baolian:password-change-required", (e) => events.push(e.type));
  const answer = (status, error) => new Response(JSON.stringify({ error }), { status, headers: { "Content-Type": "application/json" } });
  try {
    globalThis.fetch = async () => answer(403, { code: "password_change_required", message: "请先修改临时密码" });
    await assert.rejects(request("GET", "/api/households"), (err) => err.status === 403 && err.code === "password_change_required");
    assert.deepEqual(events, ["baolian:password-change-required"]);
    globalThis.fetch = async () => answer(403, { code: "forbidden", message: "没有权限执行此操作" });
    await assert.rejects(request("GET", "/api/reports/cases"), (err) => err.code === "forbidden");
    assert.equal(events.length, 1); // any other refusal is only a refusal
  } finally {
    globalThis.fetch = realFetch;
    if (!hadWindow) delete globalThis.window;
  }
});
