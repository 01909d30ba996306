"""The residents (家庭成员) table of an import: rows match a resident by household (村 + 户编号)
and name. An ID number as the exports write it (masked) means "keep the one stored"; a full one
is checked, compared with the stored one (decrypted) and stored encrypted if it differs."""
from collections import defaultdict

from app.extensions import db
from app.households import id_numbers
from app.households.models import Resident
from app.households.residents import HEAD, residents_of, set_id_number
from app.households.sheets import MaskedId, ResidentRow, same
from app.messages import IMPORT, REGISTER

FIELDS = ("relation", "gender", "birth_year", "phone", "care")
KEEP, SET, CLEAR = "keep", "set", "clear"


class ResidentRows:
    def __init__(self, plan):
        self.plan, self.schema = plan, ResidentRow()
        self.entries, self.stored = [], {}

    def check(self, table, rows):
        plan = self.plan
        planned = {(e.home.id, e.no) for e in plan.households if e.no}
        keys = {(r.home.id, r.data.get("household_no")) for r in rows if r.home is not None}
        homes = {key: plan.existing[key] for key in keys if key in plan.existing}
        self.stored = residents_of([h.id for h in homes.values() if h.archived_at is None])
        by_name = {(hid, r.name): r for hid, rs in self.stored.items() for r in rs}
        seen = {}
        for r in rows:
            number, data, bad = r.number, r.data, r.bad
            if r.home is None or bad & {"household_no", "name"}:
                continue
            key, name = (r.home.id, data["household_no"]), data["name"]
            household = homes.get(key)
            if household is None and key not in planned:
                plan.error(table, number, "household_no", IMPORT["unknown_household"].format(no=key[1]))
                continue
            if household is not None and household.archived_at is not None:
                plan.error(table, number, "household_no", IMPORT["archived"].format(no=key[1]))
                continue
            if (key, name) in seen:
                plan.error(table, number, "name", IMPORT["resident_twice"].format(row=seen[key, name]))
                continue
            seen[key, name] = number
            current = by_name.get((household.id, name)) if household is not None else None
            id_state = False if "id_number" in bad else self._id_number(table, number, data, current)
            if bad or id_state is False:
                continue
            self.entries.append({"row": number, "key": key, "household": household, "name": name,
                                 "current": current, "id": id_state, "target": self._target(data, current, id_state)})
        self._one_head(table, homes)
        for entry in self.entries:
            self._compare(table, entry)

    def _id_number(self, table, number, data, current):
        """(what to do with the stored ID number, the new one), or False after reporting a problem."""
        value, stored = data.get("id_number"), current is not None and current.id_number_token
        if value is None:
            return (CLEAR, None) if stored else (KEEP, None)
        if isinstance(value, MaskedId):
            if stored and current.id_number_masked == value:
                return (KEEP, None)
            self.plan.error(table, number, "id_number", IMPORT["masked_mismatch"])
            return False
        problems = id_numbers.consistency(value, year=data.get("birth_year"), sex=data.get("gender") or None)
        for field, problem in problems.items():
            self.plan.error(table, number, field, problem)
        if problems:
            return False
        if stored and id_numbers.decrypt(current.id_number_token) == value:
            return (KEEP, None)
        return (SET, value)

    @staticmethod
    def _target(data, current, id_state):
        """The resident's fields after the import; birth year and gender not given come from the ID number."""
        target = {k: data.get(k) for k in FIELDS}
        action, value = id_state
        if action == SET:
            target["birth_year"] = target["birth_year"] or id_numbers.birth_year(value)
            target["gender"] = target["gender"] or id_numbers.gender(value)
        elif action == KEEP and current is not None and current.id_number_token:
            target["birth_year"] = target["birth_year"] or current.birth_year
            target["gender"] = target["gender"] or current.gender
        target["gender"] = target["gender"] or ""
        target["phone"] = target["phone"] or ""
        target["care"] = target["care"] or []
        return target

    def _one_head(self, table, homes):
        """One 户主 per household, counting the residents the file leaves as they are."""
        relations = defaultdict(dict)
        for key, household in homes.items():
            for r in self.stored.get(household.id, []):
                relations[key][r.name] = r.relation
        for e in self.entries:
            relations[e["key"]][e["name"]] = e["target"]["relation"]
        crowded = {key for key, names in relations.items() if list(names.values()).count(HEAD) > 1}
        for e in [e for e in self.entries if e["key"] in crowded and e["target"]["relation"] == HEAD]:
            self.plan.error(table, e["row"], "relation", REGISTER["one_head"])
            self.entries.remove(e)

    def _compare(self, table, entry):
        current, target = entry["current"], entry["target"]
        if current is None:
            entry["changed"] = list(FIELDS)
            return self.plan.record(table, entry["row"], "created", entry["key"][1], entry["name"], [])
        changed = [k for k in FIELDS if not same(getattr(current, k), target[k])]
        if entry["id"][0] != KEEP:
            changed.append("id_number")
        entry["changed"] = changed
        self.plan.record(table, entry["row"], "updated" if changed else "unchanged", entry["key"][1], entry["name"],
                         changed)

    def apply(self, made):
        """Write the residents; answers {household: its residents now}, for the tags that follow them."""
        touched = {}
        for entry in self.entries:
            if not entry["changed"]:
                continue
            household = entry["household"] or made[entry["key"]]
            if household not in touched:
                touched[household] = list(self.stored.get(household.id, [])) if household.id else []
            resident = entry["current"]
            if resident is None:
                resident = Resident(household=household, name=entry["name"])
                db.session.add(resident)
                touched[household].append(resident)
            for k, v in entry["target"].items():
                setattr(resident, k, v)
            action, value = entry["id"]
            if action != KEEP:
                set_id_number(resident, value)
        return touched
