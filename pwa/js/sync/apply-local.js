// What each kind of write does to the phone's own copy, at once and again on top of every pull
// (idempotent), so the phone shows the same with or without network.

const LEVEL_OF_ROLE = {
  member: "member", informant: "informant", grid_leader: "grid", secretary: "branch",
  township: "township", department: "department", admin: "township",
};

function actorOf(user) {
  return { id: user.id, name: user.name, role: user.role };
}

export async function applyLocal(db, user, entry) {
  const d = entry.data;
  switch (entry.type) {
    case "visit.create": {
      const existing = await db.get("visits", d.id);
      await db.put("visits", { ...existing, ...d, author: existing?.author || { id: user.id, name: user.name } });
      const h = await db.get("households", d.household_id);
      if (h && (!h.last_visit || h.last_visit.visited_at < d.visited_at)) {
        h.last_visit = { id: d.id, visited_at: d.visited_at, mode: d.mode, hardship: d.hardship };
        await db.put("households", h);
      }
      break;
    }
    case "case.create": {
      if (await db.get("cases", d.id)) break;
      await db.put("cases", {
        ...d, status: "open", level: LEVEL_OF_ROLE[user.role] || "member", holder: actorOf(user),
        created_at: entry.at, events: [{ id: d.id, type: "created", actor: actorOf(user), at: entry.at, data: {} }],
      });
      break;
    }
    case "case.action": {
      const c = await db.get("cases", d.case_id);
      if (!c) break;
      c.events = c.events || [];
      if (!c.events.some((ev) => ev.id === entry.id)) {
        const { id, at, case_id: _c, action, ...fields } = d;
        c.events.push({ id, type: action, actor: actorOf(user), at, data: fields, pending: true });
        await db.put("cases", c);
      }
      break;
    }
    case "task.create": {
      if (!(await db.get("tasks", d.id))) await db.put("tasks", { ...d, status: "assigned" });
      break;
    }
    case "task.action": {
      const task = await db.get("tasks", d.task_id);
      if (task) await db.put("tasks", { ...task, status: d.action === "accept" ? "accepted" : "done" });
      break;
    }
    case "household.update": {
      const h = await db.get("households", d.household_id);
      if (h) {
        const { household_id: _h, version: _v, ...changes } = d;
        await db.put("households", { ...h, ...changes });
      }
      break;
    }
    default:
  }
}

// Re-apply what is still waiting on top of fresh server data.
export async function reapplyOutbox(db, user) {
  for (const entry of await db.outbox()) if (entry.state === "pending") await applyLocal(db, user, entry);
}
