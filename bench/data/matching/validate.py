#!/usr/bin/env python3
"""Check a labelled release-matching split and print its counts.

    python bench/data/matching/validate.py bench/data/matching/dev

A split is a directory holding projects.jsonl, releases.jsonl and labels.csv
(the format is described in bench/data/matching/README.md). Errors are
printed one per line and make the exit status 1; the counts are printed
either way. Standard library only.
"""

import csv
import datetime
import json
import os
import re
import sys
from collections import Counter

KINDS = {"paper", "model", "dataset", "product", "benchmark"}
EFFECTS = ("scoop", "partial_scoop", "new_baseline", "reinforces", "related")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
URL = re.compile(r"^https?://[^\s]+$")
PROJECT_KEYS = {"id", "title", "summary", "keywords", "plan", "written_on"}
PLAN_KEYS = {"goal", "approach", "differentiation"}
RELEASE_KEYS = {"id", "title", "kind", "organisation", "released_on", "url", "summary"}
LABEL_HEADER = ["project_id", "release_id", "effect", "why"]
MAX_TITLE = 300
MAX_SUMMARY = 1000
MAX_PLAN_FIELD = 2000
MAX_KEYWORDS = 8
MAX_KEYWORD = 40
MAX_WHY = 300


class Report:
    def __init__(self):
        self.errors = []

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")


def is_date(value):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def text(report, where, obj, key, limit, allow_empty=False):
    value = obj.get(key)
    if not isinstance(value, str):
        report.error(where, f"{key} must be a string")
        return
    if not allow_empty and not value.strip():
        report.error(where, f"{key} is empty")
    if len(value) > limit:
        report.error(where, f"{key} has {len(value)} characters (limit {limit})")


