"""Chaos sync at scale: 50 phones x 200 mutations (10,000) through a proxy that drops 20 % of
the answers, duplicates 10 % of the requests and reorders them, while `gunicorn wsgi:app` is
SIGKILLed and restarted 20 times; on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set
(a scratch database created on that server and dropped afterwards).

Prints figures (mutations, resends, duplicates seen, time, final counts) and never judges a
time. Exits 1 if any record was lost, doubled, stored otherwise than sent, or a phone could
not finish; the harness is tests/chaos/ (the suite runs the same thing small).

    .venv/bin/python bench/chaos_bench.py [--phones 50] [--mutations 200] [--kills 20]
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.chaos.scenario import describe, run_chaos  # noqa: E402
from tests.chaos.server import pg_server_reachable  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--mutations", type=int, default=200, help="per phone")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--edits", type=int, default=3, help="household edits per member's first phone")
    parser.add_argument("--time-limit", type=float, default=1200.0, help="seconds per database")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append",
                        help="default: SQLite, and PostgreSQL when TEST_DATABASE_URL is set")
    args = parser.parse_args()

    kinds = args.database or ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
    failed = False
    for kind in kinds:
        if kind == "postgresql" and not pg_server_reachable():
            print(f"postgresql: TEST_DATABASE_URL ({os.environ.get('TEST_DATABASE_URL')}) does not answer; skipped")
            continue
        report = run_chaos(kind, phones=args.phones, mutations=args.mutations, kills=args.kills,
                           edits=args.edits, workers=args.workers, time_limit=args.time_limit, seed=args.seed,
                           log=print)
        print(describe(report), flush=True)
        failed |= bool(report["problems"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
