// The household page: profile, conflicts to settle, the timeline of visits and cases, 记录走访.
import { ApiError, api } from "../api.js";
import { can } from "../capabilities.js";
import { append, clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtTime, label, t } from "../i18n.js";
import { photoStrip } from "../photos.js";
import { button, caseCard, dl, empty, section, syncChip } from "./common.js";
import { codes } from "./register.js";

let currentTitle = null;
export function title() {
  return currentTitle;
}

const FIELDS = ["head_name", "address", "people", "phone", "tags", "hardship"];

function show(fieldName, value) {
  if (value === undefined || value === null || value === "") return t("household.none");
  if (fieldName === "hardship") return value ? t("household.yes") : t("household.no");
  if (Array.isArray(value)) return value.length ? value.join(t("list.sep")) : t("household.none");
  return String(value);
}

// Bring the page's data up to date when the network allows; the local copy serves otherwise.
async function refresh(ctx, id) {
  if (!navigator.onLine) return;
  try {
    const { recent_visits: visits, cases, ...household } = await api.get(`/api/households/${id}`);
    await ctx.sync.saveServer("households", [household]);
    await ctx.sync.saveServer("visits", visits);
    await ctx.sync.saveServer("cases", cases.map((c) => ({ ...c, household_id: id }))); // briefs omit it
  } catch (e) {
    logError(`household ${id}`, e);
    if (e instanceof ApiError && e.status === 404) await ctx.sync.removeServer("households", id); // no longer ours
  }
}

function conflictPanel(ctx, conflict, household, rerender) {
  const changed = FIELDS.filter((f) => f in conflict.mine);
  const theirs = conflict.theirs || household || {};
  const rows = changed.map((f) => h("tr", {},
    h("th", { scope: "row", text: t(`edit.${f}`) }),
    h("td", { text: show(f, conflict.mine[f]) }),
    h("td", { text: show(f, theirs[f]) })));
  return h("section", { class: "panel conflict", role: "group", "aria-labelledby": `conflict-${conflict.id}` },
    h("h2", { class: "section-title", id: `conflict-${conflict.id}`, text: t("conflict.title") }),
    h("p", { text: t("conflict.explain") }),
    h("table", { class: "compare" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col", text: t("conflict.field") }),
        h("th", { scope: "col", text: t("conflict.mine") }),
        h("th", { scope: "col", text: t("conflict.theirs") }))),
      h("tbody", {}, rows)),
    h("div", { class: "button-row" },
      button(t("conflict.keep_mine"), async () => {
        const changes = Object.fromEntries(changed.map((f) => [f, conflict.mine[f]]));
        await ctx.db.delete("conflicts", conflict.id);
        await ctx.sync.enqueue("household.update", {
          household_id: conflict.household_id, version: theirs.version ?? conflict.mine.version, ...changes,
        }, undefined);
        ctx.toast(t("conflict.resolved"));
        rerender();
      }, "primary"),
      button(t("conflict.keep_theirs"), async () => {
        await ctx.db.delete("conflicts", conflict.id);
        if (conflict.theirs) await ctx.sync.saveServer("households", [conflict.theirs]);
        ctx.toast(t("conflict.resolved"));
        rerender();
      })));
}

function visitItem(v, pending, photos) {
  const needs = (v.needs || []).map((c) => label("category", c)).join(t("list.sep"));
  return h("li", { class: "timeline-item" },
    h("p", { class: "timeline-head" },
      h("time", { datetime: v.visited_at, text: fmtTime(v.visited_at) }),
      syncChip(pending)),
    h("p", { class: "timeline-title", text: t("household.visit_item", { mode: label("mode", v.mode), hardship: label("hardship", v.hardship) }) }),
    v.notes ? h("p", { class: "timeline-text", text: v.notes }) : null,
    needs ? h("p", { class: "card-sub", text: t("household.needs", { list: needs }) }) : null,
    v.author && v.author.name ? h("p", { class: "card-sub", text: t("household.by", { name: v.author.name }) }) : null,
    photoStrip(v.attachments, photos));
}

function residentsSection(ctx, id) {
  const body = h("div", { class: "stack" });
  (async () => {
    if (!navigator.onLine) {
      clear(body).append(empty(t("resident.offline")));
      return;
    }
    try {
      const { items } = await api.get(`/api/households/${id}/residents`);
      clear(body).append(items.length ? h("ul", { class: "cards" }, items.map((r) => h("li", { class: "card" },
        h("a", { href: `#/residents/${r.id}`, class: "card-link", text: r.name }),
        h("p", { class: "card-sub", text: r.birth_year
          ? t("resident.line", { relation: label("relation", r.relation), year: r.birth_year }) : label("relation", r.relation) }),
        r.care.length ? h("p", { class: "card-meta" }, r.care.map((c) => h("span", { class: "chip", text: label("care", c) }))) : null)))
        : empty(t("resident.none")));
      if (can(ctx.user, "households.manage")) {
        body.append(button(t("resident.new"), () => ctx.navigate(`#/households/${id}/residents/new`)));
      }
    } catch (e) {
      logError(`residents ${id}`, e);
      clear(body).append(empty(e.message));
    }
  })();
  return section("resident.section", body);
}

