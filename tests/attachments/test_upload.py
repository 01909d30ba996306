"""POST /api/attachments: a photo is judged by its content, kept small, cleaned of its location
unless the user chose otherwise, and stored once whatever the phone resends."""
import gc
import io
import random
import re
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.attachments import images
from app.attachments.models import Attachment
from app.extensions import db

from . import photos
from .conftest import post_form, upload

CJK = re.compile(r"[\u4e00-\u9fff]")


def stored_file(photo_dir, attachment_id, thumb=False):
    row = db.session.get(Attachment, uuid.UUID(attachment_id))
    return (photo_dir / (row.thumb_key if thumb else row.key)).read_bytes()


def refused(res, status, field="file"):
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:300])
    error = res.get_json()["error"]
    assert CJK.search(error["message"]) and field in error["fields"], error
    assert error["message"].startswith("照片：") or field != "file", error  # names the field as users know it
    return error


# --- the type, by content ---------------------------------------------------------------------


@pytest.mark.parametrize("name,content", [("report.jpg", photos.PDF), ("photo.jpg", photos.HTML),
                                          ("photo.jpeg", b"GIF89a\x01\x00\x01\x00" + bytes(30))])
def test_a_file_named_jpg_that_is_not_a_photo_is_refused(login, name, content):
    res = upload(login("石水奇"), content, filename=name, mimetype="image/jpeg")
    error = refused(res, 422)
    assert error["code"] == "not_an_image"
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_jpeg_magic_bytes_followed_by_garbage_are_refused(login):
    fake = b"\xff\xd8\xff\xe0" + b"<html>not really a photo</html>" * 20
    assert refused(upload(login("石水奇"), fake), 422)["code"] == "bad_image"


