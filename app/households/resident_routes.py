"""/api/residents (家庭成员, 重点人群) and /api/imports/households (下载模板, 导入)."""
from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest.fields import Upload

from app.common.fields import BaseSchema
from app.errors import ApiError
from app.extensions import db
from app.households import imports, residents, template
from app.households.blueprint import blp
from app.households.schemas import (
    ImportQuery,
    ImportResult,
    ResidentOut,
    ResidentPage,
    ResidentPatch,
    ResidentQuery,
    RevealOut,
)
from app.messages import IMPORT, REGISTER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/residents")
class Residents(MethodView):
    @blp.arguments(ResidentQuery, location="query")
    @blp.response(200, ResidentPage)
    def get(self, args):
        """我范围内的家庭成员，按重点人群筛选（如 care=elderly_alone 独居老人），含户、包联党员和最近走访"""
        items, nxt = residents.care_list(actor=current_user, **args)
        return {"items": items, "next": nxt}


@blp.route("/residents/<int:resident_id>")
class ResidentItem(MethodView):
    @blp.response(200, ResidentOut)
    def get(self, resident_id):
        """一位家庭成员"""
        resident = residents.get_resident(actor=current_user, resident_id=resident_id)
        return residents.resident_view(resident, current_user)

    @blp.arguments(ResidentPatch)
    @blp.response(200, ResidentOut)
    def patch(self, changes, resident_id):
        """修改家庭成员（村党支部书记及以上）"""
        resident = residents.update_resident(actor=current_user, resident_id=resident_id, changes=changes)
        db.session.commit()
        return residents.resident_view(resident, current_user)

    @blp.response(204)
    def delete(self, resident_id):
        """删除家庭成员（村党支部书记及以上）"""
        residents.delete_resident(actor=current_user, resident_id=resident_id)
        db.session.commit()


@blp.route("/residents/<int:resident_id>/reveal")
class ResidentReveal(MethodView):
    @blp.response(200, RevealOut)
    def post(self, resident_id):
        """查看完整身份证号（村党支部书记及以上；每次查看都记录谁、何时）"""
        shown = residents.reveal_id_number(actor=current_user, resident_id=resident_id)
        db.session.commit()
        return shown


@blp.route("/imports/households/template.xlsx")
class ImportTemplate(MethodView):
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX, description="导入模板")
    def get(self):
        """下载模板：住户、家庭成员两张表（中文表头、一行示例），说明，以及可选的网格与党员"""
        name = REGISTER["template_file"]
        disposition = f"attachment; filename=\"households-template.xlsx\"; filename*=UTF-8''{quote(name)}"
        return Response(template.template(actor=current_user), mimetype=XLSX,
                        headers={"Content-Disposition": disposition})


class ImportFile(BaseSchema):
    file = Upload(metadata={"description": ".xlsx 或 .csv（UTF-8 或 GBK）"})


@blp.route("/imports/households")
class HouseholdImport(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.arguments(ImportFile, location="files")
    @blp.response(200, ImportResult)
    @blp.alt_response(422, description="文件有错：error.errors 逐行逐列列出，未导入任何数据")
    def post(self, args, files):
        """导入住户和家庭成员：dry_run=1 只预览；否则全部成功才写入（有错返回 422 和同样的错误列表）"""
        upload = files.get("file") or request.files.get("file")
        if upload is None:
            raise ApiError(IMPORT["no_file"], status=422, code="invalid", fields={"file": [IMPORT["no_file"]]})
        result = imports.import_file(actor=current_user, filename=upload.filename, stream=upload.stream,
                                     dry_run=args["dry_run"])
        if args["dry_run"]:
            db.session.rollback()
        else:
            db.session.commit()
        return result
