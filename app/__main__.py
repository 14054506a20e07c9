"""`python -m app` starts the Flet client (see app/main.py)."""

from app.main import run

run()
