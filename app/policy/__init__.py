"""The one home of the organisation's rules.

- names: roles, org-unit kinds, case levels and statuses, and how they map onto each other;
- chain: who stands above whom, who holds a case at a level, vacancies;
- case_steps: the chain's steps as a table (action × level × status → roles);
- capabilities: what each role may do, also handed to the phone app by `GET /api/me`;
- admin: who administers whom (people by role and place, org units by kind);
- scope: what each actor may see, as SQL filters for every kind of record and sync-log row.

Services, the sync feed, reports and exports ask these modules; nothing else names a role
or a level.
"""
