"""/api/reports (统计) and /api/exports (对账清单, Excel)."""
from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.households.schemas import HouseholdsExportQuery, ResidentsExportQuery
from app.reports import exports, rates, service
from app.reports.schemas import (
    BINARY,
    CasesReportOut,
    CoverageOut,
    CoverageQuery,
    RatesOut,
    RatesQuery,
    UnvisitedOut,
    UnvisitedQuery,
)

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


@blp.route("/reports/rates")
class RatesReport(MethodView):
    @blp.arguments(RatesQuery, location="query")
    @blp.response(200, RatesOut)
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """三率：统计期内各下一级组织和各部门的响应率、解决率、满意率

        统计期为北京时间 from 当日 0 时至 to 次日 0 时，一律按服务器记录时间。
        响应率 = 按时 / 应响应：经办人应对办理期限的每一步（上报、派单、接单、办结、退回、退单）记录时间不晚于
        当时的期限即为按时；期限已过仍无人处理（超时上交、超时提醒）记为未按时。评论、任务、改派、撤回、合并、回访不计。
        解决率 = 销号 / 办结后核对：每次办结，或经销号（结果成立），或被重新打开、回访不满意（结果不成立）；
        合并的重复问题不计。
        满意率 = 满意和基本满意 / 回访次数。
        部门层级的每一步和超时、对部门办结结果的销号、重新打开和回访记在该部门；其余按户所在位置记在下一级组织。
        """
        return rates.rates(actor=current_user, **args)


@blp.route("/reports/unvisited")
class UnvisitedReport(MethodView):
    @blp.arguments(UnvisitedQuery, location="query")
    @blp.response(200, UnvisitedOut)
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """超期未走访：各党员包联户中 N 天没有走访的户（按组织顺序，不排名）和最近一次走访提醒"""
        return service.unvisited(actor=current_user, **args)


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
    @blp.arguments(HouseholdsExportQuery, location="query")
    @blp.response(200, BINARY, content_type=exports.XLSX,
                  description="包联户清单（Excel）：每户一行，家庭成员在第二张表；列与导入相同，可修改后导入")
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """导出包联户清单（一户一档）：我范围内的户，含户编号、包联党员、最近走访时间、未结问题数和家庭成员；
        unvisited_days=N 只导出 N 天未走访的户"""
        return xlsx_response(*exports.households_workbook(actor=current_user, **args))


@blp.route("/exports/residents.xlsx")
class ResidentsExport(MethodView):
    @blp.arguments(ResidentsExportQuery, location="query")
    @blp.response(200, BINARY, content_type=exports.XLSX, description="家庭成员（Excel），身份证号脱敏")
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """导出家庭成员：我范围内的，可按重点人群（care=elderly_alone 独居老人……），含户主、包联党员和最近走访"""
        return xlsx_response(*exports.residents_workbook(actor=current_user, **args))


@blp.route("/exports/rates.xlsx")
class RatesExport(MethodView):
    @blp.arguments(RatesQuery, location="query")
    @blp.response(200, BINARY, content_type=exports.XLSX, description="三率（Excel）：合计、各下一级组织、各部门各一行")
    @blp.alt_response(403, description=FORBIDDEN)
    def get(self, args):
        """导出三率：与 GET /api/reports/rates 同一统计期、同一口径"""
        return xlsx_response(*rates.rates_workbook(actor=current_user, **args))
