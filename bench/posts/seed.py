#!/usr/bin/env python3
"""Seeds a Basalt data directory with the bench "posts" workload (bench/posts.sh).

    seed.py BASALT DATA_DIR OUT_DIR     (DATA_DIR must not exist yet)

1. The collections of bench/posts/collections.json go in through Basalt itself
   (`basalt collections import`), so tables, indexes and `_collections` rows are Basalt's own.
2. One superuser is created with `basalt superuser upsert`, only to get a valid argon2id hash
   of PASSWORD; every user gets a copy of that hash (hashing 1,000 times would take a minute).
3. Rows go straight into DATA_DIR/data.db in one transaction, in Basalt's stored forms (docs/
   storage.md): 1,000 users, 100,000 posts, and private_posts as a copy of posts.

Writes to OUT_DIR: post_ids.txt (every post id), owner_ids.txt (the private_posts of the first
user), user.env (EMAIL and PASSWORD of that user, shell syntax). Deterministic: a fixed seed and
a fixed clock, so every run builds the same database.
"""
import os
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

USERS = 1_000
POSTS = 100_000
BODY_BYTES = 500
MAX_VIEWS = 10_000        # views are whole numbers in [0, MAX_VIEWS)
PUBLISHED_SHARE = 0.5     # so `views > 8000 && published = true` matches ~10% of posts
SEED = 20250101
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)  # "now" of the seeded data
SPAN_SECONDS = 365 * 24 * 3600                     # posts were created over the year before
PASSWORD = "bench password 123"
SUPERUSER = "bench-superuser@example.com"
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud "
         "exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure "
         "in reprehenderit voluptate velit esse cillum fugiat nulla pariatur").split()

HERE = os.path.dirname(os.path.abspath(__file__))


def random_text(rng, alphabet, length):
    return "".join(rng.choices(alphabet, k=length))


def stored_datetime(moment):
    """Basalt's (and PocketBase's) stored datetime text: "YYYY-MM-DD HH:MM:SS.mmmZ"."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def run(*args):
    """Runs a basalt command quietly; on failure prints what it said and stops."""
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit(f"seed: {' '.join(args)} failed:\n{done.stdout}")


def insert(db, table, rows):
    rows = list(rows)
    columns = list(rows[0].keys())
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    db.executemany(sql, (tuple(row[c] for c in columns) for row in rows))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    basalt, data_dir, out_dir = sys.argv[1:]
    if os.path.exists(data_dir):
        sys.exit(f"seed: {data_dir} exists; seeding needs a new data directory")
    run(basalt, "collections", "import", os.path.join(HERE, "collections.json"), "--dir", data_dir)
    run(basalt, "superuser", "upsert", SUPERUSER, PASSWORD, "--dir", data_dir)

    rng = random.Random(SEED)
    db = sqlite3.connect(os.path.join(data_dir, "data.db"), isolation_level=None)
    (password_hash,) = db.execute(
        "SELECT password FROM _superusers WHERE email = ?", (SUPERUSER,)).fetchone()

    users = []
    for i in range(USERS):
        created = stored_datetime(EPOCH - timedelta(seconds=SPAN_SECONDS + i))
        users.append({
            "id": random_text(rng, ID_ALPHABET, 15), "email": f"user{i:04d}@example.com",
            "emailVisibility": 0, "verified": 1, "password": password_hash,
            "tokenKey": random_text(rng, KEY_ALPHABET, 50), "name": f"User {i}", "avatar": "",
            "created": created, "updated": created,
        })
    posts = []
    for i in range(POSTS):
        created = stored_datetime(
            EPOCH - timedelta(milliseconds=rng.randrange(SPAN_SECONDS * 1000)))
        posts.append({
            "id": random_text(rng, ID_ALPHABET, 15),
            "title": f"Post {i}: " + " ".join(rng.choices(WORDS, k=6)),
            "body": " ".join(rng.choices(WORDS, k=BODY_BYTES // 4))[:BODY_BYTES],
            "views": float(rng.randrange(MAX_VIEWS)),
            "published": 1 if rng.random() < PUBLISHED_SHARE else 0,
            "author": users[rng.randrange(USERS)]["id"],
            "created": created, "updated": created,
        })

    db.execute("BEGIN")
    insert(db, "users", users)
    insert(db, "posts", posts)
    db.execute("INSERT INTO private_posts SELECT * FROM posts")
    db.execute("COMMIT")
    db.close()

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "post_ids.txt"), "w") as out:
        out.writelines(post["id"] + "\n" for post in posts)
    owner = users[0]
    with open(os.path.join(out_dir, "owner_ids.txt"), "w") as out:
        out.writelines(post["id"] + "\n" for post in posts if post["author"] == owner["id"])
    with open(os.path.join(out_dir, "user.env"), "w") as out:
        out.write(f"EMAIL='{owner['email']}'\nPASSWORD='{PASSWORD}'\nUSER_ID='{owner['id']}'\n")


if __name__ == "__main__":
    main()
