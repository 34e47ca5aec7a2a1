#!/usr/bin/python3
# Imports a module of the application (cgihelper, next to it) and a
# standard one; reports which of them were already loaded.
import sys

had_helper = "cgihelper" in sys.modules
had_json = "json" in sys.modules

import cgihelper  # noqa: E402
import json  # noqa: E402

print("Content-Type: application/json")
print()
print(json.dumps({"value": cgihelper.VALUE, "had_helper": had_helper,
                  "had_json": had_json}))
