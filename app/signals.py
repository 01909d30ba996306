"""What one feature tells the others, as blinker signals (the library Flask itself uses).

A sender never knows who listens: cases re-home their open cases when a household moves,
notify writes the inbox and outbox when a case or task reaches someone. Listeners run in the
sender's transaction, so an effect commits or rolls back with its cause.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Household; actor
household_moved = _signals.signal("household-moved")
# sender: the User whose role, unit or activity changed; actor
person_moved = _signals.signal("person-moved")
# sender: the Case; holder (User), reason
case_arrived = _signals.signal("case-arrived")
# sender: the Case; department (OrgUnit), staff_ids
case_dispatched = _signals.signal("case-dispatched")
# sender: the Case; to (User, who dispatched it), resolution
case_reported_back = _signals.signal("case-reported-back")
# sender: the Case
case_closed = _signals.signal("case-closed")
# sender: the Case; recipients (user ids), level
case_overdue = _signals.signal("case-overdue")
# sender: the Case; holder (User), household
case_rehomed = _signals.signal("case-rehomed")
# sender: the Case; department (OrgUnit), staff_ids, reason (the township took back its dispatch)
case_recalled = _signals.signal("case-recalled")
# sender: the Case (closed as a duplicate); into (the Case it joined), actor
case_merged = _signals.signal("case-merged")
# sender: the member (User); count (households unvisited for `days`), days, household_id (the first)
households_unvisited = _signals.signal("households-unvisited")
# sender: the Task; case (or None), assignee, actor, at
task_assigned = _signals.signal("task-assigned")
# sender: the Task; action ("accept" or "complete"), event_type, actor, at, event_id, note
task_stepped = _signals.signal("task-stepped")
