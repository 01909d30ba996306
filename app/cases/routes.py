"""/api/cases: open, list, read, and act on cases (上报 派单 接单 办结 销号 重新打开 评论, and the
practice of 接诉即办: 退回 退单 撤回 改派 回访 合并)."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.cases import service
from app.cases.schemas import (
    ACTION_SCHEMAS,
    CaseDetail,
    CaseIn,
    CasePage,
    CaseQuery,
    EventPage,
)
from app.common.fields import Page
from app.extensions import db

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="问题（一个问题一清单）")


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQuery, location="query")
    @blp.response(200, CasePage)
    def get(self, args):
        """我范围内的问题；awaiting=me 为我的待办"""
        items, nxt = service.list_cases(actor=current_user, **args)
        return {"items": items, "next": nxt}

    @blp.arguments(CaseIn)
    @blp.response(201, CaseDetail)
    @blp.alt_response(200, schema=CaseDetail, description="同一编号、同一内容的重发")
    @blp.alt_response(409, description="同一编号、不同内容")
    def post(self, data):
        """上报一个问题（id 为手机生成的 UUID）

        同一户已有同一类别尚未办结的问题时，新问题照样保存（离线上报不会丢失），回答的 similar_open
        列出那些问题，手机提示可以合并（POST /api/cases/<id>/merge）。
        """
        case, created = service.open_case(actor=current_user, data=data)
        db.session.commit()
        return service.case_detail(actor=current_user, case_id=case.id), (201 if created else 200)


@blp.route("/<uuid:case_id>")
class CaseItem(MethodView):
    @blp.response(200, CaseDetail)
    def get(self, case_id):
        """问题详情、时间线最新的一页（更早的见 events_next）和我现在可做的操作"""
        return service.case_detail(actor=current_user, case_id=case_id)


@blp.route("/<uuid:case_id>/events")
class CaseEvents(MethodView):
    @blp.arguments(Page, location="query")
    @blp.response(200, EventPage)
    def get(self, args, case_id):
        """时间线的更早记录：从新到旧分页；cursor 取详情的 events_next 或上一页的 next"""
        items, nxt = service.case_events(actor=current_user, case_id=case_id, **args)
        return {"items": items, "next": nxt}


def _action_view(action, schema, summary):
    class ActionView(MethodView):
        @blp.arguments(schema, required=False)  # a step without a note may send no body
        @blp.response(200, CaseDetail)
        @blp.alt_response(403, description="无权执行；错误信息说明谁可以")
        @blp.alt_response(409, description="当前状态不允许")
        def post(self, data, case_id):
            service.act(actor=current_user, case_id=case_id, action=action, data=data)
            db.session.commit()
            return service.case_detail(actor=current_user, case_id=case_id)

    ActionView.post.__doc__ = summary
    ActionView.__name__ = f"Case{action.title().replace('_', '')}"
    blp.route(f"/<uuid:case_id>/{action if action != 'comment' else 'comments'}")(ActionView)


for _action, _summary in (
    ("escalate", "上报：沿链条上交一级（紧急的直达村党支部）"),
    ("dispatch", "派单：乡镇吹哨，派给部门"),
    ("accept", "接单：部门接下派单"),
    ("resolve", "办结：写明办理结果"),
    ("close", "销号：村党支部书记或乡镇在办结、回访（满意或基本满意）后确认；无法回访的须写明原因"),
    ("reopen", "重新打开"),
    ("comment", "评论"),
    ("return", "退回：经办人退给下一级（如请党员补充情况），再以上报上交"),
    ("reject", "退单：部门说明理由退回乡镇（接单前后均可），由乡镇改派或自办"),
    ("recall", "撤回：乡镇在部门接单前撤回派单"),
    ("reassign", "改派：村党支部书记、乡镇在本级范围内另定经办人；管理员可改派任何问题"),
    ("revisit", "回访：办结后由包联党员（或书记）入户或电话询问群众；不满意即在办结的层级重新打开"),
    ("merge", "合并：把重复的问题并入另一问题，本问题销号并保留时间线"),
):
    _action_view(_action, ACTION_SCHEMAS[_action], _summary)
