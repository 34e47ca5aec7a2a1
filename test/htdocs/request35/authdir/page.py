"""A page of the AuthName/AuthType directory: htdocs/request35/r35.py
serves it (PythonHandler r35 of the parent directory)."""
