"""``python -m chatshop.bot run MODULE:OBJECT ...`` (the same as ``chatshop bot run``)."""

import sys

from chatshop.bot.cli import main

sys.exit(main())
