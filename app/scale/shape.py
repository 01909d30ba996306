"""The shape of a province-sized dataset: how many of each unit and person for N households,
and where the i-th of each sits, by arithmetic alone (no lookups while rows stream out).

The article's village is 2 grids x 2 informants x 3 members x 10 households; a province's
villages are larger (domain.md: 100-1,000 households), so a scale grid has 3 informants of 3
members (90 households), a village 5 grids (450), a township 20 villages (9,000) and a county
10 townships. 10^6 households: 100,000 members, 11,112 grids, 2,223 villages, 112 townships,
12 counties.
"""
from dataclasses import dataclass
from math import ceil

HOUSEHOLDS_PER_MEMBER = 10
MEMBERS_PER_INFORMANT = 3
INFORMANTS_PER_GRID = 3
GRIDS_PER_VILLAGE = 5
VILLAGES_PER_TOWNSHIP = 20
TOWNSHIPS_PER_COUNTY = 10
OFFICERS_PER_TOWNSHIP = 2
STAFF_PER_DEPARTMENT = 2
MEMBERS_PER_GRID = MEMBERS_PER_INFORMANT * INFORMANTS_PER_GRID


@dataclass(frozen=True)
class Shape:
    households: int

    @property
    def members(self):
        return ceil(self.households / HOUSEHOLDS_PER_MEMBER)

    @property
    def informants(self):
        return ceil(self.members / MEMBERS_PER_INFORMANT)

    @property
    def grids(self):
        return ceil(self.informants / INFORMANTS_PER_GRID)

    @property
    def villages(self):
        return ceil(self.grids / GRIDS_PER_VILLAGE)

    @property
    def townships(self):
        return ceil(self.villages / VILLAGES_PER_TOWNSHIP)

    @property
    def counties(self):
        return ceil(self.townships / TOWNSHIPS_PER_COUNTY)


def member_of(h):
    return h // HOUSEHOLDS_PER_MEMBER


def informant_of(m):
    return m // MEMBERS_PER_INFORMANT


def grid_of_member(m):
    return m // MEMBERS_PER_GRID


def village_of(g):
    return g // GRIDS_PER_VILLAGE


def township_of(v):
    return v // VILLAGES_PER_TOWNSHIP


def county_of(t):
    return t // TOWNSHIPS_PER_COUNTY
