#!/usr/bin/env python3
"""Write-path stalls, measured against a real server (bench/README.md, "write limits").

  bench/write_limits.py BINARY

1. How long small creates wait while one 1.2M-id relation body (~23 MB) is being refused.
2. Superuser sign-in latency while 24 guests flood user creates, with invalid emails and with
   valid ones.
Prints milliseconds; starts the server itself on a free port with a fresh data directory.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error

EMAIL, PASSWORD = "admin@example.com", "correct horse battery"


def call(url, method="GET", body=None, token=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as r:
            status, payload = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    return status, payload, (time.perf_counter() - started) * 1000


def main():
    binary = sys.argv[1]
    data = tempfile.mkdtemp(prefix="basalt-bench-")
    subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data], check=True,
                   capture_output=True)
    server = subprocess.Popen([binary, "serve", "--http", "127.0.0.1:0", "--dir", data,
                               "--access-log", "false", "--max-body-bytes", "64MiB"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = server.stdout.readline().strip().split()[-1]
        _, payload, _ = call(f"{base}/api/collections/_superusers/auth-with-password", "POST",
                             {"identity": EMAIL, "password": PASSWORD})
        token = json.loads(payload)["token"]
        open_rules = {k: "" for k in ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")}
        _, payload, _ = call(f"{base}/api/collections", "POST",
                             {"name": "orgs", "type": "base", **open_rules,
                              "fields": [{"name": "n", "type": "text"}]}, token)
        orgs = json.loads(payload)["id"]
        call(f"{base}/api/collections", "POST",
             {"name": "picks", "type": "base", **open_rules,
              "fields": [{"name": "orgs", "type": "relation", "collectionId": orgs, "maxSelect": 3}]},
             token)

        # 1. The stall.
        huge = json.dumps({"orgs": [f"o{i:014d}" for i in range(1_200_000)]}).encode()
        done = threading.Event()
        result = {}

        def send_huge():
            result["status"], _, result["ms"] = call(f"{base}/api/collections/picks/records", "POST",
                                                     raw=huge, token=token)
            done.set()

        waits = []
        threading.Thread(target=send_huge).start()
        while not done.is_set():
            _, _, ms = call(f"{base}/api/collections/orgs/records", "POST", {"n": "x"})
            waits.append(ms)
        print(f"huge body ({len(huge) / 1e6:.1f} MB): {result['status']} in {result['ms']:.0f} ms; "
              f"small creates meanwhile: {len(waits)}, max {max(waits):.0f} ms, "
              f"median {statistics.median(waits):.1f} ms")

        # 2. Sign-in under a hashing flood.
        for label, valid in (("invalid emails", False), ("valid emails", True)):
            stop = threading.Event()
            counter = [0]

            def flood(n):
                i = 0
                while not stop.is_set():
                    i += 1
                    email = f"g{n}-{i}-{label[0]}@example.com" if valid else f"not-an-email-{n}-{i}"
                    call(f"{base}/api/collections/users/records", "POST",
                         {"email": email, "password": "secret123", "passwordConfirm": "secret123"})
                    counter[0] += 1

            threads = [threading.Thread(target=flood, args=(n,)) for n in range(24)]
            for t in threads:
                t.start()
            time.sleep(1)  # let the flood build up (a warm-up, not a synchronisation)
            samples = []
            for _ in range(10):
                _, _, ms = call(f"{base}/api/collections/_superusers/auth-with-password", "POST",
                                {"identity": EMAIL, "password": PASSWORD})
                samples.append(ms)
            stop.set()
            for t in threads:
                t.join()
            print(f"sign-in while 24 guests flood creates with {label}: median "
                  f"{statistics.median(samples):.0f} ms, max {max(samples):.0f} ms")
        _, _, quiet = call(f"{base}/api/collections/_superusers/auth-with-password", "POST",
                           {"identity": EMAIL, "password": PASSWORD})
        print(f"sign-in, quiet: {quiet:.0f} ms")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
