#!/usr/bin/env bash
# Restore drill: prove a backup can be brought back. Takes a fresh backup of DATABASE_URL
# with scripts/pg_backup.sh (or uses --dump FILE, with its FILE.counts), restores it with
# pg_restore into a new scratch database on the same server, runs `flask --app wsgi db upgrade`
# against the copy (the release you would restore into), and checks that every table counted
# at backup time holds the same number of rows in the copy. The scratch database is dropped
# afterwards unless --keep. Exit status 0 only if all of that held.
#
#   scripts/restore_drill.sh [--dump FILE] [--scratch NAME] [--keep] DATABASE_URL
#
# DATABASE_URL names the production (source) database; the scratch database is made on the
# same server, so the user needs CREATEDB. FLASK (default .venv/bin/flask, else flask on PATH)
# runs the migrations from the repository root; SECRET_KEY is not needed for them.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dump=""
scratch="baolian_restore_drill_$(date -u +%Y%m%d%H%M%S)_$$"
keep=0
url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dump) dump="$2"; shift 2 ;;
    --scratch) scratch="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "restore_drill: unknown option $1" >&2; exit 2 ;;
    *) url="$1"; shift ;;
  esac
done
url="${url:-${DATABASE_URL:-}}"
[ -n "$url" ] || { echo "restore_drill: give DATABASE_URL (argument or environment)" >&2; exit 2; }
url="${url/postgresql+psycopg:\/\//postgresql://}"
case "$scratch" in *[!a-z0-9_]*) echo "restore_drill: --scratch takes [a-z0-9_] only" >&2; exit 2 ;; esac
if [ -z "${FLASK:-}" ]; then
  if [ -x "$root/.venv/bin/flask" ]; then FLASK="$root/.venv/bin/flask"; else FLASK=flask; fi
fi

base="${url%%\?*}"
query="${url#"$base"}"
scratch_url="${base%/*}/$scratch$query"
workdir="$(mktemp -d)"
created=0
finish() {
  status=$?
  if [ "$created" = 1 ] && [ "$keep" = 0 ]; then
    psql -X -q -v ON_ERROR_STOP=1 "$url" -c "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null \
      || echo "restore_drill: could not drop $scratch" >&2
  fi
  rm -rf "$workdir"
  if [ "$status" = 0 ]; then echo "restore_drill: PASSED"; else echo "restore_drill: FAILED" >&2; fi
  exit "$status"
}
trap finish EXIT

step() { echo "== $*"; }

if [ -z "$dump" ]; then
  step "backup of ${base##*/}"
  dump="$("$root/scripts/pg_backup.sh" --dir "$workdir" --keep 1 "$url" | tail -n 1)"
fi
[ -s "$dump" ] || { echo "restore_drill: no dump at $dump" >&2; exit 1; }
[ -s "$dump.counts" ] || { echo "restore_drill: $dump.counts is missing (made by scripts/pg_backup.sh)" >&2; exit 1; }

step "restore $(basename "$dump") into $scratch"
psql -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE \"$scratch\"" >/dev/null
created=1
t0=$SECONDS
pg_restore --no-owner --no-privileges --exit-on-error --jobs=2 --dbname="$scratch_url" "$dump"
echo "restored in $((SECONDS - t0)) s"

step "flask --app wsgi db upgrade on the copy"
(cd "$root" && env DATABASE_URL="$scratch_url" SECRET_KEY="${SECRET_KEY:-restore-drill}" \
  NOTIFY_DELIVERY=off $FLASK --app wsgi db upgrade)
echo "schema at $(psql -X -At "$scratch_url" -c 'SELECT version_num FROM alembic_version')"

step "row counts: backup vs restored copy"
psql -X -At -F ' ' -v ON_ERROR_STOP=1 "$scratch_url" > "$workdir/restored.counts" <<'SQL'
SELECT table_name, (xpath('/row/c/text()', query_to_xml(
         format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
 ORDER BY table_name;
SQL
bad=0
while read -r table count; do
  [ -n "$table" ] || continue
  now="$(awk -v t="$table" '$1 == t {print $2}' "$workdir/restored.counts")"
  if [ "$table" = alembic_version ]; then
    printf '%-28s %10s -> %s (migrated)\n' "$table" "$count" "${now:-missing}"
    [ "${now:-0}" = 1 ] || bad=1
  elif [ "$now" = "$count" ]; then
    printf '%-28s %10s ok\n' "$table" "$count"
  else
    printf '%-28s %10s MISMATCH: restored %s\n' "$table" "$count" "${now:-no table}"
    bad=1
  fi
done < "$dump.counts"
[ "$bad" = 0 ] || { echo "restore_drill: the restored copy does not match the backup" >&2; exit 1; }
[ "$keep" = 1 ] && echo "kept: $scratch_url"
exit 0
