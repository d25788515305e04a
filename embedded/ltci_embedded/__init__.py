"""The embedded mode: all five services in one process, SQLite files and the in-process bus."""
