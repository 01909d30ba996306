"""Every model, imported in one place so Alembic and the app see the same metadata."""
from app.households.models import Household  # noqa: F401
from app.org.models import OrgUnit, User  # noqa: F401
from app.visits.models import Visit  # noqa: F401