// 归档 (迁出, 户销, 合户 ...): the reason, a note, a confirmation; then the household leaves this phone.
function archivePanel(ctx, id) {
  const slot = h("div", {});
  const open = () => {
    const reason = h("select", { name: "reason", id: "archive-reason" },
      codes("archive_reason").map((r) => h("option", { value: r, text: label("archive_reason", r) })));
    const note = h("input", { type: "text", name: "note", id: "archive-note", maxlength: "200" });
    const error = h("p", { class: "form-error", role: "alert" });
    clear(slot).append(h("div", { class: "panel notice" },
      h("p", { text: t("register.archive_hint") }),
      h("div", { class: "field" }, h("label", { for: "archive-reason", class: "field-label", text: t("register.archive_reason") }), reason),
      h("div", { class: "field" }, h("label", { for: "archive-note", class: "field-label", text: t("register.archive_note") }), note),
      error,
      h("div", { class: "button-row" },
        button(t("register.archive_confirm"), async () => {
          try {
            await api.del(`/api/households/${id}`, { reason: reason.value, note: note.value.trim() });
            await ctx.sync.removeServer("households", id);
            ctx.toast(t("register.archived_toast"));
            ctx.navigate("#/households");
          } catch (e) {
            logError(`archive ${id}`, e);
            error.textContent = e.message;
          }
        }, "danger"),
        button(t("me.cancel"), () => clear(slot)))));
  };
  return h("div", { class: "section" }, button(t("register.archive"), open, "danger"), slot);
}

export async function render(ctx, [idText]) {
  const id = Number(idText);
  const root = h("div", { class: "screen" });
  currentTitle = null;

  async function draw() {
    const hh = await ctx.db.get("households", id);
    if (!hh) {
      clear(root).append(empty(t("household.not_found")));
      return;
    }
    currentTitle = hh.head_name;
    const pending = await ctx.sync.pendingRefs();
    const conflicts = (await ctx.db.all("conflicts")).filter((c) => c.household_id === id);
    const visits = await ctx.db.byIndex("visits", "household_id", id);
    const cases = await ctx.db.byIndex("cases", "household_id", id);
    const photos = await ctx.db.all("photos");
    clear(root); // only now, with everything read: two overlapping redraws cannot both append

    for (const c of conflicts) root.append(conflictPanel(ctx, c, hh, draw));
    root.append(
      h("div", { class: "button-row" },
        can(ctx.user, "visits.record")
          ? button(t("household.record_visit"), () => ctx.navigate(`#/households/${id}/visit`), "primary big") : null,
        button(t("household.edit"), () => ctx.navigate(`#/households/${id}/edit`))),
      section("household.profile", dl([
        hh.household_no ? [t("household.no"), hh.household_no] : null,
        [t("household.address"), hh.address],
        [t("household.people"), String(hh.people ?? "")],
        [t("household.phone"), hh.phone ? h("a", { href: `tel:${hh.phone}`, text: hh.phone }) : t("household.none")],
        [t("household.tags"), show("tags", hh.tags)],
        [t("household.hardship_flag"), show("hardship", hh.hardship)],
        hh.member ? [t("household.member"), hh.member.name] : null,
      ])));

    const items = [
      ...visits.map((v) => ({ at: v.visited_at, node: visitItem(v, pending.has(`visits:${v.id}`), photos.filter((p) => p.visit_id === v.id)) })),
      ...cases.map((c) => ({ at: c.created_at, node: caseCard(c, pending.has(`cases:${c.id}`)) })),
    ].sort((a, b) => String(b.at).localeCompare(String(a.at)));
    append(root, [residents, section("household.timeline",
      items.length ? h("ul", { class: "timeline" }, items.map((x) => x.node)) : empty(t("household.no_timeline"))),
    archive]);
  }
  // 家庭成员 and 归档 need the network; made once, kept across redraws of the local copy.
  const residents = residentsSection(ctx, id);
  const archive = can(ctx.user, "households.manage") ? archivePanel(ctx, id) : null;

  await draw();
  ctx.onData(draw);
  refresh(ctx, id).then(draw);
  return root;
}
