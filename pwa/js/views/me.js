// 我的: profile, 修改密码 (and 人员 for those who manage people), 长辈模式, 消息提醒, 数据同步
// (what is waiting, what failed, the recent errors for support), 退出登录.
import { api } from "../api.js";
import { can } from "../capabilities.js";
import { append, clear, h } from "../dom.js";
import { clearErrors, logError, recentErrors } from "../errlog.js";
import { fmtTime, label, t } from "../i18n.js";
import * as push from "../push.js";
import { button, dl, section } from "./common.js";

// 修改密码 for everyone; 人员 for those who manage people (it needs a tab's room otherwise).
function accountSection(ctx) {
  const people = can(ctx.user, "users.manage");
  return section(people ? "me.account_people" : "me.account", h("div", { class: "stack" },
    people ? h("a", { href: "#/people", class: "button secondary block", "aria-describedby": "me-people-hint", text: t("me.people") }) : null,
    people ? h("p", { class: "field-hint", id: "me-people-hint", text: t("me.people_hint") }) : null,
    h("a", { href: "#/password", class: "button secondary block", text: t("me.change_password") })));
}

function elderSwitch(ctx) {
  const box = h("input", { type: "checkbox", role: "switch", id: "elder-mode", checked: ctx.elder(), "aria-describedby": "elder-hint" });
  box.addEventListener("change", () => ctx.setElder(box.checked));
  return h("div", { class: "field" },
    h("label", { class: "choice single switch", for: "elder-mode" }, box, h("span", { text: t("me.elder") })),
    h("p", { class: "field-hint", id: "elder-hint", text: t("me.elder_hint") }));
}

async function pushSection(ctx) {
  const msg = h("p", { class: "form-error", role: "alert" });
  const state = h("p", {});
  const slot = h("div", { class: "button-row" });
  async function draw() {
    clear(slot);
    if (!push.supported()) {
      state.textContent = t("push.unsupported");
      return;
    }
    const on = await push.isSubscribed();
    state.textContent = on ? t("push.on") : t("push.off");
    slot.append(on
      ? button(t("push.disable"), async () => { await push.disable(); ctx.toast(t("push.disabled")); msg.textContent = ""; draw(); })
      : button(t("push.enable"), async () => {
        msg.textContent = "";
        try {
          await push.enable();
          ctx.toast(t("push.enabled"));
        } catch (e) {
          logError("push.enable", e);
          msg.textContent = e.message;
        }
        draw();
      }, "primary"));
  }
  await draw();
  return section("me.push", h("p", { class: "field-hint", text: t("push.explain") }), state, slot, msg,
    smsSwitch(ctx));
}

// 短信提醒: offered only where the deployment has SMS; needs the network to change. Drawn when
// the answer comes, so a slow connection never holds up the rest of the screen.
function smsSwitch(ctx) {
  const slot = h("div", {});
  if (!navigator.onLine) return slot;
  api.get("/api/notifications/preferences").then((prefs) => {
    if (prefs.available.includes("sms")) slot.append(smsField(ctx, prefs.sms));
  }, (e) => logError("prefs", e));
  return slot;
}

function smsField(ctx, on) {
  const box = h("input", { type: "checkbox", role: "switch", id: "sms-pref", checked: on, "aria-describedby": "sms-hint" });
  const msg = h("p", { class: "form-error", role: "alert" });
  box.addEventListener("change", async () => {
    const wanted = box.checked;
    msg.textContent = "";
    box.disabled = true; // one change at a time: a quick second tap cannot race the first
    try {
      await api.put("/api/notifications/preferences", { sms: wanted });
      ctx.toast(t(wanted ? "sms.enabled" : "sms.disabled"));
    } catch (e) {
      logError("prefs", e);
      box.checked = !wanted;
      msg.textContent = e.message;
    } finally {
      box.disabled = false;
    }
  });
  return h("div", { class: "field" },
    h("label", { class: "choice single switch", for: "sms-pref" }, box, h("span", { text: t("sms.label") })),
    h("p", { class: "field-hint", id: "sms-hint", text: t("sms.hint", { phone: ctx.user.phone }) }), msg);
}

