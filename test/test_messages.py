"""Every error log message of mod_python's own has a number of its own
(Doc/messages.rst): one number, one place in the code, and each number
listed in the manual.

The C code writes the number with MPLOGNO(nnnn) where the message is; the
Python package writes "MPnnnn: " literally in the message text.  This test
reads the sources; it needs no server.
"""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(REPO, "src")
PY = os.path.join(REPO, "lib", "python", "mod_python")
DOC = os.path.join(REPO, "Doc", "messages.rst")

C_NUMBER = re.compile(r"MPLOGNO\((\d{4})\)")
PY_NUMBER = re.compile(r"[\"'](?:mod_python: )?MP(\d{4})(?:: |[\"'])")
# A call that writes a message of mod_python's own, in C: the number must
# follow within the call's first lines.
C_LOG_CALL = re.compile(r"\b(mp_log_[rs]|mp_log_exception)\(|\bcall\.failed = ")


def _sources(top, ext):
    for name in sorted(os.listdir(top)):
        if name.endswith(ext) and name != "psp_parser.c":
            with open(os.path.join(top, name), encoding="utf-8") as f:
                yield name, f.read()


def _code_numbers():
    found = {}
    for name, text in _sources(SRC, ".c"):
        for m in C_NUMBER.finditer(text):
            found.setdefault(m.group(1), []).append(name)
    for name, text in _sources(PY, ".py"):
        for m in PY_NUMBER.finditer(text):
            found.setdefault(m.group(1), []).append(name)
    return found


def _documented():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    rows = re.findall(r"^   \* - MP(\d{4})\n     - ([^\n]*)\n     - ([^\n]*)",
                      text, re.M)
    return {num: meaning for num, _, meaning in rows}


def test_each_number_is_used_once():
    """One number, one place: no number appears twice in the code."""
    twice = {n: places for n, places in _code_numbers().items()
             if len(places) > 1}
    assert twice == {}


def test_each_number_is_documented():
    """Doc/messages.rst lists every number the code writes, and every
    number it lists (but the retired ones) is in the code."""
    code = set(_code_numbers())
    documented = _documented()
    assert code - set(documented) == set()
    retired = {n for n, meaning in documented.items()
               if meaning.startswith("Retired")}
    assert set(documented) - retired - code == set()
    assert len(code) > 30       # the scan found the code's numbers


def test_every_c_log_call_has_a_number():
    """No mp_log_r/mp_log_s/mp_log_exception call (nor a pycall failure
    message) in src/ goes without its MPLOGNO."""
    bare = []
    for name, text in _sources(SRC, ".c"):
        for m in C_LOG_CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            # The call's text up to its first ';'.
            call = text[m.start():text.index(";", m.start())]
            line_start = text.rfind("\n", 0, m.start()) + 1
            if m.start() == line_start or "#define" in \
                    text[line_start:m.start()]:
                continue        # the definition, not a call
            # A pycall's own failure message already carries its number.
            if "MPLOGNO(" not in call and "call->failed" not in call:
                bare.append("%s:%d" % (name, line))
    assert bare == []
