"""What runs in this thread now: the request and its configuration.

Kept apart from apache.py so that the importer, which apache.py uses,
can read it without importing apache.py back.
"""

import threading


class _Running(threading.local):
    """The request whose handler runs in this thread (None between them),
    and the configuration it runs under (the dispatcher's Config, whose
    PythonAutoReload and PythonDebug import_module() follows by default).

    The dispatcher sets both around each phase and restores the previous
    ones afterwards, so an internal redirect's handlers see their own.
    """
    request = None
    config = None


running = _Running()