def read_jsonl(report, path):
    rows = []
    if not os.path.isfile(path):
        report.error(path, "missing")
        return rows
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{os.path.basename(path)}:{n}"
            if not line.strip():
                report.error(where, "blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                report.error(where, f"not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                report.error(where, "not a JSON object")
                continue
            rows.append((where, obj))
    return rows


def check_ids(report, rows, name):
    seen = {}
    for where, obj in rows:
        oid = obj.get("id")
        if not isinstance(oid, str) or not SLUG.match(oid):
            report.error(where, f"id {oid!r} is not a short slug (a-z, 0-9, '-', at most 64)")
            continue
        if oid in seen:
            report.error(where, f"duplicate {name} id {oid!r} (first at {seen[oid]})")
        seen[oid] = where
    return seen


def check_projects(report, rows):
    for where, p in rows:
        keys = set(p)
        if keys != PROJECT_KEYS:
            missing, extra = PROJECT_KEYS - keys, keys - PROJECT_KEYS
            if missing:
                report.error(where, f"missing keys {sorted(missing)}")
            if extra:
                report.error(where, f"unknown keys {sorted(extra)}")
        text(report, where, p, "title", MAX_TITLE)
        text(report, where, p, "summary", MAX_SUMMARY)
        kws = p.get("keywords")
        if not isinstance(kws, list):
            report.error(where, "keywords must be a list")
        else:
            if len(kws) > MAX_KEYWORDS:
                report.error(where, f"{len(kws)} keywords (limit {MAX_KEYWORDS})")
            for kw in kws:
                if not isinstance(kw, str) or not kw.strip():
                    report.error(where, f"keyword {kw!r} is not a non-empty string")
                elif len(kw) > MAX_KEYWORD:
                    report.error(where, f"keyword {kw!r} over {MAX_KEYWORD} characters")
            lowered = [k.lower() for k in kws if isinstance(k, str)]
            if len(set(lowered)) != len(lowered):
                report.error(where, "duplicate keywords")
        plan = p.get("plan")
        if not isinstance(plan, dict):
            report.error(where, "plan must be an object")
        else:
            if set(plan) != PLAN_KEYS:
                report.error(where, f"plan keys must be {sorted(PLAN_KEYS)}, got {sorted(plan)}")
            for key in PLAN_KEYS & set(plan):
                text(report, where, plan, key, MAX_PLAN_FIELD, allow_empty=True)
        if not is_date(p.get("written_on")):
            report.error(where, f"written_on {p.get('written_on')!r} is not a YYYY-MM-DD date")


def check_releases(report, rows):
    urls = {}
    for where, r in rows:
        keys = set(r)
        if keys != RELEASE_KEYS:
            missing, extra = RELEASE_KEYS - keys, keys - RELEASE_KEYS
            if missing:
                report.error(where, f"missing keys {sorted(missing)}")
            if extra:
                report.error(where, f"unknown keys {sorted(extra)}")
        text(report, where, r, "title", MAX_TITLE)
        text(report, where, r, "summary", MAX_SUMMARY)
        text(report, where, r, "organisation", MAX_TITLE)
        if r.get("kind") not in KINDS:
            report.error(where, f"kind {r.get('kind')!r} not in {sorted(KINDS)}")
        if not is_date(r.get("released_on")):
            report.error(where, f"released_on {r.get('released_on')!r} is not a YYYY-MM-DD date")
        url = r.get("url")
        if not isinstance(url, str):
            report.error(where, 'url must be a string ("" when unknown)')
        elif url:
            if not URL.match(url):
                report.error(where, f"url {url!r} is not an http(s) URL")
            elif url in urls:
                report.error(where, f"url also used by {urls[url]}")
            else:
                urls[url] = where


def read_labels(report, path, project_ids, release_ids):
    rows = []
    if not os.path.isfile(path):
        report.error(path, "missing")
        return rows
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != LABEL_HEADER:
            report.error("labels.csv:1", f"header must be {','.join(LABEL_HEADER)}, got {header}")
            return rows
        seen = {}
        for n, row in enumerate(reader, 2):
            where = f"labels.csv:{n}"
            if len(row) != 4:
                report.error(where, f"{len(row)} fields, expected 4")
                continue
            pid, rid, effect, why = row
            if pid not in project_ids:
                report.error(where, f"unknown project_id {pid!r}")
            if rid not in release_ids:
                report.error(where, f"unknown release_id {rid!r}")
            if effect not in EFFECTS:
                report.error(where, f"effect {effect!r} not in {list(EFFECTS)}")
            if not why.strip():
                report.error(where, "why is empty")
            elif len(why) > MAX_WHY:
                report.error(where, f"why has {len(why)} characters (limit {MAX_WHY})")
            if (pid, rid) in seen:
                report.error(where, f"pair ({pid}, {rid}) already labelled at {seen[(pid, rid)]}")
            seen[(pid, rid)] = where
            rows.append((pid, rid, effect, why))
    return rows


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    split = argv[1]
    report = Report()
    project_rows = read_jsonl(report, os.path.join(split, "projects.jsonl"))
    release_rows = read_jsonl(report, os.path.join(split, "releases.jsonl"))
    project_ids = check_ids(report, project_rows, "project")
    release_ids = check_ids(report, release_rows, "release")
    check_projects(report, project_rows)
    check_releases(report, release_rows)
    labels = read_labels(report, os.path.join(split, "labels.csv"), project_ids, release_ids)

    projects = {p["id"]: p for _, p in project_rows if isinstance(p.get("id"), str)}
    releases = {r["id"]: r for _, r in release_rows if isinstance(r.get("id"), str)}
    per_project = Counter(pid for pid, _, _, _ in labels)
    per_release = Counter(rid for _, rid, _, _ in labels)
    effects = Counter(effect for _, _, effect, _ in labels)
    untouched = sorted(pid for pid in projects if per_project[pid] == 0)
    distractors = sorted(rid for rid in releases if per_release[rid] == 0)
    kinds = Counter(r.get("kind") for r in releases.values())
    earlier = sum(
        1
        for pid, rid, _, _ in labels
        if pid in projects
        and rid in releases
        and str(releases[rid].get("released_on")) < str(projects[pid].get("written_on"))
    )
    rich = sum(
        1
        for p in projects.values()
        if isinstance(p.get("plan"), dict) and all(str(v).strip() for v in p["plan"].values())
    )
    bare = sum(
        1
        for p in projects.values()
        if isinstance(p.get("plan"), dict) and not any(str(v).strip() for v in p["plan"].values())
    )
    dates = sorted(str(r.get("released_on")) for r in releases.values())

    print(f"split: {split}")
    print(
        f"projects: {len(projects)} ({rich} with a full plan, {bare} with an empty plan, "
        f"{len(untouched)} touched by no release)"
    )
    print(
        f"releases: {len(releases)} ({len(releases) - len(distractors)} linked, "
        f"{len(distractors)} distractors)"
    )
    if dates:
        print(f"release dates: {dates[0]} .. {dates[-1]}")
    print("release kinds: " + ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds, key=str)))
    print(f"label rows: {len(labels)}")
    for effect in EFFECTS:
        print(f"  {effect}: {effects[effect]}")
    print(f"  scoop + partial_scoop: {effects['scoop'] + effects['partial_scoop']}")
    touched = [per_project[pid] for pid in projects if per_project[pid]]
    if touched:
        print(
            f"labels per touched project: min {min(touched)}, max {max(touched)}, "
            f"mean {sum(touched) / len(touched):.1f}"
        )
    dist = Counter(per_release[rid] for rid in releases)
    print("projects per release: " + ", ".join(f"{k}: {dist[k]}" for k in sorted(dist)))
    print(f"label rows whose release predates the project's written_on: {earlier}")
    if untouched:
        print("projects touched by no release: " + ", ".join(untouched))
    if report.errors:
        print(f"\n{len(report.errors)} error(s):")
        for e in report.errors:
            print("  " + e)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
