"""The kinds of key slot, in a module of their own that imports nothing (app/cli/ahead.py names one before
SQLAlchemy is loaded; app/storage/slots.py is where slots are read and written)."""

PASSPHRASE = "passphrase"  # noqa: S105  (a slot kind, not a secret)
RECOVERY = "recovery"
KEYSTORE = "keystore"
NO_KDF = "none"  # a keystore slot: its KEK is random, nothing to stretch
