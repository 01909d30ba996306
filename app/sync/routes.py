"""/api/sync: the phone's outbox in, the changes in its scope out."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.sync.apply import apply_batch
from app.sync.feed import feed
from app.sync.schemas import FeedOut, FeedQuery, SyncIn, SyncOut

blp = Blueprint("sync", __name__, url_prefix="/api/sync", description="离线同步（见 docs/sync-protocol.md）")


@blp.route("")
class Sync(MethodView):
    @blp.arguments(SyncIn)
    @blp.response(200, SyncOut)
    def post(self, batch):
        """提交离线记录：逐条应用，逐条答复（applied / duplicate / conflict / rejected）"""
        results = apply_batch(actor=current_user, mutations=batch["mutations"])
        db.session.commit()
        return {"results": results}

    @blp.arguments(FeedQuery, location="query")
    @blp.response(200, FeedOut)
    def get(self, args):
        """自游标以来我范围内的变化（无游标：全量快照，分页可续）"""
        return feed(actor=current_user, cursor=args["cursor"], limit=args["limit"])
