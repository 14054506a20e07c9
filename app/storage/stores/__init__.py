"""The app's plaintext tables, one module per table family: plain functions taking a keyword-only `conn=`.

The caller opens the transaction (`with db.begin(engine) as conn:` or a vault transaction's `tx.conn`), so
several writes land together; a store function never commits. This package and the rest of app.storage
hold every SQL statement of the app (docs/adr/0007-app-layout.md); sealed records go through
app.storage.vault and app.storage.records instead.
"""