const ERRORS_SHOWN = 20;

// The newest caught errors, with time and message, for whoever helps the user (folded away).
function errorList(redraw) {
  const errors = recentErrors();
  if (!errors.length) return h("p", { class: "card-sub", text: t("me.errors_none") });
  return h("details", { class: "error-log" },
    h("summary", { text: t("me.errors", { n: errors.length }) }),
    h("ul", { class: "plain-list" }, errors.slice(0, ERRORS_SHOWN).map((e) => h("li", { class: "card-sub" },
      h("time", { datetime: e.at, text: fmtTime(e.at) }), " ", t("me.error_line", { where: e.where, message: e.message })))),
    errors.length > ERRORS_SHOWN ? h("p", { class: "card-sub", text: t("me.errors_more", { n: errors.length - ERRORS_SHOWN }) }) : null,
    button(t("me.errors_clear"), () => { clearErrors(); redraw(); }));
}

function rejectedList(ctx, rejected) {
  if (!rejected.length) return null;
  return [h("h3", { class: "section-title", text: t("me.rejected") }),
    h("ul", { class: "cards" }, rejected.map((e) => h("li", { class: "card" },
      h("p", { class: "card-title", text: t(`outbox.${e.type}`) }),
      h("p", { class: "card-sub", text: (e.error && e.error.message) || t("error.unknown") }),
      button(t("me.delete"), () => ctx.sync.discard(e.id)))))];
}

async function syncSection(ctx) {
  const body = h("div", {});
  async function draw() {
    // Everything read first, then drawn at once: overlapping redraws cannot both append.
    const s = ctx.sync.state;
    const rejected = (await ctx.db.outbox()).filter((e) => e.state === "rejected");
    const canAsk = navigator.storage && navigator.storage.persisted;
    const persisted = canAsk ? await navigator.storage.persisted().catch((e) => logError("persisted", e)) : null;
    clear(body).append(
      h("p", { text: t("me.pending", { n: s.pending }) }),
      h("p", { class: "card-sub", text: s.lastSync ? t("me.last_sync", { time: fmtTime(s.lastSync) }) : t("me.never_synced") }),
      button(t("me.sync_now"), () => ctx.sync.run(), "secondary"));
    append(body, [
      rejectedList(ctx, rejected),
      canAsk ? h("p", { class: "card-sub", text: persisted ? t("me.storage_persisted") : t("me.storage_not_persisted") }) : null,
      errorList(draw),
    ]);
  }
  await draw();
  const sync = ctx.sync;
  sync.addEventListener("status", draw);
  ctx.onLeave(() => sync.removeEventListener("status", draw));
  return section("me.sync", body);
}

export async function render(ctx) {
  const u = ctx.user;
  const confirmSlot = h("div", {});
  const logout = async () => {
    const pending = ctx.sync ? ctx.sync.state.pending : 0;
    if (pending > 0 && !confirmSlot.firstChild) {
      confirmSlot.append(h("div", { class: "panel notice", role: "alert" },
        h("p", { text: t("me.logout_confirm", { n: pending }) }),
        h("div", { class: "button-row" },
          button(t("me.logout_anyway"), () => ctx.logout(), "danger"),
          button(t("me.cancel"), () => clear(confirmSlot)))));
      return;
    }
    await ctx.logout();
  };
  return h("div", { class: "screen" },
    section("me.profile", dl([
      [t("me.name"), u.name],
      [t("me.role"), label("role", u.role)],
      [t("me.phone"), u.phone],
      [t("me.org"), u.org_path.map((x) => x.name).join(" / ")],
      u.chain.length ? [t("me.chain"), h("ul", { class: "plain-list" }, u.chain.map((c) => h("li", {
        text: t("me.chain_item", { role: label("role", c.role), name: c.name }),
      })))] : null,
    ])),
    accountSection(ctx),
    section("me.display", elderSwitch(ctx)),
    await pushSection(ctx),
    await syncSection(ctx),
    h("div", { class: "section" }, button(t("me.logout"), logout, "danger block"), confirmSlot));
}
