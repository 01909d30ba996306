"""Extension objects, bound to an app in create_app via init_app."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

from app.auth.throttle import LoginThrottle
from app.common.error_doc import ErrorContentPlugin, ErrorEnvelope
from app.errors import http_exception_response

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = LoginThrottle()  # the login throttle; its state lives in each app's app.extensions


class JsonErrorApi(Api):
    """flask-smorest, but every HTTP error answers in the project's one error shape, and the
    OpenAPI document says so."""

    ERROR_SCHEMA = ErrorEnvelope

    def handle_http_exception(self, error):
        return http_exception_response(error)


api = JsonErrorApi(spec_kwargs={"extra_plugins": [ErrorContentPlugin()]})
