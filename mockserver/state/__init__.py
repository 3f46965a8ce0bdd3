"""Where each session's state lives: in memory, a SQLite file, or Redis. No web framework here."""
