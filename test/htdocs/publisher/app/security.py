"""Things that must never be reachable from the web (Doc/publisher.rst,
"What is published"): each test asks for one of them."""
import collections
import os
import re
import shutil
import subprocess
from os import system
from shutil import rmtree
from subprocess import call

from mod_python import apache

_private = "underscore value"


def _hidden(req):
    return "underscore function"


def public(req):
    return "public function"


class Obj:
    attribute = "class attribute"

    def method(self):
        return "method of Obj"


obj = Obj()

generator = (i for i in range(3))
builtin = len
foreign_class = collections.OrderedDict
foreign_instance = collections.OrderedDict(a=1)
pattern = re.compile("x")
FILE = open(os.devnull)
sub_module = os.path

# Keep the imports "used": they are what the tests try to reach.
_imported = (apache, shutil, subprocess, system, rmtree, call)