def test_a_truncated_photo_is_refused(login):
    whole = photos.jpeg()
    assert refused(upload(login("石水奇"), whole[: len(whole) // 2]), 422)["code"] == "bad_image"


def test_a_decompression_bomb_is_refused_without_decoding_it(login):
    bomb = photos.png_bomb()
    assert len(bomb) < 1000
    assert refused(upload(login("石水奇"), bomb, filename="a.png", mimetype="image/png"), 422)["code"] == "bad_image"


def test_the_declared_type_does_not_matter_only_the_content(login):
    res = upload(login("石水奇"), photos.jpeg(), filename="scan.pdf", mimetype="application/pdf")
    assert res.status_code == 201 and res.get_json()["content_type"] == "image/jpeg"


def test_anything_hidden_after_the_image_is_dropped(login, photo_dir):
    """A JPEG with an HTML page (or a zip) glued after its end: the stored file ends with the image."""
    glued = photos.jpeg() + photos.HTML
    res = upload(login("石水奇"), glued)
    assert res.status_code == 201
    stored = stored_file(photo_dir, res.get_json()["id"])
    assert stored.endswith(b"\xff\xd9") and b"<script>" not in stored


# --- size --------------------------------------------------------------------------------------


def test_an_upload_past_the_limit_is_413_naming_the_field(login, app):
    stored_max, upload_max = 500_000, 600_000
    assert (app.config.get("ATTACHMENT_MAX_BYTES") or stored_max) == stored_max
    big = photos.sized_jpeg(upload_max + 1, upload_max + 400_000)
    error = refused(upload(login("石水奇"), big), 413)
    assert error["code"] == "too_large" and "600 KB" in error["message"]


def test_an_upload_a_little_over_500_kb_is_taken_and_stored_under_it(login, photo_dir):
    """The slack: the phone's 520 KB photo is accepted and the server brings it under 500 KB."""
    raw = photos.sized_jpeg(510_000, 590_000)
    res = upload(login("石水奇"), raw)
    assert res.status_code == 201, res.get_json()
    stored = stored_file(photo_dir, res.get_json()["id"])
    assert len(stored) <= 500_000 and res.get_json()["size"] == len(stored)
    assert photos.opened(stored).format == "JPEG"


def test_the_limit_is_configurable(login, app, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 20_000)  # uploads then up to 24 KB
    raw = photos.sized_jpeg(25_000, 200_000, 800, 600)
    assert refused(upload(login("石水奇"), raw), 413)["code"] == "too_large"


def test_a_large_photo_is_shrunk_to_1600_pixels(login, photo_dir):
    res = upload(login("石水奇"), photos.jpeg(3200, 2400, quality=70))
    assert res.status_code == 201
    body = res.get_json()
    assert (body["width"], body["height"]) == (1600, 1200)
    assert photos.opened(stored_file(photo_dir, body["id"])).size == (1600, 1200)


def test_an_empty_file_is_refused(login):
    assert refused(upload(login("石水奇"), b""), 422)


# --- location and other metadata ----------------------------------------------------------------


def test_gps_and_camera_details_are_stripped_and_the_pixels_kept(login, photo_dir):
    raw = photos.jpeg(gps=True, make="Xiaomi", comment=b"owner: 13900000101")
    assert photos.gps_of(raw) and photos.opened(raw).getexif().get(photos.MAKE) == "Xiaomi"
    res = upload(login("石水奇"), raw)
    assert res.status_code == 201 and res.get_json()["keep_location"] is False
    stored = stored_file(photo_dir, res.get_json()["id"])
    assert photos.gps_of(stored) == {}
    assert photos.MAKE not in photos.opened(stored).getexif()
    assert b"13900000101" not in stored and b"Xiaomi" not in stored
    # the phone's compression is not done twice: the very same pixels
    assert photos.opened(stored).tobytes() == photos.opened(raw).tobytes()


def test_keep_location_keeps_the_gps_and_nothing_else(login, photo_dir):
    raw = photos.jpeg(gps=True, make="Xiaomi")
    res = upload(login("石水奇"), raw, keep_location=1)
    assert res.status_code == 201 and res.get_json()["keep_location"] is True
    stored = stored_file(photo_dir, res.get_json()["id"])
    assert photos.gps_of(stored) == photos.gps_of(raw)
    assert photos.MAKE not in photos.opened(stored).getexif()


def test_the_thumbnail_never_carries_the_location(login, photo_dir):
    res = upload(login("石水奇"), photos.jpeg(gps=True), keep_location="true")
    thumb = stored_file(photo_dir, res.get_json()["id"], thumb=True)
    assert photos.gps_of(thumb) == {}


def test_a_webp_loses_its_location_and_stays_webp(login, photo_dir):
    raw = photos.webp(gps=True)
    assert photos.gps_of(raw)
    res = upload(login("石水奇"), raw, filename="a.webp", mimetype="image/webp")
    assert res.status_code == 201 and res.get_json()["content_type"] == "image/webp"
    assert photos.gps_of(stored_file(photo_dir, res.get_json()["id"])) == {}


def test_a_png_is_stored_as_jpeg(login, photo_dir):
    res = upload(login("石水奇"), photos.png(alpha=True), filename="a.png", mimetype="image/png")
    assert res.status_code == 201 and res.get_json()["content_type"] == "image/jpeg"
    assert photos.opened(stored_file(photo_dir, res.get_json()["id"])).format == "JPEG"


def test_a_sideways_photo_keeps_its_orientation_and_its_thumbnail_is_upright(login, photo_dir):
    raw = photos.jpeg(1200, 900, orientation=6)  # stored landscape, to be shown turned a quarter
    res = upload(login("石水奇"), raw)
    stored = stored_file(photo_dir, res.get_json()["id"])
    assert photos.opened(stored).getexif().get(photos.ORIENTATION) == 6
    assert photos.opened(stored_file(photo_dir, res.get_json()["id"], thumb=True)).size == (240, 320)


# --- the same id again ---------------------------------------------------------------------------


def test_a_resend_with_the_same_bytes_answers_the_stored_record_once(login, photo_dir):
    shi = login("石水奇")
    raw, ident = photos.jpeg(), uuid.uuid4()
    first = upload(shi, raw, id=ident)
    again = upload(shi, raw, id=ident)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1
    assert len([p for p in photo_dir.rglob("*") if p.is_file()]) == 2  # the photo and its thumbnail


def test_the_same_id_with_other_bytes_is_409_and_the_first_photo_stays(login, photo_dir):
    shi = login("石水奇")
    ident = uuid.uuid4()
    first = upload(shi, photos.jpeg(seed=1), id=ident)
    kept = stored_file(photo_dir, first.get_json()["id"])
    other = upload(shi, photos.jpeg(seed=2), id=ident)
    assert other.status_code == 409
    assert other.get_json()["error"]["current"]["id"] == str(ident)
    assert stored_file(photo_dir, str(ident)) == kept
    assert len([p for p in photo_dir.rglob("*") if p.is_file()]) == 2  # the refused upload's files are gone


def test_the_same_bytes_with_another_choice_about_location_is_409(login):
    shi = login("石水奇")
    raw, ident = photos.jpeg(), uuid.uuid4()
    assert upload(shi, raw, id=ident).status_code == 201
    assert upload(shi, raw, id=ident, keep_location=1).status_code == 409


def test_someone_elses_id_is_409_without_their_record(login, photo_dir):
    raw, ident = photos.jpeg(), uuid.uuid4()
    assert upload(login("石水奇"), raw, id=ident).status_code == 201
    kept = stored_file(photo_dir, str(ident))
    res = upload(login("郑满仓"), raw, id=ident)
    assert res.status_code == 409 and "current" not in res.get_json()["error"]
    assert stored_file(photo_dir, str(ident)) == kept


# --- bad forms -----------------------------------------------------------------------------------


def test_no_file_no_id_a_bad_id_or_a_bad_flag_name_the_field(login):
    shi = login("石水奇")
    refused(upload(shi, None), 422, "file")
    file = FileStorage(io.BytesIO(photos.jpeg()), filename="a.jpg")
    refused(post_form(shi, "/api/attachments", {"file": file}), 422, "id")
    file = FileStorage(io.BytesIO(photos.jpeg()), filename="a.jpg")
    refused(post_form(shi, "/api/attachments", {"id": "not-a-uuid", "file": file}), 422, "id")
    refused(upload(shi, photos.jpeg(), keep_location="maybe"), 422, "keep_location")


# Werkzeug leaves the temporary file of a part cut off mid-way to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_upload_cut_off_midway_stores_nothing_and_the_resend_is_stored_once(login, photo_dir):
    shi = login("石水奇")
    ident, raw = uuid.uuid4(), photos.jpeg()
    file = FileStorage(io.BytesIO(raw), filename="a.jpg", content_type="image/jpeg")
    boundary, payload = encode_multipart({"id": str(ident), "file": file})
    cut = shi.post("/api/attachments", data=payload[: len(payload) * 2 // 3],
                   content_type=f"multipart/form-data; boundary={boundary}")
    gc.collect()
    assert cut.status_code == 422 and CJK.search(cut.get_json()["error"]["message"])
    assert db.session.get(Attachment, ident) is None and not any(photo_dir.rglob("*"))
    assert upload(shi, raw, id=ident).status_code == 201
    assert upload(shi, raw, id=ident).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_the_api_document_shows_the_whole_form(anon):
    body = anon.get("/api/openapi.json").get_json()
    ref = body["paths"]["/api/attachments"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    fields = body["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"id", "file", "keep_location"} <= set(fields)


def test_a_json_body_is_a_clear_error_not_500(login):
    res = login("石水奇").post("/api/attachments", json={"id": str(uuid.uuid4()), "file": "aGVsbG8="})
    assert res.status_code == 422 and CJK.search(res.get_json()["error"]["message"])


def test_uploading_needs_a_session(anon):
    anon.fetch_csrf()
    assert upload(anon, photos.jpeg()).status_code == 401


# --- the cleaning itself, without HTTP -------------------------------------------------------------


def test_strip_jpeg_keeps_the_colour_profile_and_drops_every_other_segment():
    image = photos.scene(64, 48)
    buf = io.BytesIO()
    icc = b"\x00" * 128  # any bytes: Pillow writes them as an APP2 ICC_PROFILE segment
    image.save(buf, "JPEG", exif=photos.exif(gps=True), icc_profile=icc, comment=b"hello")
    clean = images.strip_jpeg(buf.getvalue())
    decoded = Image.open(io.BytesIO(clean))
    assert decoded.info.get("icc_profile") == icc
    assert "comment" not in decoded.info and not decoded.getexif()
    assert decoded.tobytes() == Image.open(buf).tobytes()


def test_sniff_reads_only_the_content():
    assert images.sniff(photos.jpeg()) == images.JPEG
    assert images.sniff(photos.png()) == images.PNG
    assert images.sniff(photos.webp()) == images.WEBP
    assert images.sniff(photos.PDF) is images.sniff(photos.HTML) is None


@pytest.mark.parametrize("make", [lambda: photos.jpeg(400, 300, orientation=6), lambda: photos.webp(300, 200)])
def test_mangled_bytes_are_refused_never_a_crash(make):
    """Bytes flipped in the headers and EXIF (as a broken or hostile phone might send them):
    every answer is a photo or a refusal."""
    original, rnd = make(), random.Random(7)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 6)):
            data[rnd.randrange(2, 400)] = rnd.randrange(256)
        try:
            images.clean(bytes(data), keep_location=rnd.random() < 0.5, max_bytes=500_000)
        except images.ImageRefused:
            pass


def test_photos_on_disk_are_readable_by_their_owner_only(login, photo_dir):
    res = upload(login("石水奇"), photos.jpeg())
    row = db.session.get(Attachment, uuid.UUID(res.get_json()["id"]))
    for path in (photo_dir, (photo_dir / row.key).parent):
        assert path.stat().st_mode & 0o077 == 0, path
    for path in (photo_dir / row.key, photo_dir / row.thumb_key):
        assert path.stat().st_mode & 0o077 == 0, path
