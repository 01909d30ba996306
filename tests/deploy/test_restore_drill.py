"""The backup and restore drill (scripts/pg_backup.sh, scripts/restore_drill.sh) against a
scratch database: migrated, seeded and written to through the real app, backed up with
pg_dump -Fc, restored into another scratch database, migrated there and counted."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.chaos.server import ROOT, app_env, libpq_url, migrate_and_seed, pg_execute, scratch_pg_database

SCRIPTS = ROOT / "scripts"
FLASK = str(Path(sys.executable).parent / "flask")


@pytest.fixture(scope="module")
def source(postgres):
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs the PostgreSQL client tools ({', '.join(missing)}): apt-get install -y postgresql-client")
    with scratch_pg_database("drill_source") as url:
        env = app_env(url)
        migrate_and_seed(env)
        yield url


def run(script, *args, timeout=300):
    env = {**os.environ, "FLASK": FLASK}
    return subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_a_backup_restores_migrates_and_counts_the_same(source, tmp_path):
    scratch = f"drill_copy_{os.getpid()}"
    try:
        res = run("restore_drill.sh", "--scratch", scratch, "--keep", source)
        assert res.returncode == 0, res.stdout + res.stderr
        assert "restore_drill: PASSED" in res.stdout
        for table in ("users", "households", "visits", "cases", "sync_changes"):
            assert any(line.split()[:1] == [table] and line.endswith(" ok") for line in res.stdout.splitlines()), \
                f"{table} not counted:\n{res.stdout}"
        # The copy is really there, with the demo district in it.
        psql = subprocess.run(["psql", "-X", "-At", libpq_url(source).rsplit("/", 1)[0] + f"/{scratch}",
                               "-c", "SELECT count(*) FROM households"],
                              capture_output=True, text=True, timeout=60, check=False)
        assert psql.stdout.strip() == "125", psql.stdout + psql.stderr
    finally:
        pg_execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_backups_rotate_and_a_copy_that_differs_fails_the_drill(source, tmp_path):
    made = []
    for _ in range(3):
        res = run("pg_backup.sh", "--dir", str(tmp_path), "--keep", "2", source)
        assert res.returncode == 0, res.stdout + res.stderr
        made.append(Path(res.stdout.strip().splitlines()[-1]))
    kept = sorted(tmp_path.glob("baolian-*.dump"))
    assert len(kept) == 2 and made[-1] in kept, kept
    assert all(Path(f"{dump}.counts").exists() for dump in kept)

    counts = Path(f"{made[-1]}.counts")  # pretend the backup held one household more
    counts.write_text("".join(f"{t} {int(n) + 1}\n" if t == "households" else f"{t} {n}\n"
                              for t, n in (line.split() for line in counts.read_text().splitlines())))
    res = run("restore_drill.sh", "--dump", str(made[-1]), source)
    assert res.returncode != 0, res.stdout
    assert "households" in res.stdout and "MISMATCH" in res.stdout, res.stdout
    assert "restore_drill: FAILED" in res.stderr
