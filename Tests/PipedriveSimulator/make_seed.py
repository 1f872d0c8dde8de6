#!/usr/bin/env python3
"""Generates a large, deterministic seed for pdsim (directory / sync tests).

    python3 Tests/PipedriveSimulator/make_seed.py --persons 10000 --seed 1 > big-seed.json

The same arguments always produce the same bytes. Users, OAuth client, API
token and activity types are those of the hand-made seed.json; organisations,
persons (phones in many national/international formats, shared switchboard
numbers, Åland and foreign numbers) and deals are generated.

    python3 Tests/PipedriveSimulator/make_seed.py --persons 10000 --seed 1 --truth truth.json > big-seed.json

also writes the ground truth of the directory: for each distinct number (E.164,
as the generator meant it, whatever format it was written in) the persons who
have it, their organisations, its kind (mobile, geo, aland, foreign) and
whether it is an organisation's switchboard number. The seed on stdout is the
same bytes with or without --truth.
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

FIRST = ["Matti", "Maija", "Pekka", "Liisa", "Juha", "Anna", "Mikko", "Sari", "Johan", "Erik", "Sofia",
         "Oliver", "Charlotte", "Mari", "Jaan", "Heikki", "Satu", "Timo", "Aino", "Eino", "Helmi", "Väinö",
         "Åsa", "Björn", "Linnea", "Olli", "Päivi", "Kari", "Tuula", "Jussi"]
LAST = ["Meikäläinen", "Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen",
        "Eriksson", "Lindqvist", "Sundblom", "Smith", "Brown", "Tamm", "Kask", "Rossi", "Svensson",
        "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Öhman", "Nyström", "Karlsson"]
ORG_WORDS = ["Kalastaja", "Rakennus", "Satama", "Metsä", "Sähkö", "Kuljetus", "Tekniikka", "Konsultointi",
             "Sjöfart", "Freight", "Software", "Logistics", "Kauppa", "Palvelu", "Media"]
ORG_SUFFIX = ["Oy", "Ab", "Oy Ab", "Ltd", "OÜ", "GmbH", "ry", "Tmi"]



def national_significant(rng):
    """A Finnish national significant number (no trunk 0) and its kind."""
    kind = rng.random()
    if kind < 0.55:
        return "4%d%07d" % (rng.choice([0, 1, 4, 5, 6]), rng.randrange(10 ** 7)), "mobile"
    if kind < 0.65:
        return "50%07d" % rng.randrange(10 ** 7), "mobile"
    if kind < 0.75:
        return "18%05d" % rng.randrange(10 ** 5), "aland"
    return "9%07d" % rng.randrange(10 ** 7), "geo"


def format_finnish(nsn, rng):
    """Writes a Finnish number in one of the formats people type."""
    style = rng.randrange(10)
    area, rest = (nsn[:2], nsn[2:]) if nsn[0] in "45" or nsn.startswith("18") else (nsn[:1], nsn[1:])
    if style == 0:
        return "+358" + nsn
    if style == 1:
        return "+358 %s %s %s" % (area, rest[:3], rest[3:])
    if style == 2:
        return "0%s %s %s" % (area, rest[:3], rest[3:])
    if style == 3:
        return "0" + nsn
    if style == 4:
        return "00358" + nsn
    if style == 5:
        return "+358 (0)%s-%s" % (area, rest)
    if style == 6:
        return "(0%s) %s %s" % (area, rest[:3], rest[3:])
    if style == 7:
        return "358" + nsn
    if style == 8:
        return "0%s-%s" % (area, rest)
    return "+358 0%s %s" % (area, rest)


def foreign_e164(value):
    """The E.164 form of a foreign number as foreign() writes it: the digits, without a "(0)" trunk prefix."""
    return "+" + "".join(ch for ch in value.replace("(0)", "") if ch.isdigit())


def foreign(rng):
    choices = [
        lambda: "+46 8 %03d %03d %02d" % (rng.randrange(1000), rng.randrange(1000), rng.randrange(100)),
        lambda: "+44 20 %04d %04d" % (rng.randrange(10000), rng.randrange(10000)),
        lambda: "+44 (0)7%03d %06d" % (rng.randrange(1000), rng.randrange(10 ** 6)),
        lambda: "+372 5%03d %04d" % (rng.randrange(1000), rng.randrange(10000)),
        lambda: "+1 (%03d) 555-%04d" % (rng.randrange(200, 999), rng.randrange(10000)),
        lambda: "+49 30 %08d" % rng.randrange(10 ** 8),
        lambda: "+47 %08d" % rng.randrange(10 ** 8),
    ]
    return rng.choice(choices)()


def build(persons, seed_value, truth=None):
    """The seed; when `truth` is a dict, it is filled with what each number must resolve to."""
    rng = random.Random(seed_value)
    with open(os.path.join(HERE, "seed.json"), "r", encoding="utf-8") as f:
        base = json.load(f)
    org_count = max(5, persons // 20)
    orgs, switchboards, switchboard_e164 = [], {}, {}
    numbers = {}  # E.164 -> {"persons": set, "kind": str, "switchboard": bool, "formats": set}

    def note(e164, kind, person_id, value, is_switchboard=False):
        entry = numbers.setdefault(e164, {"persons": set(), "kind": kind, "switchboard": False, "formats": set()})
        entry["persons"].add(person_id)
        entry["switchboard"] = entry["switchboard"] or is_switchboard
        entry["formats"].add(value)

    for i in range(1, org_count + 1):
        name = "%s %s %s" % (rng.choice(ORG_WORDS), rng.choice(ORG_WORDS), rng.choice(ORG_SUFFIX))
        orgs.append({"id": i, "name": "%s %d" % (name, i), "owner_id": rng.choice([1, 2, 3]),
                     "address": {"value": "Katu %d, Helsinki" % i, "country": "Finland"}})
        nsn, kind = national_significant(rng)
        switchboards[i] = format_finnish(nsn, rng)
        switchboard_e164[i] = ("+358" + nsn, kind)
    people = []
    base_epoch = 1767600000  # 2026-01-05T08:00:00Z
    for pid in range(1, persons + 1):
        org_id = rng.randrange(1, org_count + 1) if rng.random() < 0.8 else None
        phones = []
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3])):
            if rng.random() < 0.12:
                value = foreign(rng)
                note(foreign_e164(value), "foreign", pid, value)
            else:
                nsn, kind = national_significant(rng)
                value = format_finnish(nsn, rng)
                if rng.random() < 0.03:
                    value += " ext %d" % rng.randrange(10, 99)
                note("+358" + nsn, kind, pid, value)
            phones.append({"value": value, "label": rng.choice(["mobile", "work", "home", "other"]),
                           "primary": not phones})
        if org_id and rng.random() < 0.15:
            phones.append({"value": switchboards[org_id], "label": "work", "primary": not phones})
            note(switchboard_e164[org_id][0], switchboard_e164[org_id][1], pid, switchboards[org_id], True)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        update = base_epoch + rng.randrange(0, 30 * 86400)
        people.append({
            "id": pid,
            "name": "%s %s" % (first, last),
            "org_id": org_id,
            "owner_id": rng.choice([1, 2, 3]),
            "phones": phones,
            "emails": ([{"value": "%s.%s.%d@example.com" % (first.lower(), last.lower(), pid), "label": "work",
                         "primary": True}] if rng.random() < 0.6 else []),
            "add_time": "2026-01-05T08:00:00Z",
            "update_time": update,
        })
    deals = []
    for did in range(1, max(2, persons // 50) + 1):
        person = rng.choice(people)
        deals.append({"id": did, "title": "Deal %d" % did, "person_id": person["id"], "org_id": person["org_id"],
                      "value": rng.randrange(100, 50000), "currency": "EUR",
                      "status": rng.choice(["open", "open", "won", "lost"]), "owner_id": person["owner_id"]})
    if truth is not None:
        org_of = {p["id"]: p["org_id"] for p in people}
        truth["_comment"] = "Ground truth of make_seed.py --persons %d --seed %d" % (persons, seed_value)
        truth["numbers"] = [
            {"e164": e164, "persons": sorted(entry["persons"]),
             "organizations": sorted({org_of[p] for p in entry["persons"] if org_of[p] is not None}),
             "persons_without_organization": sum(1 for p in entry["persons"] if org_of[p] is None),
             "kind": entry["kind"], "switchboard": entry["switchboard"], "shared": len(entry["persons"]) > 1,
             "formats": sorted(entry["formats"])}
            for e164, entry in sorted(numbers.items())]
        truth["open_deals"] = [{"id": d["id"], "person_id": d["person_id"], "org_id": d["org_id"],
                                "owner_id": d["owner_id"]} for d in deals if d["status"] == "open"]
    out = dict(base)
    out["_comment"] = "Generated by make_seed.py --persons %d --seed %d" % (persons, seed_value)
    out["organizations"] = orgs
    out["persons"] = people
    out["deals"] = deals
    out["activities"] = []
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate a deterministic large pdsim seed on stdout.")
    parser.add_argument("--persons", type=int, default=10000, help="number of persons (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--truth", metavar="FILE",
                        help="also write the numbers' ground truth (JSON) to FILE")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    truth = {} if args.truth else None
    json.dump(build(args.persons, args.seed, truth), sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    if truth is not None:
        with open(args.truth, "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
