#!/usr/bin/env bash
# Back up Baolian's PostgreSQL database: one pg_dump in custom format (-Fc, compressed,
# restorable table by table with pg_restore), plus the row count of every table taken in the
# same snapshot (<dump>.counts), which scripts/restore_drill.sh checks a restore against.
# Keeps the newest KEEP dumps in the directory and deletes older ones.
#
#   scripts/pg_backup.sh [--dir DIR] [--keep N] DATABASE_URL
#
# DATABASE_URL: postgresql://user@host:port/db (postgresql+psycopg:// is accepted too).
# Defaults: --dir /var/backups/baolian (BACKUP_DIR), --keep 14 (BACKUP_KEEP).
# Prints the path of the new dump on its last line. Credentials: ~/.pgpass or PGPASSWORD.
set -euo pipefail

dir="${BACKUP_DIR:-/var/backups/baolian}"
keep="${BACKUP_KEEP:-14}"
url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "pg_backup: unknown option $1" >&2; exit 2 ;;
    *) url="$1"; shift ;;
  esac
done
url="${url:-${DATABASE_URL:-}}"
[ -n "$url" ] || { echo "pg_backup: give DATABASE_URL (argument or environment)" >&2; exit 2; }
url="${url/postgresql+psycopg:\/\//postgresql://}"
case "$keep" in ''|*[!0-9]*|0) echo "pg_backup: --keep must be a positive number" >&2; exit 2 ;; esac

mkdir -p "$dir"
umask 077  # the dump holds personal data: readable by the backup user only
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dump="$dir/baolian-$stamp.dump"
[ ! -e "$dump" ] || dump="$dir/baolian-$stamp-$$.dump"  # two backups in one second
partial="$dump.partial"

# One read-only transaction exports its snapshot: pg_dump reads exactly that snapshot, and the
# row counts are taken in it too, so they describe the dump even while the app keeps writing.
coproc SNAP { psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 "$url" 2>&1; }
snap_in="${SNAP[1]}"
snap_out="${SNAP[0]}"
cleanup() {
  exec {snap_in}>&- 2>/dev/null || true
  rm -f "$partial" "$partial.counts"
}
trap cleanup EXIT

echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"$snap_in"
read -r -t 60 snapshot <&"$snap_out" || { echo "pg_backup: could not open a snapshot on $url" >&2; exit 1; }
case "$snapshot" in *-*) ;; *) echo "pg_backup: psql said: $snapshot" >&2; exit 1 ;; esac

pg_dump --format=custom --compress=6 --no-owner --snapshot="$snapshot" --file="$partial" "$url"

# Row counts of every table in the app's schema, in the dump's snapshot.
cat >&"$snap_in" <<'SQL'
SELECT table_name, (xpath('/row/c/text()', query_to_xml(
         format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
 ORDER BY table_name;
SELECT '__end__';
SQL
: > "$partial.counts"
while read -r -t 600 line <&"$snap_out"; do
  [ "$line" = "__end__" ] && break
  echo "$line" >> "$partial.counts"
done
[ "$line" = "__end__" ] || { echo "pg_backup: counting rows failed: $line" >&2; exit 1; }
echo "COMMIT;" >&"$snap_in"

pg_restore --list "$partial" > /dev/null  # the archive reads back
mv "$partial.counts" "$dump.counts"
mv "$partial" "$dump"

# Rotation: the newest $keep dumps stay.
ls -1t "$dir"/baolian-*.dump 2>/dev/null | tail -n +"$((keep + 1))" | while read -r old; do
  rm -f "$old" "$old.counts"
done
echo "pg_backup: $(wc -l < "$dump.counts") tables, $(du -h "$dump" | cut -f1) written"
echo "$dump"
