"""The Python stacks of this process's threads, with what each is serving.

mod_python notes every call it makes into Python (the request's method and
URI, the phase or filter, the handler, when it began) in a table per
Apache child.  The watchdog behind ``PythonRequestTimeout`` calls
:func:`format_thread` for a call that runs too long; a status page calls
:func:`threads` or :func:`format_all` to see every thread at once.

Stacks come from ``sys._current_frames()``, which covers every thread that
is running Python code in this process, whatever its interpreter.
"""

import sys
import threading
import traceback

# Apache cuts an error log entry at 8 KiB; the innermost frames, where the
# call is stuck, are the ones to keep.
LOG_LIMIT = 6000


def running_calls():
    """The Python calls in progress in this process, as a dict from thread
    id to a dict with keys ``interpreter``, ``uri`` ("METHOD /path", or
    "(no request)"), ``what`` (the phase or filter and its handler),
    ``seconds`` (whole seconds since the call began) and ``timeout`` (its
    PythonRequestTimeout, 0 for none).  Empty outside Apache."""
    try:
        import _apache
    except ImportError:
        return {}
    calls = {}
    for tid, interp, uri, what, seconds, timeout in _apache.running_calls():
        calls[tid] = {"interpreter": interp, "uri": uri, "what": what,
                      "seconds": seconds, "timeout": timeout}
    return calls


def _stack_text(frame, limit=None):
    entries = traceback.format_stack(frame)
    size = sum(map(len, entries))
    dropped = 0
    # Whole frames go, outermost first; the innermost one always stays.
    while limit is not None and size > limit and len(entries) > 1:
        size -= len(entries[0])
        dropped += len(entries.pop(0))
    text = "".join(entries).rstrip("\n")
    if dropped:
        text = "[... %d characters of outer frames left out ...]\n%s" % (
            dropped, text)
    return text


def format_thread(thread_id, limit=LOG_LIMIT):
    """The Python stack of thread thread_id, outermost call first, as
    traceback.format_stack() writes it; only the innermost frames that fit
    in limit characters when it is longer (None: no limit).  A note instead when
    the thread runs no Python code now."""
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return "(thread %d is not running Python code now)" % thread_id
    return _stack_text(frame, limit)


def threads():
    """Every thread running Python code in this process, as a list of
    dicts: ``thread_id``, ``name`` (the threading module's name, or None
    for Apache's threads it does not know), ``current`` (the thread asking),
    ``stack`` (formatted, outermost call first) and, for threads in a
    mod_python call, ``call`` (as in :func:`running_calls`, else None).
    The asking thread comes first, the others by thread id."""
    frames = sys._current_frames()
    calls = running_calls()
    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    result = []
    for tid in sorted(frames, key=lambda t: (t != me, t)):
        if tid == me:
            # Not this function's own frame: where it was called from.
            frame = sys._getframe(1)
        else:
            frame = frames[tid]
        result.append({"thread_id": tid, "name": names.get(tid),
                       "current": tid == me, "call": calls.get(tid),
                       "stack": _stack_text(frame)})
    return result


def format_all():
    """:func:`threads` as text: a heading per thread saying what it
    serves, then its stack."""
    parts = []
    for t in threads():
        head = "Thread %d" % t["thread_id"]
        if t["name"]:
            head += " (%s)" % t["name"]
        if t["current"]:
            head += " [this request]"
        call = t["call"]
        if call is not None:
            head += ": %s in %s for %d s, interpreter '%s'" % (
                call["uri"], call["what"], call["seconds"],
                call["interpreter"])
        parts.append(head + "\n" + t["stack"])
    return "\n\n".join(parts) + "\n"
