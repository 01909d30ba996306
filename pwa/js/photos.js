// Photos as evidence (拍照). Taken or chosen on the phone and shrunk here: longest side 1600 px,
// JPEG, under 480 KB (the server keeps at most 500 KB). Drawing through a canvas keeps only the
// pixels, so the location and every other piece of EXIF stay on the phone, unless the user ticks
// 保留拍摄位置: then the position alone is written back (exif-gps.js). Each photo gets its
// own UUID, waits in the "photos" store with a small thumbnail, and is queued in the outbox as an
// "attachment.upload" before the record that names it (sync/send.js sends it first; the record
// carries `attachments: [ids]`). Optional, always: nobody is asked for photo proof.
import { h, uid, uuid } from "./dom.js";
import { logError } from "./errlog.js";
import { readGps, withGps } from "./exif-gps.js";
import { t } from "./i18n.js";

export const MAX_PHOTOS = 9;
export const MAX_SIDE = 1600;
export const TARGET_BYTES = 480 * 1000;
const QUALITIES = [0.85, 0.78, 0.7, 0.6, 0.5];
const THUMB_SIDE = 240;
const MIN_SIDE = 480;
const EXIF_WINDOW = 256 * 1024; // the EXIF sits at the start of a camera JPEG

async function decode(file) {
  if (typeof createImageBitmap === "function") {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" }); // upright, as the camera meant
    } catch (e) {
      logError("photo.bitmap", e); // an older browser: the <img> below does the same
    }
  }
  const url = URL.createObjectURL(file);
  try {
    return await new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("not an image"));
      img.src = url;
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

function sizeOf(source) {
  return [source.naturalWidth || source.width, source.naturalHeight || source.height];
}

