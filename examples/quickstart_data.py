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
from weaviate_telemetry.classes.config import Configure, DataType, Property, Tokenization
from weaviate_telemetry.classes.query import Filter, MetadataQuery, Metrics, Sort
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
    name = "Book" + uuid.uuid4().hex[:8]
    with server_url() as url, wt.Client.from_env(base_url=url) as client:
        client.health.wait_until_ready(timeout=60)

        # 1. schema: create returns the collection handle
        books = client.collections.create(
            name,
            properties=[
                Property(name="title", data_type=DataType.TEXT),
                Property(name="author", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
                Property(name="year", data_type=DataType.INT),
                Property(name="rating", data_type=DataType.NUMBER),
                Property(
                    name="tags", data_type=DataType.TEXT_ARRAY, tokenization=Tokenization.FIELD
                ),
            ],
            vector_config=Configure.Vectors.self_provided(),
        )
        print(f"schema: created collection {name}")
        try:
            # 2. ingest
            with books.batch.dynamic() as batch:
                for title, author, year, rating, tags in BOOKS:
                    batch.add_object(
                        properties={
                            "title": title,
                            "author": author,
                            "year": year,
                            "rating": rating,
                            "tags": tags,
                        },
                        uuid=wt.generate_uuid5({"title": title}),
                        vector=embed(tags, year),
                    )
            failed = len(books.batch.failed_objects)
            print(f"ingest: {len(books)} stored, {failed} failed")

            # 3. query
            similar = books.query.near_vector(
                embed(["scifi", "cyberpunk"], 1990),
                limit=3,
                return_metadata=MetadataQuery(distance=True),
            )
            for hit in similar.objects:
                print(
                    f"near_vector: {hit.properties['title']} (distance {hit.metadata.distance:.3f})"
                )
            keyword = books.query.bm25("wizard darkness", query_properties=["title"])
            print(
                f"bm25 'wizard darkness': {sorted(o.properties['title'] for o in keyword.objects)}"
            )
            classics = books.query.fetch_objects(
                filters=Filter.by_property("tags").contains_any(["classic"])
                & Filter.by_property("year").less_than(1960),
                sort=Sort.by_property("year"),
            )
            print(f"classics before 1960: {[o.properties['title'] for o in classics.objects]}")
            mix = books.query.hybrid(
                "foundation", alpha=0.5, vector=embed(["scifi"], 1950), limit=2
            )
            print(f"hybrid 'foundation': {[o.properties['title'] for o in mix.objects]}")

            # 4. aggregate
            stats = books.aggregate.over_all(
                total_count=True,
                return_metrics=[
                    Metrics("rating").number(mean=True, maximum=True),
                    Metrics("tags").text(top_occurrences_count=True, top_occurrences_value=True,
                                         limit=2),
                ],
            )  # fmt: skip
            rating = stats.properties["rating"]
            tags = stats.properties["tags"]
            assert isinstance(rating, wt.AggregateNumber) and isinstance(tags, wt.AggregateText)
            print(
                f"aggregate: count={stats.total_count} mean rating={rating.mean:.2f} "
                f"max={rating.maximum}"
            )
            print(f"aggregate: top tags {[(o.value, o.count) for o in tags.top_occurrences]}")
            per_author = books.aggregate.over_all(group_by="author")
            busiest = max(per_author.groups, key=lambda g: g.total_count or 0)
            print(f"aggregate: most books by {busiest.grouped_by.value} ({busiest.total_count})")

            # Bad input never reaches the server: it is a typed validation_error.
            try:
                Filter.by_property("title").like(42)  # type: ignore[arg-type]
            except wt.ValidationError as err:
                print(f"validation: kind={err.kind.value} -> {err.message}")
        finally:
            client.collections.delete(name)
            print(f"cleanup: dropped collection {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
