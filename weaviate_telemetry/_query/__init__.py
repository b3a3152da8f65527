"""GraphQL Get/Aggregate builders, typed filters and query results."""
