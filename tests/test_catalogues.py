"""The two catalogues agree: every group of names the server keeps in app/messages.py (statuses,
levels, roles, actions, events, task steps, categories, ...) reads exactly the same in the phone
app's one catalogue, pwa/js/i18n/zh-CN.js, key for key and word for word.

The phone catalogue is a classic script that sets `self.BAOLIAN_I18N`; Node evaluates it in a
sandbox and prints it as JSON, so nothing here parses JavaScript by pattern.
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app import messages

CATALOGUE = Path(__file__).resolve().parents[1] / "pwa" / "js" / "i18n" / "zh-CN.js"
PRINT = ("const vm = require('vm'), fs = require('fs'); const self = {};"
         "vm.runInNewContext(fs.readFileSync(process.argv[1], 'utf8'), { self });"
         "process.stdout.write(JSON.stringify(self.BAOLIAN_I18N));")

# phone group -> the server's table of the same names. ORG_KINDS is absent: the app shows no
# kinds of org unit.
GROUPS = {
    "case_status": "STATUS_NAMES",
    "level": "LEVEL_NAMES",
    "role": "ROLE_NAMES",
    "action": "ACTION_NAMES",
    "event": "EVENT_NAMES",
    "task_status": "TASK_STATUS_NAMES",
    "task_action": "TASK_ACTION_NAMES",
    "urgency": "URGENCY_NAMES",
    "category": "CATEGORIES",
    "mode": "VISIT_MODES",
    "hardship": "HARDSHIP",
    "satisfaction": "SATISFACTION_NAMES",
    "care": "CARE",
    "relation": "RELATIONS",
    "gender": "GENDERS",
    "archive_reason": "ARCHIVE_REASONS",
}


@pytest.fixture(scope="module")
def phone():
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is needed to read the phone catalogue: apt-get install -y nodejs")
    out = subprocess.run([node, "-e", PRINT, str(CATALOGUE)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def group(catalogue, name):
    prefix = name + "."
    return {key[len(prefix):]: text for key, text in catalogue.items() if key.startswith(prefix)}


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_group_agrees_with_the_server(phone, name):
    assert group(phone, name) == getattr(messages, GROUPS[name])


def test_household_tags_agree(phone):
    assert phone["household.tag_options"].split("|") == list(messages.HOUSEHOLD_TAGS)


def test_every_group_is_compared(phone):
    """A new group of code labels in the phone catalogue must be added to GROUPS (or here)."""
    screens = {"app", "list", "person", "status", "update", "tab", "login", "households", "push", "household",
               "visit", "edit", "conflict", "case", "tasks", "inbox", "queue", "reports", "me", "outbox", "error",
               "password", "people", "handover", "register", "resident", "import", "sms"}
    assert {key.split(".")[0] for key in phone} - screens == set(GROUPS)
