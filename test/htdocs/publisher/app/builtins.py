"""A module named like the builtins module: the objects of the builtins'
types (whose __module__ is 'builtins' too) are still not its own."""

TEXT = "module named builtins"
generator = (i for i in range(3))
