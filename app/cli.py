"""Command-line tasks: demo data, users, household import."""
import json
import sys

import click
from sqlalchemy import func, select

from app.common.fields import DB_INT_MAX
from app.common.passwords import password_problems
from app.errors import ApiError
from app.extensions import db
from app.messages import CLI, ROLE_NAMES
from app.messages import ORG_KINDS as KIND_NAMES
from app.org.models import OrgUnit, User
from app.policy import chain
from app.policy.names import ROLE_UNIT_KIND, ROLES, Role


def register_cli(app):
    from app.scale.cli import seed_scale_cmd

    for command in (seed_demo_cmd, demo_users_cmd, create_user_cmd, import_households_cmd,
                    escalate_overdue_cmd, remind_unvisited_cmd, notify_worker_cmd, seed_scale_cmd):
        app.cli.add_command(command)


def _counts():
    from app.households.models import Household

    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("units", OrgUnit), ("users", User), ("households", Household))}


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def seed_demo_cmd(if_empty):
    """Load the demo district (潞城区 / 辛安泉镇 / 西流南村). Running it twice changes nothing."""
    from app.org.demo import seed_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo(CLI["seed_skipped"])
        return
    seed_demo()
    db.session.commit()
    click.echo(CLI["seeded"].format(**_counts()))


def demo_user_rows():
    from app.org.demo import DEMO_PASSWORD, DEMO_PHONE_PREFIX

    users = db.session.scalars(
        select(User).where(User.phone.startswith(DEMO_PHONE_PREFIX)).order_by(User.phone)).all()
    return [
        {"id": u.id, "name": u.name, "role": u.role, "role_name": ROLE_NAMES[u.role], "phone": u.phone,
         "password": DEMO_PASSWORD, "org_unit": u.org_unit.name}
        for u in users
    ]


@click.command("demo-users")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def demo_users_cmd(as_json):
    """Print the demo logins."""
    rows = demo_user_rows()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['phone']}  {r['password']}  {r['role_name']:<8} {r['name']:<6} {r['org_unit']}")


@click.command("create-user")
@click.option("--name", required=True)
@click.option("--phone", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org-unit", "org_unit_id", required=True, type=int, help="Org unit id (see /api/org-units).")
@click.option("--informant", "informant_id", type=int, help="For a member: their informant's user id.")
@click.password_option()
def create_user_cmd(name, phone, role, org_unit_id, informant_id, password):
    """Create a user with a hashed password (8+ characters, not the phone, not a common one)."""
    if not 1 <= len(name.strip()) <= 40:
        raise click.BadParameter(CLI["bad_name"], param_hint="--name")
    if not (len(phone) == 11 and phone.isascii() and phone.isdigit() and phone.startswith("1")):
        raise click.BadParameter(CLI["bad_phone"], param_hint="--phone")
    problems = password_problems(password, phone)
    if problems:
        raise click.BadParameter("；".join(problems), param_hint="--password")
    unit = db.session.get(OrgUnit, org_unit_id) if 1 <= org_unit_id <= DB_INT_MAX else None  # ids are 32-bit
    if unit is None or unit.kind != ROLE_UNIT_KIND[role]:
        raise click.BadParameter(CLI["bad_unit"].format(role=ROLE_NAMES[role], kind=KIND_NAMES[ROLE_UNIT_KIND[role]]),
                                 param_hint="--org-unit")
    if db.session.scalars(select(User).where(User.phone == phone)).first():
        raise click.BadParameter(CLI["phone_taken"], param_hint="--phone")
    if informant_id is not None:  # the chain: a member's informant works in the member's grid
        informant = db.session.get(User, informant_id) if 1 <= informant_id <= DB_INT_MAX else None
        if not chain.may_inform(role=role, unit_id=unit.id, informant=informant):
            raise click.BadParameter(CLI["bad_informant"], param_hint="--informant")
    user = User(name=name, phone=phone, role=role, org_unit_id=unit.id, informant_id=informant_id)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(CLI["user_created"].format(name=name, phone=phone, id=user.id))


@click.command("import-households")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_households_cmd(path):
    """Import households (and residents) from .xlsx or .csv, as the app's 导入 does, on behalf of
    the first active admin; nothing is imported if any cell is wrong."""
    from app.households.imports import ImportInvalid, import_file

    admin = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active).order_by(User.id)).first()
    try:
        with open(path, "rb") as stream:
            result = import_file(actor=admin, filename=path, stream=stream)
    except ImportInvalid as exc:
        db.session.rollback()
        errors = exc.extra["errors"]
        click.echo(CLI["import_failed"].format(count=len(errors)), err=True)
        for e in errors:
            message = f"{e['column']}：{e['message']}" if e["column"] else e["message"]
            click.echo(CLI["import_row"].format(row=e["row"], message=message), err=True)
        sys.exit(1)
    except ApiError as exc:
        click.echo(exc.message, err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(CLI["import_ok"].format(count=result["created"] + result["updated"]))


@click.command("escalate-overdue")
def escalate_overdue_cmd():
    """Move overdue cases one level up and notify (run from cron or a worker in production)."""
    from app.cases.overdue import escalate_overdue

    count = escalate_overdue()
    db.session.commit()
    click.echo(CLI["overdue"].format(count=count))


@click.command("remind-unvisited")
def remind_unvisited_cmd():
    """Remind members whose households have gone unvisited (once per period, in working hours only)."""
    from app.tasks.reminders import in_working_hours, remind_unvisited, working_hours

    if not in_working_hours():
        start, end = working_hours()
        click.echo(CLI["not_working_hours"].format(start=start, end=end))
        return
    count = remind_unvisited()
    db.session.commit()
    click.echo(CLI["reminded"].format(count=count))


@click.command("notify-worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def notify_worker_cmd(once):
    """Deliver the notification outbox (run any number of these on PostgreSQL)."""
    from flask import current_app

    from app.notify.dispatcher import deliver_due
    from app.notify.worker import run

    if once:
        total = {}
        while counts := deliver_due():
            for key, value in counts.items():
                total[key] = total.get(key, 0) + value
        click.echo(json.dumps(total))
        return
    run(current_app._get_current_object())
