"""Where every scale row's id comes from: blocks of ids taken after the highest in use, so a
row's id (and its parent's, for paths and foreign keys) is arithmetic, never a lookup."""
from dataclasses import dataclass

from app.org.demo import DEPARTMENTS
from app.scale.shape import OFFICERS_PER_TOWNSHIP, STAFF_PER_DEPARTMENT, Shape

# Scale rows are told from everything else by these: the name of each of their root units
# (one per county) starts with SCALE_PREFIX, and their logins start with SCALE_PHONE_PREFIX
# ("100" is no mobile network's prefix, so no real person's phone).
SCALE_PREFIX = "规模"
SCALE_PHONE_PREFIX = "100"


@dataclass
class Plan:
    shape: Shape
    first_unit: int  # the first free org unit id
    first_user: int
    first_household: int
    first_notification: int
    county_offset: int = 0  # counties already there (an --append run numbers on)
    phone_offset: int = 0  # scale logins already there
    run: int = 0  # the random part of this run's record UUIDs (ids.py)

    def __post_init__(self):
        s, n_dept = self.shape, len(DEPARTMENTS)
        self.county_base = self.first_unit
        self.department_base = self.county_base + s.counties
        self.township_base = self.department_base + s.counties * n_dept
        self.village_base = self.township_base + s.townships
        self.grid_base = self.village_base + s.villages
        self.unit_end = self.grid_base + s.grids
        self.admin_base = self.first_user
        self.staff_base = self.admin_base + s.counties
        self.officer_base = self.staff_base + s.counties * n_dept * STAFF_PER_DEPARTMENT
        self.secretary_base = self.officer_base + s.townships * OFFICERS_PER_TOWNSHIP
        self.grid_leader_base = self.secretary_base + s.villages
        self.informant_base = self.grid_leader_base + s.grids
        self.member_base = self.informant_base + s.informants
        self.user_end = self.member_base + s.members

    # units
    def county(self, c):
        return self.county_base + c

    def department(self, c, d):
        return self.department_base + c * len(DEPARTMENTS) + d

    def township(self, t):
        return self.township_base + t

    def village(self, v):
        return self.village_base + v

    def grid(self, g):
        return self.grid_base + g

    # people
    def admin(self, c):
        return self.admin_base + c

    def staff(self, c, d, k):
        return self.staff_base + (c * len(DEPARTMENTS) + d) * STAFF_PER_DEPARTMENT + k

    def officer(self, t, k):
        return self.officer_base + t * OFFICERS_PER_TOWNSHIP + k

    def secretary(self, v):
        return self.secretary_base + v

    def grid_leader(self, g):
        return self.grid_leader_base + g

    def informant(self, i):
        return self.informant_base + i

    def member(self, m):
        return self.member_base + m

    def phone(self, user_id):
        return f"{SCALE_PHONE_PREFIX}{user_id - self.first_user + self.phone_offset:08d}"

    # records
    def household(self, h):
        return self.first_household + h
