"""What runs in this thread now: the request and its configuration.

Kept apart from apache.py so that the importer, which apache.py uses,
can read it without importing apache.py back.
"""

import _apache


class _Running:
    """The request whose handler runs in this thread (None between them),
    and the configuration it runs under (the dispatcher's Config, whose
    PythonAutoReload and PythonDebug import_module() follows by default).

    mod_python's C code keeps both, per thread and interpreter: it sets
    them around each phase and restores the previous ones afterwards, so
    an internal redirect's handlers see their own, and a thread a handler
    starts sees None.
    """

    __slots__ = ()

    @property
    def request(self):
        return _apache.running_request()

    @property
    def config(self):
        return _apache.running_config()


running = _Running()
