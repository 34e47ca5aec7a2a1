"""Imported by apache.import_module with path=[this directory]."""
VALUE = "imported from the given path"
