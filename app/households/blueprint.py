"""The households feature's one blueprint: 包联户, 家庭成员 and 导入, all under /api."""
from flask_smorest import Blueprint

blp = Blueprint("households", __name__, url_prefix="/api", description="包联户、家庭成员与导入")
