"""Generated Python stubs for Weaviate's gRPC API (private)."""
