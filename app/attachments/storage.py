"""Where photo files live: a folder under instance/ (the embedded default) or any S3-compatible
object store. Each stored row names its store, so files stay readable after a switch.

Configuration (read with current_app.config.get):

- ATTACHMENT_STORE: "disk" (default) or "s3"
- ATTACHMENT_DIR: the disk store's folder (default: instance/attachments)
- S3_ENDPOINT_URL, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION: the object store
  (the endpoint may be any S3-compatible service; without keys boto3's own credential chain
  is used). The secret key is never logged nor shown in any repr.
"""
import logging
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

DISK, S3 = "disk", "s3"
STORES = (DISK, S3)
KEY = re.compile(r"^[0-9a-f]{32}/[0-9a-f]{16}-[01](-thumb)?$")  # what service.py makes, nothing else
TIMEOUT = 10  # seconds to connect to the object store; reads allow three times that


class StoreMissing(Exception):
    """The file is not in the store."""


class StoreUnavailable(Exception):
    """The store did not answer (network, credentials, a missing bucket)."""


class DiskStore:
    name = DISK

    def __init__(self, root):
        self.root = Path(root)

    def __repr__(self):
        return f"DiskStore({str(self.root)!r})"

    def _path(self, key):
        if not KEY.match(key):
            raise ValueError(f"bad attachment key {key!r}")
        return self.root / key

    def put(self, key, data, content_type):
        path = self._path(key)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)  # photos are personal data: owner only
        path.parent.mkdir(mode=0o700, exist_ok=True)
        # Written beside and renamed into place: a reader never sees half a file, and an upload
        # interrupted here leaves no file under the key.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoreMissing(key) from None

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)


class S3Store:
    name = S3

    def __init__(self, *, endpoint_url, bucket, access_key=None, secret_key=None, region=None):
        import boto3  # only deployments that use an object store pay for importing it
        from botocore.config import Config

        if not bucket:
            raise StoreUnavailable("S3_BUCKET is not set")
        self.endpoint_url = endpoint_url
        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None, region_name=region or "us-east-1",
            config=Config(connect_timeout=TIMEOUT, read_timeout=3 * TIMEOUT, retries={"max_attempts": 3},
                          s3={"addressing_style": "path"}),
        )

    def __repr__(self):  # never the keys
        return f"S3Store(endpoint_url={self.endpoint_url!r}, bucket={self.bucket!r})"

    def put(self, key, data, content_type):
        self._call("put", self.client.put_object, Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key):
        res = self._call("get", self.client.get_object, Bucket=self.bucket, Key=key)
        return res["Body"].read()

    def delete(self, key):
        self._call("delete", self.client.delete_object, Bucket=self.bucket, Key=key)

    def _call(self, what, method, **kw):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(**kw)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if what == "get" and code in ("NoSuchKey", "404", "NotFound"):
                raise StoreMissing(kw["Key"]) from None
            log.error("object store %s %s failed: %s", what, kw.get("Key"), code)
            raise StoreUnavailable(code) from None
        except BotoCoreError as exc:
            log.error("object store %s %s failed: %s", what, kw.get("Key"), type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from None


def _settings(name):
    cfg = current_app.config
    if name == DISK:
        return (cfg.get("ATTACHMENT_DIR") or str(Path(current_app.instance_path) / "attachments"),)
    return tuple(cfg.get(k) for k in ("S3_ENDPOINT_URL", "S3_BUCKET", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_REGION"))


def store(name=None):
    """The store called `name` (default: the configured one), made once per configuration."""
    name = name or current_app.config.get("ATTACHMENT_STORE") or DISK
    if name not in STORES:
        raise StoreUnavailable(f"ATTACHMENT_STORE must be disk or s3, not {name!r}")
    settings = _settings(name)
    made = current_app.extensions.setdefault("baolian_attachment_stores", {})
    key = (name, settings)
    if key not in made:
        if name == DISK:
            made[key] = DiskStore(settings[0])
        else:
            endpoint, bucket, access, secret, region = settings
            made[key] = S3Store(endpoint_url=endpoint, bucket=bucket, access_key=access, secret_key=secret,
                                region=region)
    return made[key]
