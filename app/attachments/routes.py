"""/api/attachments: upload a photo (multipart, idempotent by the phone's UUID) and read it,
or its thumbnail, in scope."""
import hashlib

from flask import make_response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.attachments import service
from app.attachments.schemas import AttachmentOut, ReadQuery, UploadDoc, UploadFile, UploadForm
from app.extensions import db

blp = Blueprint("attachments", __name__, url_prefix="/api/attachments", description="照片（拍照）")


@blp.route("")
class Attachments(MethodView):
    @blp.arguments(UploadForm, location="form")
    @blp.arguments(UploadFile, location="files")
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": UploadDoc}}})
    @blp.response(201, AttachmentOut)
    @blp.alt_response(200, schema=AttachmentOut, description="同一编号、同一文件的重发：返回已存记录")
    @blp.alt_response(409, description="同一编号、不同文件")
    @blp.alt_response(413, description="文件过大")
    @blp.alt_response(422, description="不是照片（按内容判断）或已损坏")
    def post(self, form, files):
        """上传一张照片（multipart：id 为手机生成的 UUID，file 为照片）；再由走访、问题步骤或回访的 attachments 引用"""
        # Decoding, cleaning and storing take a while: hold no database lock meanwhile (SQLite
        # locks at a POST's first query, and loading the user was one).
        db.session.rollback()
        prepared = service.prepare(attachment_id=form["id"], stream=files["file"].stream,
                                   keep_location=form["keep_location"])
        attachment, created = service.save(actor=current_user, prepared=prepared)
        db.session.commit()
        return attachment, (201 if created else 200)


@blp.route("/<uuid:attachment_id>")
class AttachmentFile(MethodView):
    @blp.arguments(ReadQuery, location="query")
    @blp.response(200, description="照片（image/jpeg、image/webp）；thumb=1 时为 JPEG 缩略图")
    @blp.alt_response(404, description="不存在或不在您的范围内")
    def get(self, args, attachment_id):
        """照片或其缩略图（?thumb=1），仅限能看到该户或该问题的人"""
        data, content_type, _row = service.read(actor=current_user, attachment_id=attachment_id,
                                                thumb=bool(args["thumb"]))
        response = make_response(data)
        response.mimetype = content_type
        # The bytes under an id never change; the browser may keep them but must ask each time,
        # so a phone handed to someone else shows nothing without a session in scope.
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["Content-Disposition"] = "inline"
        response.set_etag(hashlib.sha256(data).hexdigest()[:32])
        return response.make_conditional(request)
