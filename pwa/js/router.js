// The router: hash routes to screens. It sets the header's title and back button and owns a
// screen's lifetime: what the screen registers with ctx.onData / ctx.onLeave ends when it is left.
import { passwordChangeRequired } from "./accounts.js";
import { can } from "./capabilities.js";
import { ctx } from "./context.js";
import { clear, h } from "./dom.js";
import { logError } from "./errlog.js";
import { renderStatus } from "./header-status.js";
import { t } from "./i18n.js";
import { renderTabs, tabsFor } from "./tabs.js";
import * as caseView from "./views/case.js";
import * as editView from "./views/edit.js";
import * as handoverView from "./views/handover.js";
import * as householdView from "./views/household.js";
import * as householdFormView from "./views/household-form.js";
import * as importView from "./views/import.js";
import * as registerView from "./views/register.js";
import * as residentView from "./views/resident.js";
import * as residentFormView from "./views/resident-form.js";
import * as householdsView from "./views/households.js";
import * as inboxView from "./views/inbox.js";
import * as loginView from "./views/login.js";
import * as meView from "./views/me.js";
import * as passwordView from "./views/password.js";
import * as peopleView from "./views/people.js";
import * as personFormView from "./views/person-form.js";
import * as personView from "./views/person.js";
import * as queueView from "./views/queue.js";
import * as reportsView from "./views/reports.js";
import * as tasksView from "./views/tasks.js";
import * as visitView from "./views/visit.js";

// `needs`: the capability a screen calls for; without it the user is sent to their first tab.
const HH = "households.view";
const PEOPLE = "users.manage";
const REGISTER = "households.manage";
const ROUTES = [
  [/^#\/login$/, loginView, { title: "login.title", public: true }],
  [/^#\/households$/, householdsView, { tab: "households", title: "households.title", needs: HH }],
  [/^#\/households\/(\d+)$/, householdView, { tab: "households", title: "household.profile", back: "#/households", needs: HH }],
  [/^#\/households\/(\d+)\/visit$/, visitView, { tab: "households", title: "visit.title", back: 1, needs: "visits.record" }],
  [/^#\/households\/(\d+)\/edit$/, editView, { tab: "households", title: "edit.title", back: 1, needs: HH }],
  [/^#\/households\/new$/, householdFormView, { tab: "households", title: "register.new", back: "#/households", needs: REGISTER }],
  [/^#\/households\/(\d+)\/residents\/new$/, residentFormView, { tab: "households", title: "resident.new", back: -1, needs: REGISTER }],
  [/^#\/residents\/(\d+)$/, residentView, { tab: "households", title: "resident.title", back: -1, needs: HH }],
  [/^#\/residents\/(\d+)\/edit$/, residentFormView, { tab: "households", title: "resident.edit", back: 1, needs: REGISTER }],
  [/^#\/import$/, importView, { tab: "households", title: "import.title", back: "#/households", needs: "households.import" }],
  [/^#\/register$/, registerView, { tab: "households", title: "register.title", back: "#/households", needs: REGISTER }],
  [/^#\/cases\/([\w-]+)$/, caseView, { tab: "queue", title: "case.title", back: -1 }],
  [/^#\/tasks$/, tasksView, { tab: "tasks", title: "tasks.title" }],
  [/^#\/tasks\/([\w-]+)$/, tasksView, { tab: "tasks", title: "tasks.title", back: "#/tasks" }],
  [/^#\/inbox$/, inboxView, { tab: "inbox", title: "inbox.title" }],
  [/^#\/queue$/, queueView, { tab: "queue", title: "queue.title", needs: "cases.queue" }],
  [/^#\/reports$/, reportsView, { tab: "reports", title: "reports.title", needs: "reports.view" }],
  [/^#\/me$/, meView, { tab: "me", title: "me.title" }],
  [/^#\/password$/, passwordView, { tab: "me", title: "password.title", back: "#/me" }],
  [/^#\/people$/, peopleView, { tab: "me", title: "people.title", back: "#/me", needs: PEOPLE }],
  [/^#\/people\/new$/, personFormView, { tab: "me", title: "people.new", back: "#/people", needs: PEOPLE }],
  [/^#\/people\/(\d+)$/, personView, { tab: "me", title: "people.person_title", back: "#/people", needs: PEOPLE }],
  [/^#\/people\/(\d+)\/edit$/, personFormView, { tab: "me", title: "people.edit_title", back: 1, needs: PEOPLE }],
  [/^#\/people\/(\d+)\/handover$/, handoverView, { tab: "me", title: "handover.title", back: -1, needs: PEOPLE }],
];

const $ = (id) => document.getElementById(id);
let routeToken = 0;
let dataListeners = [];
let leaveListeners = [];

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// The first tab the user has, or the login screen (修改密码 while a temporary password is unchanged).
export function homeHash() {
  if (ctx.user && passwordChangeRequired(ctx.user)) return "#/password";
  return ctx.user ? tabsFor(ctx.user)[0].hash : "#/login";
}

export function onData(fn) {
  dataListeners.push(fn);
}

export function onLeave(fn) {
  leaveListeners.push(fn);
}

// The local copy changed: let the current screen redraw.
export function notifyData() {
  for (const fn of dataListeners) fn();
}

export async function route() {
  const token = ++routeToken;
  dataListeners = [];
  for (const fn of leaveListeners.splice(0)) fn();
  let hash = location.hash || "";
  if (!ctx.user && hash !== "#/login") {
    hash = "#/login";
    history.replaceState(null, "", hash);
  } else if (ctx.user && (hash === "" || hash === "#/" || hash === "#/login")) {
    hash = homeHash();
    history.replaceState(null, "", hash);
  }
  const forced = passwordChangeRequired(ctx.user);
  if (forced && hash !== "#/password") { // nothing else until the temporary password is changed
    hash = "#/password";
    history.replaceState(null, "", hash);
  }
  let match = null;
  let view = null;
  let opts = null;
  for (const [re, v, o] of ROUTES) {
    match = hash.match(re);
    if (match) { view = v; opts = o; break; }
  }
  if (!view || (opts.needs && !can(ctx.user, opts.needs))) {
    navigate(homeHash());
    return;
  }
  ctx.activeTab = opts.tab;
  renderTabs(opts.tab);
  renderStatus();
  $("screen-title").textContent = t(opts.title);
  document.title = `${t(opts.title)} - ${t("app.name")}`;
  const back = $("back-button");
  back.hidden = !opts.back || forced;
  back.onclick = () => {
    if (opts.back === -1) history.back();
    else if (opts.back === 1) navigate(hash.replace(/\/[a-z]+$/, ""));
    else navigate(opts.back);
  };
  const main = $("main");
  let node;
  try {
    node = await view.render(ctx, match.slice(1));
  } catch (e) {
    logError(`screen ${hash}`, e);
    node = h("div", { class: "panel error", role: "alert" }, h("p", { text: e.message || t("error.unknown") }));
  }
  if (token !== routeToken) return; // the user moved on while this screen loaded
  clear(main).append(node);
  if (view.title) {
    const title = view.title(ctx);
    if (title) {
      $("screen-title").textContent = title;
      document.title = `${title} - ${t("app.name")}`;
    }
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}
