#!/usr/bin/env python3
"""Instructions per written record, counted by callgrind: repeatable on a busy machine.

    write_profile.py BASALT [--batches N] [--batch-size K] [--creates M] [--keep DIR]

Seeds the posts workload (bench/posts/seed.py) once, then runs Basalt under
`valgrind --tool=callgrind` (instrumentation off at start, so start-up is not counted) twice on
copies of that data:

  batch   N POSTs of /api/batch with K creates of the bench post each (posts_batch.lua's body)
  create  M single POSTs of the same post to /api/collections/posts/records, one at a time

Instrumentation is switched on (callgrind_control -i on) just before the requests and the
counters dumped right after them, so each figure is the server's instructions, on all its threads, for that work
alone; divided by the records written. A warm-up request before counting fills the caches
(plans, prepared statements) as a running server has them. With --keep DIR the callgrind
output files are kept there for callgrind_annotate.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BODY_TEXT = ("lorem ipsum dolor sit amet " * 19)[:500]
STARTUP_SECONDS = 120  # valgrind start-up is slow


def post_body(author):
    return {"title": "A new post", "body": BODY_TEXT, "views": 0, "published": False,
            "author": author}


def wait_for_address(process):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Server started at "):
            return line.removeprefix("Server started at ").strip()
    sys.exit("write_profile: the server did not announce its address")


def request(conn, method, path, body, headers=None):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    conn.request(method, path, body=data, headers=all_headers)
    response = conn.getresponse()
    payload = response.read()
    if response.status != 200:
        sys.exit(f"write_profile: {method} {path} answered {response.status}: {payload[:300]!r}")
    return json.loads(payload)


def callgrind_control(pid, *args):
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, stdout=subprocess.DEVNULL)


def profile(basalt, seed_dir, work, name, user, run, keep):
    data = os.path.join(work, name)
    shutil.copytree(seed_dir, data)
    out = os.path.join(work, f"callgrind.{name}.out")
    process = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         basalt, "serve", "--http", "127.0.0.1:0", "--dir", data, "--threads", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        host, port = wait_for_address(process).removeprefix("http://").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=600)
        token = request(conn, "POST", "/api/collections/_superusers/auth-with-password",
                        {"identity": "bench-superuser@example.com",
                         "password": user["PASSWORD"]})["token"]
        records = run(conn, token, lambda: callgrind_control(process.pid, "-i", "on"))
        callgrind_control(process.pid, "--dump")  # counters so far, to <out>.1
        callgrind_control(process.pid, "-i", "off")
    finally:
        process.terminate()
        process.wait(timeout=STARTUP_SECONDS)
    dumped = out + ".1"  # the --dump; the file written at exit holds nothing counted
    with open(dumped) as f:
        total = next(int(line.split()[1]) for line in f if line.startswith("totals:"))
    if keep:
        shutil.copy(dumped, os.path.join(keep, f"callgrind.{name}.out"))
    return total, records


def batch_run(batches, size, author):
    item = {"method": "POST", "url": "/api/collections/posts/records", "body": post_body(author)}
    body = json.dumps({"requests": [item] * size}).encode()

    def run(conn, token, start):
        request(conn, "PATCH", "/api/settings",
                {"batch": {"enabled": True, "maxRequests": size, "timeout": 600,
                           "maxBodySize": len(body) * 2}}, {"Authorization": token})
        request(conn, "POST", "/api/batch", body)  # warm-up
        start()
        for _ in range(batches):
            request(conn, "POST", "/api/batch", body)
        return batches * size
    return run


def create_run(creates, author):
    body = json.dumps(post_body(author)).encode()

    def run(conn, token, start):
        request(conn, "POST", "/api/collections/posts/records", body)  # warm-up
        start()
        for _ in range(creates):
            request(conn, "POST", "/api/collections/posts/records", body)
        return creates
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("basalt")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--keep", help="a directory for the callgrind output files")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if not shutil.which(tool):
            sys.exit(f"write_profile: {tool} not installed")
    with tempfile.TemporaryDirectory(prefix="basalt-write-profile.") as work:
        seed = os.path.join(work, "seed")
        subprocess.run([sys.executable, os.path.join(HERE, "posts", "seed.py"), args.basalt,
                        seed, work], check=True)
        with open(os.path.join(work, "user.env")) as f:
            user = dict(re.findall(r"^(\w+)='(.*)'$", f.read(), re.M))
        author = user["USER_ID"]
        runs = [("batch", batch_run(args.batches, args.batch_size, author))]
        if args.creates > 0:
            runs.append(("create", create_run(args.creates, author)))
        for name, run in runs:
            total, records = profile(args.basalt, seed, work, name, user, run, args.keep)
            print(f"{name:7s} {records:7d} records  {total / records:10.0f} instructions/record")


if __name__ == "__main__":
    main()
