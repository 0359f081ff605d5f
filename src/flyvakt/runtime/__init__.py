"""The in-process engine: sources → batcher → pipeline → store and event bus."""
