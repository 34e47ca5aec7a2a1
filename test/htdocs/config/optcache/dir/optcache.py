"""get_options() over one request: the post-read-request handler sees the
virtual host's options, the content handler the directory's as well; one
table per request, so a change shows within the request and never after."""
import json

from mod_python import apache

# Other tests' server-wide options are in the tables too: report ours.
OURS = {"vhost_option", "dir_option", "scribbled_early"}


def postread(req):
    options = req.get_options()
    req.notes["early"] = json.dumps(sorted(OURS.intersection(options.keys())))
    options["scribbled_early"] = "1"
    return apache.OK


def handler(req):
    first = req.get_options()
    seen_before_change = "scribbled" in first
    first["scribbled"] = "1"
    second = req.get_options()
    req.content_type = "application/json"
    req.write(json.dumps({
        "early": json.loads(req.notes["early"]),
        "late": sorted(OURS.intersection(second.keys())),
        "same_table": second is first,
        "change_seen_in_request": second.get("scribbled") == "1",
        "change_from_earlier_request": seen_before_change,
    }))
    return apache.OK
