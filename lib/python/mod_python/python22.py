"""mod_python.python22 -- kept so that old handler modules still import.

mod_python 3.2 ran on Python 2.2 too, and handler files written then
begin with ``from mod_python.python22 import *`` to get what Python 2.2
lacked (``enumerate``, generators).  Python 3 has all of it built in, so
this module provides the same names as harmless aliases of the built-in
ones: the import keeps working and changes nothing.
"""

from __future__ import generators  # a no-op on Python 3, kept for the name

import builtins
import sys

enumerate = builtins.enumerate

__all__ = ["enumerate", "generators", "sys"]
