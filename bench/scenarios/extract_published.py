#!/usr/bin/env python3
"""Turns one of PocketBase's published benchmark result files (pocketbase/benchmarks,
results/*.md) into bench/scenarios/published_<machine>.json: one entry per measured scenario,
in the file's order, with the parameters the load program checks its own scenario list against
and the total ("Completed") time in seconds. The Go/JS custom-code sections are left out: they
measure PocketBase's embedding API, which Basalt does not have.

usage: extract_published.py RESULTS.md SOURCE_LABEL > published.json
"""
import json
import re
import sys

SKIPPED_SECTIONS = ("Go vs JS",)
DURATION_PART = re.compile(r"([0-9.]+)(h|m(?!s)|s|ms|µs|us|ns)")
UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9}


def go_duration_seconds(text):
    total, pos = 0.0, 0
    for match in DURATION_PART.finditer(text):
        if match.start() != pos:
            raise ValueError(f"not a Go duration: {text!r}")
        total += float(match.group(1)) * UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise ValueError(f"not a Go duration: {text!r}")
    return total


def bracket_params(header):
    """The `[reqs:…, conc:…, rule:`…`, query:`…`]` tail of a scenario header."""
    tail = header[header.rindex("[") + 1 : -1]
    params = {}
    for key, value in re.findall(r"(\w+):(`[^`]*`|[^,\]]+)", tail):
        value = value.strip()
        if value.startswith("`"):
            value = value[1:-1]
            if key == "rule":  # printed with Go's %q
                value = json.loads(value)
        elif value.isdigit():
            value = int(value)
        params[key] = value
    return params


def main():
    path, source = sys.argv[1], sys.argv[2]
    section, header, entries = None, None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            section = line[3:]
        elif line.startswith("#### "):
            header = line[5:]
        elif "Completed:" in line and header is not None:
            if not section.startswith(SKIPPED_SECTIONS):
                params = bracket_params(header)
                words = header.split(" - ")[0].split()
                # The collection is the word naming it: "Creating 50 organizations",
                # "deleting 100 posts10k", "users auth with …", "posts10k - simpleA …".
                collection = words[2] if words[0].lower() in ("creating", "deleting") else words[0]
                entries.append(
                    {
                        "section": section,
                        "collection": collection,
                        "requests": params.get("reqs", int(words[1]) if words[0] == "deleting" else None),
                        "concurrency": params["conc"],
                        "rule": params.get("rule"),
                        "query": params.get("query"),
                        "seconds": go_duration_seconds(line.split("Completed:")[1].strip()),
                    }
                )
            header = None
    json.dump({"source": source, "scenarios": entries}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


main()
