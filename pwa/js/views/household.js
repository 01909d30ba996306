// The household page: profile, conflicts to settle, the timeline of visits and cases, 记录走访.
import { ApiError, api } from "../api.js";
import { can } from "../capabilities.js";
import { clear, h } from "../dom.js";
import { logError } from "../errlog.js";
import { fmtTime, label, t } from "../i18n.js";
import { button, caseCard, dl, empty, section, syncChip } from "./common.js";

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
    photos.length ? h("div", { class: "photos" }, photos.map((p) => h("figure", { class: "photo" },
      h("img", { src: URL.createObjectURL(p.blob), alt: t("household.photo"), width: "96", height: "96" }),
      h("figcaption", { class: "card-sub", text: t("household.photo_local") })))) : null);
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
    root.append(section("household.timeline",
      items.length ? h("ul", { class: "timeline" }, items.map((x) => x.node)) : empty(t("household.no_timeline"))));
  }

  await draw();
  ctx.onData(draw);
  refresh(ctx, id).then(draw);
  return root;
}
