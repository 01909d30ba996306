"""Changing one's own password (修改密码), also the way out of a temporary one."""
from app.auth.sessions import end_other_sessions
from app.common.passwords import password_problems
from app.errors import Invalid
from app.messages import ADMIN_TEXT


def check_new_password(user, new_password, old_password):
    """Refuse, naming the field, a weak new password (before the throttled check of the old
    one, so a weak choice costs no attempt)."""
    problems = password_problems(new_password, user.phone)
    if new_password == old_password:
        problems.insert(0, ADMIN_TEXT["same_password"])
    if problems:
        raise Invalid("new_password", "；".join(problems))


def set_new_password(user, new_password):
    """Store the new password; every other session of the user ends. Answers the new epoch."""
    user.set_password(new_password)
    user.must_change_password = False
    return end_other_sessions(user)

