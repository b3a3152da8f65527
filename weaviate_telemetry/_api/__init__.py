"""The API layer: namespaces that build Request values and parse answers."""
