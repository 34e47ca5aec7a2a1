# Sphinx configuration for the mod_python manual.
#
# Only Sphinx itself and its built-in alabaster theme are used, so the manual
# builds with Debian's python3-sphinx package and nothing else:
#
#     sphinx-build -W -b html Doc Doc/_build/html      (or: make docs)

project = 'mod_python'
author = 'the mod_python developers'
copyright = 'the mod_python developers; licensed under the Apache License 2.0'
version = '3.2.10'
release = '3.2.10'

extensions = []

root_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
templates_path = []

language = 'en'
highlight_language = 'none'
primary_domain = 'py'
default_role = None
nitpicky = False

html_theme = 'alabaster'
html_title = 'mod_python %s manual' % release
html_static_path = []
html_theme_options = {
    'description': 'Apache httpd 2.4 module embedding Python 3',
    'fixed_sidebar': False,
    'show_relbars': True,
}
html_sidebars = {
    '**': ['about.html', 'navigation.html', 'relations.html', 'searchbox.html'],
}


def setup(app):
    # Apache configuration directives get their own object type, so pages can
    # say :directive:`PythonHandler` and link to its entry in directives.rst,
    # and every directive appears in the index.
    app.add_object_type('directive', 'directive',
                        objname='Apache configuration directive',
                        indextemplate='pair: %s; directive')
