"""/api/tasks: assign (布置任务), list mine, accept, complete."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.extensions import db
from app.tasks import service
from app.tasks.schemas import TaskActionIn, TaskIn, TaskOut, TaskPage, TaskQuery

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="任务")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskPage)
    def get(self, args):
        """交给我的任务（mine=given：我布置的）"""
        items, nxt = service.list_tasks(actor=current_user, **args)
        return {"items": items, "next": nxt}

    @blp.arguments(TaskIn)
    @blp.response(201, TaskOut)
    @blp.alt_response(200, schema=TaskOut, description="同一编号、同一内容的重发")
    def post(self, data):
        """布置任务；承办人立即收到通知"""
        task, created = service.create_task(actor=current_user, data=data)
        db.session.commit()
        return task, (201 if created else 200)


@blp.route("/<uuid:task_id>")
class TaskItem(MethodView):
    @blp.response(200, TaskOut)
    def get(self, task_id):
        """一个任务"""
        return service.get_task(actor=current_user, task_id=task_id)


def _step_view(action, summary):
    class StepView(MethodView):
        @blp.arguments(TaskActionIn, required=False)  # a step without a note may send no body
        @blp.response(200, TaskOut)
        def post(self, data, task_id):
            task, _ = service.step_task(actor=current_user, task_id=task_id, action=action, data=data)
            db.session.commit()
            return task

    StepView.post.__doc__ = summary
    StepView.__name__ = f"Task{action.title()}"
    blp.route(f"/<uuid:task_id>/{action}")(StepView)


_step_view("accept", "接受任务")
_step_view("complete", "完成任务")
