"""Every model, imported in one place so Alembic and the app see the same metadata."""
from app.attachments.models import Attachment  # noqa: F401,E402
from app.auth.models import RevokedSession  # noqa: F401,E402
from app.cases.models import Case, CaseEvent  # noqa: F401,E402
from app.households.models import Household  # noqa: F401
from app.notify.models import ChannelPreference, Delivery, Notification, PushSubscription  # noqa: F401,E402
from app.org.models import AdminChange, OrgUnit, User  # noqa: F401
from app.reports.models import UnitCaseDue, UnitCaseTally, UnitTally, UnitVisitDay  # noqa: F401
from app.sync.models import AppliedMutation, Change  # noqa: F401,E402
from app.tasks.models import Task  # noqa: F401,E402
from app.visits.models import Visit  # noqa: F401
