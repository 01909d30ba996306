"""/api/notifications: the inbox, with an ETag so an open app can poll cheaply."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.messages import NOTIFY_TEXT
from app.notify import push, service
from app.notify.schemas import (
    DeliveryPage,
    DeliveryQuery,
    EndpointIn,
    KeyOut,
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    PreferencesIn,
    PreferencesOut,
    SubscriptionIn,
    SubscriptionOut,
)
from app.policy import capabilities

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


@blp.route("/preferences")
class Preferences(MethodView):
    @blp.response(200, PreferencesOut)
    def get(self):
        """我的通知渠道（手机推送、企业微信、短信）及本系统已开通的渠道"""
        return service.preferences(actor=current_user)

    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    def put(self, changes):
        """设置我的通知渠道"""
        prefs = service.set_preferences(actor=current_user, changes=changes)
        db.session.commit()
        return prefs


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQuery, location="query")
    @blp.response(200, DeliveryPage)
    def get(self, args):
        """发送记录：每条通知在每个渠道的结果（管理员）"""
        capabilities.require(current_user, "deliveries.view", "", message=NOTIFY_TEXT["admins_only"], code="forbidden")
        items, nxt = service.list_deliveries(**args)
        return {"items": items, "next": nxt}


push_blp = Blueprint("push", __name__, url_prefix="/api/push", description="Web Push 订阅")


@push_blp.route("/key")
class PushKey(MethodView):
    @push_blp.response(200, KeyOut)
    def get(self):
        """服务器的 VAPID 公钥"""
        return {"public_key": push.server_key()}


@push_blp.route("/subscriptions")
class PushSubscriptions(MethodView):
    @push_blp.arguments(SubscriptionIn)
    @push_blp.response(201, SubscriptionOut)
    @push_blp.alt_response(200, schema=SubscriptionOut, description="已有的订阅")
    def post(self, data):
        """登记本设备的推送订阅（PushSubscription.toJSON()）"""
        sub, created = push.subscribe(actor=current_user, data=data)
        db.session.commit()
        return sub, (201 if created else 200)

    @push_blp.arguments(EndpointIn)
    @push_blp.response(204)
    def delete(self, data):
        """取消本设备的推送订阅；不是自己的或不存在的地址同样答 204，什么也不删"""
        push.unsubscribe(actor=current_user, endpoint=data["endpoint"])
        db.session.commit()
