"""Photos go to a folder of the test's own (never instance/), and a phone uploads them."""
import io
import uuid

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import visit_body


@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENT_STORE", "disk")
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(folder))
    return folder


def upload(client, data, *, id=None, filename="photo.jpg", mimetype="image/jpeg", **form):
    """POST /api/attachments as a phone does; answers the response."""
    body = {"id": str(id or uuid.uuid4()), **{k: str(v) for k, v in form.items()}}
    if data is not None:
        body["file"] = FileStorage(io.BytesIO(data), filename=filename, content_type=mimetype)
    return post_form(client, "/api/attachments", body)


def post_form(client, url, fields):
    """A multipart POST encoded in memory (the test client would spool a large body to a
    temporary file it never closes)."""
    boundary, payload = encode_multipart(fields)
    return client.post(url, data=payload, content_type=f"multipart/form-data; boundary={boundary}")


def visit_with(client, household_id, ids, **overrides):
    return client.post("/api/visits", json=visit_body(household_id, attachments=[str(i) for i in ids], **overrides))
