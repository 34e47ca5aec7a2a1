"""``python3 -m mod_python``: the mod_python command (see _command)."""

import sys

from mod_python._command import main

sys.exit(main())
