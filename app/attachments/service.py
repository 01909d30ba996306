"""Photos: uploaded once by their client UUID, checked and cleaned, stored, put on one record,
and read only by those who may see that record.

The life of a photo:

1. `prepare()` then `save()` (POST /api/attachments): the phone sends the file with its own
   UUID. The bytes are checked by content and cleaned (images.py), both files (photo and
   thumbnail) are written to the store under a key made of the UUID and the upload's hash, and
   only then is the row inserted. Until it is put on a record it is an orphan that only its
   uploader sees. The same id with the same bytes (a resend, an upload interrupted after the
   server had it) answers the stored record; the same id with other bytes answers 409.
2. `attach()`: a visit, a case step or a 回访 names the photos it carries (`attachments:
   [ids]`). Each must be an orphan of the same user, or already on this very record (a
   resend). A photo is placed once, for good: on another record it is refused (409).
3. `read()` (GET /api/attachments/<id>): in scope (app/policy/scope.py:attachment_filter),
   404 otherwise, the same answer as a photo that does not exist.

Orphans left behind (a visit discarded on the phone after its photos went up) are removed
by `prune_orphans()` after a grace period.
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.attachments import images, storage
from app.attachments.models import CASE_OWNERS, OWNER_TYPES, OWNER_VISIT, PER_RECORD, Attachment
from app.common.idempotent import insert_once
from app.common.time import utcnow
from app.errors import ApiError, Conflict, Invalid, NotFound, field_message
from app.extensions import db
from app.messages import ATTACHMENT_TEXT, MARSHMALLOW
from app.policy import scope

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 500_000  # a stored photo is never larger; the phone aims below it
UPLOAD_SLACK = 1.2  # an upload may be this much larger (600 KB): the server then shrinks it
ORPHAN_GRACE = timedelta(days=30)
KB = 1000


def max_bytes():
    """(largest photo stored, largest upload accepted)."""
    stored = int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    upload = int(current_app.config.get("ATTACHMENT_UPLOAD_MAX_BYTES") or stored * UPLOAD_SLACK)
    return stored, upload


@dataclass(frozen=True)
class Prepared:
    """An upload checked, cleaned and written to the store, not yet recorded."""

    id: object
    digest: str
    keep_location: bool
    cleaned: images.Cleaned
    store: str
    key: str

    @property
    def thumb_key(self):
        return self.key + "-thumb"


def prepare(*, attachment_id, stream, keep_location):
    """Check and clean an upload and write its files; touches no database, so the route can
    run it without holding SQLite's write lock. Raises the refusals the user sees."""
    stored_max, upload_max = max_bytes()
    raw = stream.read(upload_max + 1)
    if not raw:
        raise Invalid("file", ATTACHMENT_TEXT["empty"])
    if len(raw) > upload_max:
        detail = ATTACHMENT_TEXT["too_large"].format(max=upload_max // KB)
        raise ApiError(field_message("file", detail), fields={"file": [detail]}, code="too_large", status=413)
    try:
        cleaned = images.clean(raw, keep_location=keep_location, max_bytes=stored_max)
    except images.ImageRefused as exc:
        raise Invalid("file", ATTACHMENT_TEXT[exc.reason].format(max=stored_max // KB),
                      code="not_an_image" if exc.reason == "not_image" else "bad_image") from None
    digest = hashlib.sha256(raw).hexdigest()
    target = _store()
    prepared = Prepared(attachment_id, digest, keep_location, cleaned, target.name,
                        f"{attachment_id.hex}/{digest[:16]}-{int(keep_location)}")
    try:
        target.put(prepared.key, cleaned.data, cleaned.content_type)
        target.put(prepared.thumb_key, cleaned.thumb, images.JPEG)
    except storage.StoreUnavailable:
        raise _unavailable() from None
    return prepared


def save(*, actor, prepared):
    """Record a prepared upload; answer (attachment, created)."""
    known = db.session.get(Attachment, prepared.id)
    if known is not None:
        return _same_or_conflict(actor, known, prepared), False
    c = prepared.cleaned
    record = Attachment(
        id=prepared.id, uploader_id=actor.id, created_at=utcnow(), upload_sha256=prepared.digest,
        keep_location=prepared.keep_location, store=prepared.store, key=prepared.key,
        thumb_key=prepared.thumb_key, content_type=c.content_type, size=len(c.data), width=c.width,
        height=c.height, thumb_size=len(c.thumb), position=0)
    return insert_once(record, lambda stored: _same_or_conflict(actor, stored, prepared))


def _same_or_conflict(actor, stored, prepared):
    """A resend must carry the same bytes and the same choice about the location."""
    mine = stored.uploader_id == actor.id
    if (prepared.store, prepared.key) != (stored.store, stored.key):  # the files just written serve no record
        _forget_files(prepared.store, prepared.key, prepared.thumb_key)
    if mine and stored.upload_sha256 == prepared.digest and stored.keep_location == prepared.keep_location:
        return stored
    raise Conflict(ATTACHMENT_TEXT["conflict"], code="duplicate_id", **({"current": stored} if mine else {}))


def read(*, actor, attachment_id, thumb=False):
    """(bytes, content type, attachment) of a photo or its thumbnail in the actor's scope."""
    row = db.session.scalars(select(Attachment).where(
        Attachment.id == attachment_id, scope.attachment_filter(actor))).first()
    if row is None:
        raise NotFound()
    key = row.thumb_key if thumb else row.key
    try:
        data = _store(row.store).get(key)
    except storage.StoreMissing:
        log.error("attachment %s: file %s is missing from the %s store", row.id, key, row.store)
        raise NotFound() from None
    except storage.StoreUnavailable:
        raise _unavailable() from None
    return data, (images.JPEG if thumb else row.content_type), row


def attach(*, actor, ids, owner_type, owner_id, household_id=None, case_id=None):
    """Put the actor's uploaded photos on one record, in the order given; answer them.

    `owner_type` is OWNER_VISIT (give `household_id`: the photos then follow the household's
    scope) or OWNER_CASE_STEP / OWNER_REVISIT (give `case_id`: they follow the case's scope);
    `owner_id` is the visit's or the case event's id. The caller has already checked that the
    actor may write that record. Call it in the same transaction as the record's insert: a
    refusal (422 a photo not uploaded by this user, placed or not, exactly as an unknown id; 409
    one of the user's own photos already on another record)
    then undoes both. Calling it again with the same ids for the same record is harmless.
    """
    ids = list(ids or [])
    if owner_type not in OWNER_TYPES:
        raise ValueError(f"unknown owner type {owner_type!r}")
    if (owner_type == OWNER_VISIT and household_id is None) or (owner_type in CASE_OWNERS and case_id is None):
        raise ValueError("a visit's photos need household_id, a case step's need case_id")
    if not ids:
        return []
    if len(ids) > PER_RECORD:
        raise Invalid("attachments", ATTACHMENT_TEXT["too_many"].format(n=PER_RECORD))
    if len(set(ids)) != len(ids):
        raise Invalid("attachments", MARSHMALLOW["unique"])
    rows = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    now = utcnow()
    placement = {"owner_type": owner_type, "owner_id": owner_id, "household_id": household_id,
                 "case_id": case_id, "attached_at": now}
    for position, ident in enumerate(ids):
        row = rows.get(ident)
        if row is not None and row.owner_type == owner_type and row.owner_id == owner_id:
            continue  # already here: a resend
        if row is None or row.uploader_id != actor.id:  # someone else's, placed or not: as unknown
            raise Invalid("attachments", ATTACHMENT_TEXT["not_uploaded"].format(n=position + 1))
        detail = ATTACHMENT_TEXT["taken"].format(n=position + 1)
        taken = Conflict(field_message("attachments", detail), code="attachment_taken",
                         fields={"attachments": [detail]})
        if row.owner_id is not None:
            raise taken
        # Only an orphan is placed: of two records racing for one photo, one gets it.
        placed = db.session.execute(
            update(Attachment).where(Attachment.id == ident, Attachment.owner_id.is_(None))
            .values(position=position, **placement).execution_options(synchronize_session=False)).rowcount
        if placed != 1:
            raise taken
        for name, value in {"position": position, **placement}.items():
            set_committed_value(row, name, value)
    return [rows[i] for i in ids]


def attachments_of(owner_type, owner_ids):
    """{owner_id: [attachment, ...]} in their order, in one query."""
    owner_ids = list(owner_ids)
    found = {i: [] for i in owner_ids}
    if not owner_ids:
        return found
    stmt = (select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id.in_(owner_ids))
            .order_by(Attachment.owner_id, Attachment.position))
    for row in db.session.scalars(stmt):
        found[row.owner_id].append(row)
    return found


def attached_ids(owner_type, owner_id):
    """The ids on one record, in order (to compare a resend with what is stored)."""
    return [a.id for a in attachments_of(owner_type, [owner_id])[owner_id]]


def prune_orphans(*, older_than=ORPHAN_GRACE):
    """Delete photos never put on a record within `older_than`, rows and files; answer how many."""
    cutoff = utcnow() - older_than
    rows = db.session.scalars(select(Attachment).where(
        Attachment.owner_id.is_(None), Attachment.created_at < cutoff)).all()
    for row in rows:
        _forget_files(row.store, row.key, row.thumb_key)
        db.session.delete(row)
    db.session.flush()
    return len(rows)


def _store(name=None):
    try:
        return storage.store(name)
    except storage.StoreUnavailable:
        log.error("attachment store %r is not configured", name or current_app.config.get("ATTACHMENT_STORE"))
        raise _unavailable() from None


def _forget_files(store_name, *keys):
    try:
        target = storage.store(store_name)
        for key in keys:
            target.delete(key)
    except storage.StoreUnavailable:  # a stray file costs space, not correctness
        log.warning("could not delete %s from the %s store", keys, store_name)


def _unavailable():
    return ApiError(ATTACHMENT_TEXT["store_unavailable"], code="store_unavailable", status=503)
