"""The relay a region runs between leaders and members (ADR 0004): FastAPI + SQLModel, SQLite or PostgreSQL.

It stores signed ciphertext in group mailboxes and sealed invites under join-code lookups; it checks
signatures so outsiders cannot post, and it can read nothing. No IP address, user agent or time finer than
the day is stored or logged.
"""
