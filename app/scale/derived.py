"""What the app keeps beside the rows it writes, brought up to date after a bulk load.

- Id sequences (PostgreSQL): the plan handed out ids itself, so each table's sequence moves
  past them, or the app's next insert would collide.
- The sync change log: written row by row with the data (changes.py), as the app's own log
  would have it; nothing to rebuild.
- Users' scope_version and session_epoch start at 0, as for anyone new; households and cases
  at version 1.
- The reports' summary tables (app/reports/summaries.py), which the app keeps current on every
  flush: rows written around the ORM are recounted by their own rebuild_summaries().
- Planner statistics: ANALYZE, so the first query after seeding is planned for the new size.

Any other summary table or counter column added to the models must be rebuilt here too.
"""
from sqlalchemy import text

from app.reports.summaries import rebuild_summaries


def refresh(conn, plan, *, tables, id_tables, analyze=True):
    rebuild_summaries(conn)
    if conn.dialect.name == "postgresql":
        for model in id_tables:
            name = model.__table__.name
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                              f"(SELECT coalesce(max(id), 0) + 1 FROM \"{name}\"), false)"))
    if analyze:
        for table in dict.fromkeys(tables):
            conn.execute(text(f'ANALYZE "{table.name}"'))
