#!/usr/bin/env python3
"""Regenerates examples/data/ deterministically (fixed seed): same bytes on every run.

Usage: python3 examples/generate-data.py   (from the repository root)
"""
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

FIRST = ["Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace", "Hedy", "Ivan",
         "John", "Karen", "Leslie", "Margaret", "Niklaus", "Radia", "Shafi", "Tim", "Whitfield", "Yukihiro"]
LAST = ["Lovelace", "Turing", "Liskov", "Shannon", "Knuth", "Dijkstra", "Allen", "Hopper", "Lamarr",
        "Sutherland", "Backus", "Jones", "Lamport", "Hamilton", "Wirth", "Perlman", "Goldwasser",
        "Berners-Lee", "Diffie", "Matsumoto"]
CITIES = ["Amsterdam", "Berlin", "Lisbon", "Madrid", "Oslo", "Paris", "Prague", "Rome", "Vienna", "Zurich"]
CATEGORIES = ["books", "garden", "kitchen", "music", "office", "outdoor", "tools", "toys"]
NOUNS = ["lamp", "kettle", "stapler", "hammer", "tent", "guitar", "novel", "shovel", "puzzle", "mug"]
ADJECTIVES = ["blue", "compact", "deluxe", "eco", "heavy", "mini", "pro", "quiet", "smart", "vintage"]


def people(rng, count=2500):
    lines = []
    for i in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        doc = {"_id": i, "name": f"{first} {last}",
               "email": f"{first.lower()}.{last.lower()}.{i}@example.org",
               "city": rng.choice(CITIES), "age": rng.randint(18, 90)}
        lines.append(json.dumps(doc, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def products(rng, count=500):
    docs = []
    for i in range(1, count + 1):
        docs.append({"_id": i, "sku": f"SKU-{i:05d}",
                     "name": f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
                     "category": rng.choice(CATEGORIES),
                     # Extended JSON: prices are decimals, not binary floating point.
                     "price": {"$numberDecimal": f"{rng.randint(100, 50000) / 100:.2f}"},
                     "stock": rng.randint(0, 250)})
    return "[\n" + ",\n".join(json.dumps(d, separators=(",", ":")) for d in docs) + "\n]\n"


def main():
    rng = random.Random(20261126)
    (DATA / "people.ndjson").write_text(people(rng), encoding="utf-8")
    (DATA / "products.json").write_text(products(rng), encoding="utf-8")


if __name__ == "__main__":
    main()
