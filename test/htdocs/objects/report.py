"""Reports the server and connection objects (manual 4.5.4, 4.5.6) and the
request members that lead to them, as JSON."""
import json

from mod_python import apache


def _server(s):
    return {
        "server_hostname": s.server_hostname,
        "server_admin": s.server_admin,
        "defn_name": s.defn_name,
        "defn_line_number": s.defn_line_number,
        "names": list(s.names),
        "wild_names": list(s.wild_names),
        "names_is_tuple": isinstance(s.names, tuple),
        "port": s.port,
        "error_fname": s.error_fname,
        "loglevel": s.loglevel,
        "is_virtual": s.is_virtual,
        "timeout": s.timeout,
        "keep_alive_timeout": s.keep_alive_timeout,
        "keep_alive_max": s.keep_alive_max,
        "keep_alive": s.keep_alive,
        "path": s.path,
        "pathlen": s.pathlen,
        "limit_req_line": s.limit_req_line,
        "limit_req_fieldsize": s.limit_req_fieldsize,
        "limit_req_fields": s.limit_req_fields,
        "options": dict(s.get_options()),
        "config": dict(s.get_config()),
    }


def _read_only(obj, names):
    refused = {}
    for name in names:
        try:
            setattr(obj, name, getattr(obj, name))
            refused[name] = False
        except (AttributeError, TypeError):
            refused[name] = True
    return refused


def handler(req):
    c = req.connection
    c.notes["from-handler"] = "yes"
    out = {
        "server": _server(req.server),
        "same_server_object": req.server is req.server,
        "same_connection_object": req.connection is req.connection,
        "base_server_hostname": c.base_server.server_hostname,
        "local_addr": list(c.local_addr),
        "remote_addr": list(c.remote_addr),
        "remote_ip": c.remote_ip,
        "remote_host": c.remote_host,
        "remote_logname": c.remote_logname,
        "aborted": c.aborted,
        "keepalive": c.keepalive,
        "double_reverse": c.double_reverse,
        "keepalives": c.keepalives,
        "local_ip": c.local_ip,
        "local_host": c.local_host,
        "id": c.id,
        "notes": c.notes.get("from-handler"),
        "main": req.main is None,
        "prev": req.prev is None,
        "next": req.next is None,
        "read_only": _read_only(req.server, ["server_hostname", "port"])
        | _read_only(c, ["remote_ip", "keepalives", "notes"]),
        "config_tree_has_vhost": any(
            d[0].lower() == "<virtualhost" for d in apache.config_tree()),
    }
    apache.log_error("objects-log-via-server", apache.APLOG_ERR, req.server)
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