function draw(source, maxSide) {
  const [w, hgt] = sizeOf(source);
  const scale = Math.min(1, maxSide / Math.max(w, hgt));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(hgt * scale));
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff"; // a transparent picture over white, as JPEG has no transparency
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function jpeg(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

// Where the photo was taken, if its EXIF says so (kept aside; used only if the user asks).
async function positionOf(file) {
  try {
    return readGps(new Uint8Array(await file.slice(0, EXIF_WINDOW).arrayBuffer()));
  } catch (e) {
    logError("photo.gps", e);
    return null;
  }
}

// {blob, thumb, width, height, gps}: the photo to upload, its thumbnail, and where it was taken
// (null if unknown). Steps the quality down, then the size, until it fits.
export async function compressPhoto(file, { maxSide = MAX_SIDE, maxBytes = TARGET_BYTES } = {}) {
  const gps = await positionOf(file);
  const source = await decode(file);
  try {
    for (let side = maxSide; side >= MIN_SIDE; side = Math.round(side * 0.8)) {
      const canvas = draw(source, side);
      for (const quality of QUALITIES) {
        const blob = await jpeg(canvas, quality);
        if (blob && blob.size <= maxBytes) {
          const thumb = await jpeg(draw(source, THUMB_SIDE), 0.7);
          return { blob, thumb, width: canvas.width, height: canvas.height, gps };
        }
      }
    }
    throw new Error("photo cannot be made small enough");
  } finally {
    if (source.close) source.close();
  }
}

// The 拍照 field of a form: choose or take up to MAX_PHOTOS photos, see them, remove one, and
// (rarely) keep where they were taken. photos() answers the chosen ones once every one has been
// compressed; keepLocation() whether 保留拍摄位置 is ticked.
export function photoPicker() {
  const chosen = [];
  let working = Promise.resolve();
  const inputId = uid("photo");
  const hintId = `${inputId}-hint`;
  // The control is the big 拍照 button (its label); the file input itself stays out of sight.
  const input = h("input", { type: "file", name: "photo", id: inputId, class: "sr-only photo-input", accept: "image/*",
    multiple: true, "aria-describedby": hintId });
  const list = h("ul", { class: "photos", "aria-label": t("household.photo") });
  const msg = h("p", { class: "field-hint", "aria-live": "polite" });
  const keepId = uid("keep-location");
  const keep = h("input", { type: "checkbox", name: "keep_location", id: keepId, "aria-describedby": `${keepId}-hint` });

  function redraw() {
    list.replaceChildren(...chosen.map((p, i) => h("li", { class: "photo" },
      h("img", { src: p.url, alt: t("visit.photo_n", { n: i + 1 }), width: "96", height: "96" }),
      h("button", { type: "button", class: "button secondary", text: t("visit.remove_photo_n", { n: i + 1 }), on: { click: () => {
        URL.revokeObjectURL(p.url);
        chosen.splice(chosen.indexOf(p), 1);
        msg.textContent = chosen.length ? t("visit.photo_count", { n: chosen.length }) : "";
        redraw();
      } } }))));
  }

  async function add(files) {
    for (const file of files) {
      if (chosen.length >= MAX_PHOTOS) {
        msg.textContent = t("visit.photo_too_many", { n: MAX_PHOTOS });
        break;
      }
      try {
        const p = await compressPhoto(file);
        chosen.push({ id: uuid(), ...p, url: URL.createObjectURL(p.thumb) });
        msg.textContent = t("visit.photo_count", { n: chosen.length });
      } catch (e) {
        logError("photo.compress", e);
        msg.textContent = t("visit.photo_failed");
      }
      redraw();
    }
  }

  input.addEventListener("change", () => {
    const files = [...(input.files || [])];
    input.value = ""; // the same photo may be chosen again after removing it
    msg.textContent = files.length ? t("visit.photo_working") : msg.textContent;
    working = working.then(() => add(files));
  });

  return {
    node: h("div", { class: "field photo-field" },
      h("p", { class: "field-hint", id: hintId, text: t("visit.photo_hint") }),
      input,
      h("label", { for: inputId, class: "button secondary photo-button", text: t("visit.photo") }),
      list, msg,
      h("label", { class: "choice single", for: keepId }, keep, h("span", { text: t("visit.keep_location") })),
      h("p", { class: "field-hint", id: `${keepId}-hint`, text: t("visit.keep_location_hint") })),
    async photos() {
      await working;
      return chosen.slice();
    },
    keepLocation: () => keep.checked,
  };
}

// Keep the photos on the phone and queue their uploads, before the record that names them is
// queued. `owner`: {store, id} of that record. Answers their ids, for its `attachments`.
export async function queuePhotos(ctx, photos, owner, { keepLocation = false } = {}) {
  const ids = [];
  for (const p of photos) {
    const keep = Boolean(keepLocation && p.gps);
    const blob = keep ? new Blob([withGps(new Uint8Array(await p.blob.arrayBuffer()), p.gps)], { type: "image/jpeg" }) : p.blob;
    await ctx.db.put("photos", {
      id: p.id, visit_id: owner.store === "visits" ? owner.id : null, owner, blob, thumb: p.thumb,
      width: p.width, height: p.height, created_at: new Date().toISOString(),
    });
    await ctx.sync.enqueue("attachment.upload", { id: p.id, owner, keep_location: keep });
    ids.push(p.id);
  }
  return ids;
}

// The photos of a record as thumbnails: the phone's own while they wait (or after they went up),
// the server's otherwise. `attachments`: the record's (server objects or, while it waits, ids);
// `local`: the rows of the "photos" store for it.
export function photoStrip(attachments, local = []) {
  const mine = new Map(local.filter((p) => !p.failed).map((p) => [p.id, p]));
  const ids = (attachments || []).map((a) => (typeof a === "string" ? a : a.id));
  for (const id of mine.keys()) if (!ids.includes(id)) ids.push(id);
  if (!ids.length) return null;
  return h("ul", { class: "photos", "aria-label": t("household.photo") }, ids.map((id, i) => {
    const p = mine.get(id);
    const blob = p && (p.thumb || p.blob);
    const alt = t("visit.photo_n", { n: i + 1 });
    if (blob) {
      const src = URL.createObjectURL(blob);
      const img = h("img", { src, alt, width: "96", height: "96" });
      img.addEventListener("load", () => URL.revokeObjectURL(src), { once: true });
      return h("li", { class: "photo" }, img, p.blob ? h("span", { class: "card-sub", text: t("household.photo_waiting") }) : null);
    }
    return h("li", { class: "photo" }, h("a", { href: `/api/attachments/${id}`, target: "_blank", rel: "noopener" },
      h("img", { src: `/api/attachments/${id}?thumb=1`, alt, width: "96", height: "96", loading: "lazy" })));
  }));
}
