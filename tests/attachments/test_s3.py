"""The object store: photos round-trip through an S3-compatible server (moto's, on 127.0.0.1),
each row remembers its store, the secret key is never logged, and an unreachable store is a
clear 503, not a 500."""
import logging
import socket
import uuid

import pytest

from app.attachments import storage
from app.attachments.models import Attachment
from app.extensions import db

from . import photos
from .conftest import upload, visit_with

moto_server = pytest.importorskip("moto.server", reason="moto[server] is needed: pip install 'moto[server]'")
boto3 = pytest.importorskip("boto3")

BUCKET = "baolian-photos"
ACCESS, SECRET = "test-access-key", "s3cr3t-never-in-logs-1234"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=url, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    try:
        yield url, client
    finally:
        server.stop()


@pytest.fixture
def s3(app, monkeypatch, s3_endpoint):
    url, client = s3_endpoint
    for key, value in {"ATTACHMENT_STORE": "s3", "S3_ENDPOINT_URL": url, "S3_BUCKET": BUCKET,
                       "S3_ACCESS_KEY": ACCESS, "S3_SECRET_KEY": SECRET, "S3_REGION": "us-east-1"}.items():
        monkeypatch.setitem(app.config, key, value)
    return client


def test_a_photo_round_trips_through_the_object_store(login, jiang, s3, caplog):
    caplog.set_level(logging.DEBUG)
    shi = login("石水奇")
    raw = photos.jpeg(gps=True)
    res = upload(shi, raw)
    assert res.status_code == 201, res.get_json()
    ident = res.get_json()["id"]
    row = db.session.get(Attachment, uuid.UUID(ident))
    assert row.store == "s3"
    in_bucket = s3.get_object(Bucket=BUCKET, Key=row.key)
    stored = in_bucket["Body"].read()
    assert in_bucket["ContentType"] == "image/jpeg" and photos.gps_of(stored) == {}
    assert s3.head_object(Bucket=BUCKET, Key=row.thumb_key)["ContentLength"] == row.thumb_size

    assert visit_with(shi, jiang.id, [ident]).status_code == 201
    secretary = login("赵红梅")
    got = secretary.get(f"/api/attachments/{ident}")
    assert got.status_code == 200 and got.data == stored
    thumb = secretary.get(f"/api/attachments/{ident}?thumb=1")
    assert thumb.status_code == 200 and max(photos.opened(thumb.data).size) == 320
    assert login("郑满仓").get(f"/api/attachments/{ident}").status_code == 404
    assert SECRET not in caplog.text


def test_a_resend_to_the_object_store_is_stored_once(login, s3):
    shi = login("石水奇")
    raw, ident = photos.jpeg(seed=7), uuid.uuid4()
    assert upload(shi, raw, id=ident).status_code == 201
    assert upload(shi, raw, id=ident).status_code == 200
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=ident.hex).get("Contents", [])]
    assert len(keys) == 2  # the photo and its thumbnail


def test_each_photo_is_read_from_the_store_it_was_written_to(login, s3, app, monkeypatch, photo_dir):
    shi = login("石水奇")
    ident = upload(shi, photos.jpeg(seed=3)).get_json()["id"]
    monkeypatch.setitem(app.config, "ATTACHMENT_STORE", "disk")  # a later switch back to disk
    assert shi.get(f"/api/attachments/{ident}").status_code == 200
    on_disk = upload(shi, photos.jpeg(seed=4)).get_json()["id"]
    assert db.session.get(Attachment, uuid.UUID(on_disk)).store == "disk"
    assert any(photo_dir.rglob("*"))


def test_an_unreachable_store_is_503_in_chinese(login, app, monkeypatch, caplog):
    for key, value in {"ATTACHMENT_STORE": "s3", "S3_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}",
                       "S3_BUCKET": BUCKET, "S3_ACCESS_KEY": ACCESS, "S3_SECRET_KEY": SECRET}.items():
        monkeypatch.setitem(app.config, key, value)
    res = upload(login("石水奇"), photos.jpeg())
    assert res.status_code == 503
    assert res.get_json()["error"]["code"] == "store_unavailable"
    assert db.session.query(Attachment).count() == 0
    assert SECRET not in caplog.text


def test_the_store_never_shows_its_secret(app, s3):
    with app.test_request_context():
        assert SECRET not in repr(storage.store())
