"""Imported by PythonImport when a child starts (manual 5.4.3)."""
import os

# The pid of the process that imported this module, and in which
# interpreter: a request reads both back.
IMPORTED_IN_PID = os.getpid()
from mod_python import apache  # noqa: E402

IMPORTED_IN_INTERPRETER = apache.interpreter
