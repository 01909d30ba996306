// Rules of the app's source that no unit test would notice being broken: no role literal
// outside the catalogue, every caught error logged, server records written in one place, every
// queued write and every local event labelled in the catalogue.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

import { EVENT_OF_ACTION, OPENED_EVENT } from "../../pwa/js/sync/effects.js";

const PWA = fileURLToPath(new URL("../../pwa/", import.meta.url));
const CATALOGUE_PATH = join(PWA, "js", "i18n", "zh-CN.js");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "vendor" ? [] : files(path);
    return name.endsWith(".js") && path !== CATALOGUE_PATH ? [path] : [];
  });
}

// Source without comments (strings stay: they are what the rules look at).
function code(path) {
  return readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const SOURCES = [...files(join(PWA, "js")), join(PWA, "sw.js")].map((path) => ({ name: relative(PWA, path), text: code(path) }));

function catalogue() {
  const sandbox = {};
  vm.runInNewContext(readFileSync(CATALOGUE_PATH, "utf8"), { self: sandbox });
  return sandbox.BAOLIAN_I18N;
}

// The text from an opening bracket at `start` to its match.
function block(text, start) {
  const open = text[start];
  const close = { "{": "}", "(": ")" }[open];
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === open) depth += 1;
    else if (text[i] === close && --depth === 0) return text.slice(start, i + 1);
  }
  return text.slice(start);
}

test("no role is spelled in the app's code: capabilities decide", () => {
  const role = /["'`](member|informant|grid_leader|secretary|township|department|admin)["'`]/;
  const found = SOURCES.filter((s) => role.test(s.text)).map((s) => `${s.name}: ${s.text.match(role)[0]}`);
  assert.deepEqual(found, []);
});

test("every caught error is logged (or thrown on)", () => {
  const silent = [];
  for (const { name, text } of SOURCES) {
    if (name === "js/errlog.js") continue; // the log itself
    for (const m of text.matchAll(/catch\s*\(\s*\w+\s*\)\s*\{/g)) {
      const body = block(text, m.index + m[0].length - 1);
      if (!/logError\(|throw |BAOLIAN_BOOT_ERRORS/.test(body)) silent.push(`${name}: ${body.slice(0, 60)}`);
    }
    for (const m of text.matchAll(/\.catch\(/g)) {
      const body = block(text, m.index + m[0].length - 1);
      if (!/logError\(/.test(body)) silent.push(`${name}: ${body.slice(0, 60)}`);
    }
  }
  assert.deepEqual(silent, []);
});

test("server records are written only through sync/records.js", () => {
  const direct = /\.(put|delete|putMany|update)\(\s*"(households|visits|cases|tasks|notifications)"/;
  const found = SOURCES.filter((s) => s.name !== "js/sync/records.js" && direct.test(s.text)).map((s) => s.name);
  assert.deepEqual(found, []);
});

test("every write the app queues has a name in 未能同步的记录", () => {
  const keys = catalogue();
  const types = new Set(SOURCES.flatMap((s) => [...s.text.matchAll(/enqueue\(\s*"([\w.]+)"/g)].map((m) => m[1])));
  assert.ok(types.has("notification.read") && types.has("visit.create"));
  for (const type of types) assert.ok(keys[`outbox.${type}`], `outbox.${type}`);
});

test("every event the phone puts on a timeline itself has a label", () => {
  const keys = catalogue();
  for (const type of [OPENED_EVENT, ...Object.values(EVENT_OF_ACTION)]) assert.ok(keys[`event.${type}`], type);
});
