"""Bulk rows into a table inside the current transaction: COPY on PostgreSQL (psycopg's
cursor.copy), multi-row INSERTs elsewhere (SQLite). Rows are plain tuples in the order of the
columns named; JSON columns take Python lists and dicts on both."""
import json

from sqlalchemy import JSON

SQLITE_CHUNK = 2000


class Writer:
    def __init__(self, conn):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.counts = {}

    def rows(self, table, columns, rows):
        """Write every row; answers how many."""
        n = self._copy(table, columns, rows) if self.postgres else self._insert(table, columns, rows)
        self.counts[table.name] = self.counts.get(table.name, 0) + n
        return n

    def _copy(self, table, columns, rows):
        as_json = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
        raw = self.conn.connection.dbapi_connection
        n = 0
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                if as_json:
                    row = list(row)
                    for i in as_json:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                n += 1
        return n

    def _insert(self, table, columns, rows):
        n, batch = 0, []
        for row in rows:
            batch.append(dict(zip(columns, row)))
            if len(batch) == SQLITE_CHUNK:
                self.conn.execute(table.insert(), batch)
                n, batch = n + len(batch), []
        if batch:
            self.conn.execute(table.insert(), batch)
            n += len(batch)
        return n
