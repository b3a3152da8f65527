"""Data quick start: schema → ingest → query → aggregate → clean up, printing each step.

Uses ``$WEAVIATE_URL`` (and ``$WEAVIATE_API_KEY``) when set; otherwise starts
a local server with ``weaviate_telemetry.embedded`` (built once with Go, then
cached) and stops it at the end. Vectors are made up here (no vectorizer
module needed); in an application they come from your embedding model.

    python examples/quickstart_data.py
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import uuid
from collections.abc import Iterator

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

BOOKS = [
    ("Dune", "Frank Herbert", 1965, 4.6, ["scifi", "classic"]),
    ("Neuromancer", "William Gibson", 1984, 4.1, ["scifi", "cyberpunk"]),
    ("The Hobbit", "J. R. R. Tolkien", 1937, 4.7, ["fantasy", "classic"]),
    ("Snow Crash", "Neal Stephenson", 1992, 4.0, ["scifi", "cyberpunk"]),
    ("A Wizard of Earthsea", "Ursula K. Le Guin", 1968, 4.3, ["fantasy"]),
    ("Foundation", "Isaac Asimov", 1951, 4.2, ["scifi", "classic"]),
    ("Piranesi", "Susanna Clarke", 2020, 4.4, ["fantasy"]),
    ("The Left Hand of Darkness", "Ursula K. Le Guin", 1969, 4.1, ["scifi"]),
]


def embed(tags: list[str], year: int) -> list[float]:
    """A toy 4-d 'embedding': genre axes plus age, normalised."""
    raw = [
        1.0 if "scifi" in tags else 0.0,
        1.0 if "fantasy" in tags else 0.0,
        1.0 if "cyberpunk" in tags else 0.0,
        (2025 - year) / 100,
    ]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    if os.environ.get("WEAVIATE_URL"):
        yield os.environ["WEAVIATE_URL"]
        return
    print("starting a local Weaviate (first run builds it with Go; takes a few minutes)...")
    with EmbeddedWeaviate() as server:
        yield server.url


def main() -> int:
    F = wt.Filter
    name = "Book" + uuid.uuid4().hex[:8]
    with server_url() as url, wt.Client.from_env(base_url=url) as client:
        client.health.wait_until_ready(timeout=60)

        # 1. schema
        client.collections.create(
            {
                "class": name,
                "vectorizer": "none",
                "properties": [
                    {"name": "title", "dataType": ["text"]},
                    {"name": "author", "dataType": ["text"], "tokenization": "field"},
                    {"name": "year", "dataType": ["int"]},
                    {"name": "rating", "dataType": ["number"]},
                    {"name": "tags", "dataType": ["text[]"], "tokenization": "field"},
                ],
            }
        )
        print(f"schema: created collection {name}")
        try:
            # 2. ingest
            result = client.batch.insert_objects(
                {
                    "class": name,
                    "id": str(wt.generate_uuid5({"title": title})),
                    "properties": {
                        "title": title,
                        "author": author,
                        "year": year,
                        "rating": rating,
                        "tags": tags,
                    },
                    "vector": embed(tags, year),
                }
                for title, author, year, rating, tags in BOOKS
            )
            print(f"ingest: {len(result.successful_ids)} stored, {len(result.failures)} failed")

            # 3. query
            books = client.query.get(name).fields("title", "year")
            similar = (
                books.near_vector(embed(["scifi", "cyberpunk"], 1990))
                .additional("distance")
                .limit(3)
                .do()
            )
            for hit in similar:
                print(
                    f"near_vector: {hit.properties['title']} (distance {hit.metadata.distance:.3f})"
                )
            keyword = books.bm25("wizard darkness", properties=["title"]).do()
            print(f"bm25 'wizard darkness': {sorted(o.properties['title'] for o in keyword)}")
            classics = (
                books.where(
                    F.by_property("tags").contains_any(["classic"])
                    & F.by_property("year").less_than(1960)
                )
                .sort("year")
                .do()
            )
            print(f"classics before 1960: {[o.properties['title'] for o in classics]}")
            mix = (
                books.hybrid("foundation", alpha=0.5, vector=embed(["scifi"], 1950))
                .additional("score")
                .limit(2)
                .do()
            )
            print(f"hybrid 'foundation': {[o.properties['title'] for o in mix]}")

            # 4. aggregate
            stats = (
                client.query.aggregate(name)
                .meta_count()
                .metrics("rating", "mean", "maximum")
                .top_occurrences("tags", limit=2)
                .do()
            )
            rating = stats.properties["rating"]
            top = stats.properties["tags"].top_occurrences or ()
            print(
                f"aggregate: count={stats.count} mean rating={rating.mean:.2f} max={rating.maximum}"
            )
            print(f"aggregate: top tags {[(o.value, o.occurs) for o in top]}")
            per_author = client.query.aggregate(name).group_by("author").do()
            busiest = max(per_author.groups, key=lambda g: g.count or 0)
            assert busiest.grouped_by is not None
            print(f"aggregate: most books by {busiest.grouped_by.value} ({busiest.count})")

            # Bad input never reaches the server: it is a typed validation_error.
            try:
                F.by_property("title").like(42)  # type: ignore[arg-type]
            except wt.ValidationError as err:
                print(f"validation: kind={err.kind.value} -> {err.message}")
        finally:
            client.collections.delete(name)
            print(f"cleanup: dropped collection {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
