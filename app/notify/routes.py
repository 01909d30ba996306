"""/api/notifications: the inbox, with an ETag so an open app can poll cheaply."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.notify import service
from app.notify.schemas import NotificationOut, NotificationPage, NotificationQuery

blp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="消息")


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationPage)
    @blp.alt_response(304, description="自上次（If-None-Match）以来没有变化")
    def get(self, args):
        """我的消息，新的在前；带 ETag，未变化时返回 304"""
        version, unread = service.inbox_version(actor=current_user)
        etag = f'W/"inbox-{version}-{args.get("unread")}-{args.get("cursor")}-{args.get("limit")}"'
        if etag in request.headers.get("If-None-Match", ""):
            return "", 304, {"ETag": etag}
        items, nxt = service.list_notifications(actor=current_user, unread_only=args["unread"],
                                                cursor=args.get("cursor"), limit=args.get("limit"))
        return {"items": items, "next": nxt, "unread": unread}, 200, {"ETag": etag}


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @blp.response(200, NotificationOut)
    def post(self, notification_id):
        """标为已读"""
        row = service.mark_read(actor=current_user, notification_id=notification_id)
        db.session.commit()
        return row
