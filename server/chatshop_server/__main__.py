import sys

from chatshop_server.cli import main

sys.exit(main())
