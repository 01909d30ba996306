// Uploading a photo queued in the outbox ("attachment.upload", before the record that names it):
// POST /api/attachments as multipart with the photo's client UUID, so a resend, or an upload cut
// off half-way and sent again, is stored once. The photo's bytes wait in the "photos" store until
// the server has them; afterwards only its small thumbnail stays on the phone.
import { ApiError, request } from "../api.js";
import { t } from "../i18n.js";

export const UPLOAD = "attachment.upload";

// What the server's answer (or its absence) means for the entry (pure):
//   201 / 200 (a resend): the entry leaves, the photo's bytes may go;
//   no answer, 401, 429 or 5xx: {retry}, it is sent again later (the error is thrown on);
//   any other refusal (not a photo, too large, 409): the entry stays, marked rejected, and the
//   records still waiting to be sent stop naming the photo, so they are not refused with it.
export function uploadOutcome(error) {
  if (!error) return { leave: true };
  if (!(error instanceof ApiError) || error.offline || error.status === 401 || error.status === 429 ||
      error.status >= 500 || error.status === 0) return { retry: true };
  return { reject: { status: error.status, code: error.code, message: error.message, fields: error.fields } };
}

// `data` without the photo `id` in its attachments (a record still waiting), or null if it named none.
export function withoutPhoto(data, id) {
  const list = Array.isArray(data && data.attachments) ? data.attachments : null;
  if (!list || !list.includes(id)) return null;
  return { ...data, attachments: list.filter((x) => x !== id) };
}

function formOf(entry, photo) {
  const form = new FormData();
  form.append("id", entry.id);
  if (entry.data.keep_location) form.append("keep_location", "1");
  const ext = photo.blob.type === "image/webp" ? "webp" : "jpg";
  form.append("file", photo.blob, `${entry.id}.${ext}`);
  return form;
}

// Upload one queued photo and apply the answer. Throws when it should be tried again later.
export async function uploadEntry(db, entry) {
  const photo = await db.get("photos", entry.id);
  let outcome;
  if (!photo || !photo.blob) {
    outcome = { reject: { status: 0, code: "photo_missing", message: t("visit.photo_missing") } };
  } else {
    try {
      await request("POST", "/api/attachments", formOf(entry, photo));
      outcome = uploadOutcome(null);
    } catch (e) {
      outcome = uploadOutcome(e);
      if (outcome.retry) throw e; // the sync loop logs it and tries again later
    }
  }
  if (outcome.leave) {
    await db.outboxDeleteById(entry.id);
    await db.put("photos", { ...photo, blob: null, uploaded: true });
    return outcome;
  }
  await db.put("outbox", { ...entry, state: "rejected", error: outcome.reject });
  for (const other of await db.outbox()) {
    const data = other.state === "pending" ? withoutPhoto(other.data, entry.id) : null;
    if (data) await db.put("outbox", { ...other, data });
  }
  if (photo) await db.put("photos", { ...photo, blob: null, failed: true });
  return outcome;
}
