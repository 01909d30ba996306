// Accounts and people, the parts without a screen (pure, tested in tests/pwa/accounts.test.mjs):
// a temporary password that must be changed, the 修改密码 form's own checks, the server's field
// errors, which roles the user may create and where they sit, the 人员 list's query, an edit's
// changes, a 交接 plan, and the households awaiting handover grouped by member.
// No role is spelled here: roles, their unit kinds and informants come from the server.

// The server says so in the login answer and /api/me (or a 403 password_change_required).
export function passwordChangeRequired(user) {
  return Boolean(user && user.must_change_password);
}

// The 修改密码 form before it is sent: {field: problem} with problem "required" or "mismatch"
// (the password policy itself is the server's, and its messages are shown as they come).
export function checkPasswordForm({ old, next, confirm }) {
  const problems = {};
  if (!old) problems.old_password = "required";
  if (!next) problems.new_password = "required";
  if (!confirm) problems.confirm = "required";
  else if (next && confirm !== next) problems.confirm = "mismatch";
  return problems;
}

// The first message the server gave for each field: {"phone": ["…"]} -> {phone: "…"}.
export function fieldErrors(err) {
  const out = {};
  const fields = err && err.fields;
  if (!fields || typeof fields !== "object") return out;
  for (const [name, value] of Object.entries(fields)) {
    const message = firstText(value);
    if (message) out[name] = message;
  }
  return out;
}

function firstText(value) {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const text = firstText(v);
      if (text) return text;
    }
    return "";
  }
  if (value && typeof value === "object") return firstText(Object.values(value));
  return "";
}

// The roles this user may give to a new person, in order, each with the kind of org unit that
// role sits in and the role of the informant it needs (null: none):
//   [{role, unitKind, informantRole}]
// From the server's `capabilities.manages` ([{role, unit_kind, informant_role}]) when it sends
// them; else learnt from the people the user already manages (their roles, the kind of their
// units, the role of their informants), ordered like `roleOrder` (the catalogue's roles).
export function roleOptions(user, people = [], roleOrder = []) {
  const caps = user && user.capabilities;
  if (caps && Array.isArray(caps.manages)) {
    return caps.manages.filter((m) => m && m.role).map((m) => ({
      role: m.role, unitKind: m.unit_kind || null, informantRole: m.informant_role || null,
    }));
  }
  const byId = new Map(people.map((p) => [p.id, p]));
  const found = new Map();
  for (const p of people) {
    if (!p.role) continue;
    const option = found.get(p.role) || { role: p.role, unitKind: null, informantRole: null };
    if (!option.unitKind && p.org_unit && p.org_unit.kind) option.unitKind = p.org_unit.kind;
    const informant = p.informant_id != null ? byId.get(p.informant_id) : null;
    if (!option.informantRole && informant && informant.role) option.informantRole = informant.role;
    found.set(p.role, option);
  }
  const rank = (role) => {
    const i = roleOrder.indexOf(role);
    return i < 0 ? roleOrder.length : i;
  };
  return [...found.values()].filter((o) => o.unitKind).sort((a, b) => rank(a.role) - rank(b.role) || a.role.localeCompare(b.role));
}

// The role codes of the catalogue ("role.member" ...), in its order.
export function catalogueRoles(catalogue) {
  return Object.keys(catalogue || {}).filter((k) => k.startsWith("role.")).map((k) => k.slice(5));
}

// GET /api/users for the 人员 list: the people I manage, by name or phone, 在岗 / 停用 / all.
export function peopleQuery({ q = "", status = "active", cursor = null, limit = 50 } = {}) {
  const params = new URLSearchParams({ managed: "1" });
  const text = String(q || "").trim();
  if (text) params.set("q", text);
  if (status === "active") params.set("active", "1");
  else if (status === "inactive") params.set("active", "0");
  params.set("limit", String(limit));
  if (cursor) params.set("cursor", cursor);
  return `/api/users?${params}`;
}

// The PATCH body for an edit: only what changed. `form` holds name, phone, role, org_unit_id,
// informant_id (numbers or null); an informant is sent only for a role that needs one.
export function personChanges(person, form, needsInformant) {
  const before = {
    name: person.name, phone: person.phone, role: person.role,
    org_unit_id: person.org_unit ? person.org_unit.id : null, informant_id: person.informant_id ?? null,
  };
  const changes = {};
  for (const key of ["name", "phone", "role", "org_unit_id"]) {
    if (form[key] !== undefined && form[key] !== before[key]) changes[key] = form[key];
  }
  if (needsInformant && form.informant_id != null && form.informant_id !== before.informant_id) {
    changes.informant_id = form.informant_id;
  }
  return changes;
}

// What POST /api/users/<id>/handover is sent: everything to one member, or household by
// household ({householdId: memberId or null}; null stays). {body} or {problem}.
export function handoverPlan(mode, { to = null, choices = {} } = {}) {
  if (mode === "all") {
    return to ? { body: { to_member_id: Number(to) } } : { problem: "choose_member" };
  }
  const assignments = Object.entries(choices)
    .filter(([, member]) => member)
    .map(([household, member]) => ({ household_id: Number(household), member_id: Number(member) }));
  return assignments.length ? { body: { assignments } } : { problem: "nothing" };
}

// Who may take over a member's households: active people of the same role, not the person,
// in the same village (units under the same parent, from `parentOf`: unit id -> parent id).
export function handoverCandidates(person, users, parentOf = new Map()) {
  const parent = person.org_unit ? parentOf.get(person.org_unit.id) : undefined;
  return users.filter((u) => u.id !== person.id && u.active !== false && u.role === person.role &&
    (parent === undefined || !u.org_unit || parentOf.get(u.org_unit.id) === parent));
}

// Households awaiting handover, one group per member: [{member: {id, name}, households: [...]}],
// members in the order they first appear, households by id.
export function awaitingByMember(households) {
  const groups = new Map();
  for (const hh of households) {
    if (!hh.member) continue;
    const group = groups.get(hh.member.id) || { member: hh.member, households: [] };
    group.households.push(hh);
    groups.set(hh.member.id, group);
  }
  for (const group of groups.values()) group.households.sort((a, b) => a.id - b.id);
  return [...groups.values()];
}
