#!/usr/bin/env python3
"""Copies the seeded "posts" workload from a SQLite data.db into a PostgreSQL database that
`basalt collections import` and `basalt superuser upsert` already prepared (bench/postgres.sh).

    copy_rows.py DATA_DB POSTGRES_URL

The rows of users, posts and private_posts go in with COPY (psql's \\copy, CSV with every field
quoted, so an empty text stays '' and never becomes NULL), then ANALYZE gives the planner the
statistics a server that ran a while has. Values keep Basalt's stored forms: booleans as 0/1
(PostgreSQL's boolean input takes them), numbers as SQLite holds them.
"""
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile

TABLES = ("users", "posts", "private_posts")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data_db, url = sys.argv[1:]
    db = sqlite3.connect(data_db)
    with tempfile.TemporaryDirectory() as scratch:
        script = []
        for table in TABLES:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            path = os.path.join(scratch, table + ".csv")
            with open(path, "w", newline="") as out:
                writer = csv.writer(out, quoting=csv.QUOTE_ALL)
                for row in cursor:
                    writer.writerow(["" if v is None else v for v in row])
            column_list = ", ".join(f'"{c}"' for c in columns)
            script.append(f'\\copy "{table}" ({column_list}) FROM \'{path}\' WITH (FORMAT csv)')
        script.append("ANALYZE")
        done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
                              input="\n".join(script) + "\n", text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if done.returncode != 0:
            sys.exit(f"copy_rows: psql failed:\n{done.stdout}")


if __name__ == "__main__":
    main()
