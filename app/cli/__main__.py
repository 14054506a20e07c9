"""`python -m app.cli ...` runs the `kraft` command (the console script's entry without the launcher)."""

import sys

from app.cli.main import main

sys.exit(main())
