"""/api/reports (统计) and /api/exports (对账清单, Excel)."""
from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.reports import exports, service
from app.reports.schemas import BINARY, CasesReportOut, CoverageOut, CoverageQuery

blp = Blueprint("reports", __name__, url_prefix="/api", description="统计与对账清单")

FORBIDDEN = "非村党支部书记、乡镇干部或管理员"


@blp.route("/reports/coverage")
class Coverage(MethodView):
    @blp.arguments(CoverageQuery, location="query")
    @blp.response(200, CoverageOut)
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """走访覆盖：下一级组织（及本村每名党员）最近 N 天走访的户数、从未走访的户"""
        return service.coverage(actor=current_user, **args)


@blp.route("/reports/cases")
class CasesReport(MethodView):
    @blp.response(200, CasesReportOut)
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self):
        """问题统计：按状态、类别、层级、紧急程度，超时数，销号用时中位数，下一级组织分布"""
        return service.cases(actor=current_user)


def xlsx_response(data, filename, ascii_filename):
    """An attachment whose Chinese name survives every browser (RFC 6266 filename*)."""
    disposition = f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, mimetype=exports.XLSX, headers={"Content-Disposition": disposition})


@blp.route("/exports/cases.xlsx")
class CasesExport(MethodView):
    @blp.response(200, BINARY, content_type=exports.XLSX, description="问题清单（Excel），每件问题一行")
    @blp.alt_response(403, description="非村党支部书记、乡镇干部、部门工作人员或管理员")
    def get(self):
        """导出问题清单（对账用）：我范围内的问题，含经办人、最后一步和各时间"""
        return xlsx_response(*exports.cases_workbook(actor=current_user))


@blp.route("/exports/households.xlsx")
class HouseholdsExport(MethodView):
    @blp.response(200, BINARY, content_type=exports.XLSX, description="包联户清单（Excel），每户一行")
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self):
        """导出包联户清单：我范围内的户，含包联党员、最近走访时间和未结问题数"""
        return xlsx_response(*exports.households_workbook(actor=current_user))
