/*
 * config.c -- mod_python's directives and configuration records.
 *
 * Directive callbacks only record what the configuration says; they never
 * start Python (the parent process stays free of it).  Whatever can be
 * validated without Python is validated here, so a bad argument stops Apache
 * at start-up with a message naming the directive.
 */
#include "config.h"
#include "watchdog.h"
#include "apr_lib.h"
#include "mp_log.h"
#include "mp_build_config.h"

const char *const mp_phase_names[MP_PHASE_COUNT] = {
    "PythonPostReadRequestHandler",
    "PythonTransHandler",
    "PythonHeaderParserHandler",
    "PythonInitHandler",
    "PythonAccessHandler",
    "PythonAuthenHandler",
    "PythonAuthzHandler",
    "PythonTypeHandler",
    "PythonFixupHandler",
    "PythonHandler",
    "PythonLogHandler",
    "PythonCleanupHandler",
};

int
mp_phase_from_name(const char *name)
{
    int i;

    for (i = 0; i < MP_PHASE_COUNT; i++) {
        if (strcasecmp(name, mp_phase_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void *
mp_create_dir_config(apr_pool_t *p, char *dir)
{
    mp_dir_config *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->options = apr_table_make(p, 4);
    conf->debug = MP_UNSET;
    conf->autoreload = MP_UNSET;
    conf->interp_per_directory = MP_UNSET;
    conf->interp_per_directive = MP_UNSET;
    conf->enable_pdb = MP_UNSET;
    conf->request_timeout = -1;
    conf->timeout_action = MP_TIMEOUT_ACTION_UNSET;
    return conf;
}

static mp_flag
merge_flag(mp_flag base, mp_flag add)
{
    return add == MP_UNSET ? base : add;
}

void *
mp_merge_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    const mp_dir_config *base = basev;
    const mp_dir_config *add = addv;
    mp_dir_config *conf = apr_pcalloc(p, sizeof(*conf));
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    int i;

    /* A section that names handlers for a phase replaces its parent's list
     * for that phase; it does not append to it. */
    for (i = 0; i < MP_PHASE_COUNT; i++) {
        conf->handlers[i] = add->handlers[i] ? add->handlers[i]
                                             : base->handlers[i];
    }
    conf->app_location_set = add->app_location_set
                             || base->app_location_set;
    conf->app_location = add->app_location_set ? add->app_location
                                                : base->app_location;

    /* Options accumulate; an empty value in the child removes the key. */
    if (apr_is_empty_table(add->options)) {
        conf->options = base->options;
    }
    else {
        conf->options = apr_table_copy(p, base->options);
        arr = apr_table_elts(add->options);
        e = (const apr_table_entry_t *)arr->elts;
        for (i = 0; i < arr->nelts; i++) {
            if (e[i].val[0] == '\0') {
                apr_table_unset(conf->options, e[i].key);
            }
            else {
                apr_table_set(conf->options, e[i].key, e[i].val);
            }
        }
    }

    conf->interpreter = add->interpreter ? add->interpreter
                                         : base->interpreter;
    conf->python_path = add->python_path ? add->python_path
                                         : base->python_path;
    conf->debug = merge_flag(base->debug, add->debug);
    conf->autoreload = merge_flag(base->autoreload, add->autoreload);
    conf->interp_per_directory = merge_flag(base->interp_per_directory,
                                            add->interp_per_directory);
    conf->interp_per_directive = merge_flag(base->interp_per_directive,
                                            add->interp_per_directive);
    conf->enable_pdb = merge_flag(base->enable_pdb, add->enable_pdb);
    /* As Apache's own AuthMerging Off: a section with Require lines
     * replaces its parent's. */
    conf->requires = add->requires ? add->requires : base->requires;
    conf->request_timeout = add->request_timeout >= 0
                            ? add->request_timeout : base->request_timeout;
    conf->timeout_action = add->timeout_action != MP_TIMEOUT_ACTION_UNSET
                           ? add->timeout_action : base->timeout_action;
    return conf;
}

void *
mp_create_server_config(apr_pool_t *p, server_rec *s)
{
    mp_server_config *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->options = apr_table_make(p, 4);
    conf->imports = apr_array_make(p, 2, sizeof(mp_import));
    conf->filters = apr_hash_make(p);
    conf->optimize = MP_UNSET;
    return conf;
}

void *
mp_merge_server_config(apr_pool_t *p, void *basev, void *addv)
{
    const mp_server_config *base = basev;
    const mp_server_config *add = addv;
    mp_server_config *conf = apr_pcalloc(p, sizeof(*conf));

    /* A virtual host sees the main server's global options and its own. */
    conf->options = apr_table_overlay(p, base->options, add->options);
    conf->imports = add->imports;
    conf->filters = apr_hash_overlay(p, add->filters, base->filters);
    conf->connection = add->connection ? add->connection
                                       : base->connection;
    conf->optimize = merge_flag(base->optimize, add->optimize);
    conf->timeouts = base->timeouts | add->timeouts;
    conf->python_home = add->python_home ? add->python_home
                                         : base->python_home;
    conf->python_home_is_venv = add->python_home ? add->python_home_is_venv
                                                 : base->python_home_is_venv;
    return conf;
}

/* The directory a directive applies to, with a trailing slash, or NULL for
 * server-level directives and <Location>/<Files>-only sections (a URL is not
 * a directory, and must not land on sys.path). */
static const char *
directive_directory(cmd_parms *cmd)
{
    const ap_directive_t *d;
    const char *args, *word;

    if (cmd->path == NULL) {
        return NULL;
    }
    if (cmd->directive == NULL || cmd->directive->parent == NULL) {
        /* .htaccess: cmd->path is the directory holding the file. */
        return cmd->path;
    }
    for (d = cmd->directive->parent; d != NULL; d = d->parent) {
        if (strcasecmp(d->directive, "<Location") == 0
            || strcasecmp(d->directive, "<LocationMatch") == 0
            || strcasecmp(d->directive, "<DirectoryMatch") == 0) {
            return NULL;
        }
        if (strcasecmp(d->directive, "<Directory") == 0) {
            if (d == cmd->directive->parent) {
                /* Apache has already made it absolute, with a slash. */
                return cmd->path;
            }
            /* Nested in <Files>: cmd->path is the file pattern, so take
             * the directory from the section's own argument. */
            args = apr_pstrdup(cmd->temp_pool, d->args);
            if (args[0] && args[strlen(args) - 1] == '>') {
                ((char *)args)[strlen(args) - 1] = '\0';
            }
            word = ap_getword_conf(cmd->pool, &args);
            if (word[0] == '~') {
                return NULL;
            }
            word = ap_server_root_relative(cmd->pool, word);
            if (word && word[0] && word[strlen(word) - 1] != '/') {
                word = apr_pstrcat(cmd->pool, word, "/", NULL);
            }
            return word;
        }
    }
    return NULL;
}

/* The path of the <Location> section (not <LocationMatch>) a directive is
 * in, or NULL. */
static const char *
directive_location(cmd_parms *cmd)
{
    const ap_directive_t *d;

    if (cmd->path == NULL || cmd->directive == NULL) {
        return NULL;
    }
    for (d = cmd->directive->parent; d != NULL; d = d->parent) {
        if (strcasecmp(d->directive, "<Location") == 0) {
            return cmd->path;
        }
        if (strcasecmp(d->directive, "<LocationMatch") == 0
            || strcasecmp(d->directive, "<Directory") == 0
            || strcasecmp(d->directive, "<DirectoryMatch") == 0) {
            return NULL;
        }
    }
    return NULL;
}

static const char *
add_handlers(cmd_parms *cmd, mp_dir_config *conf, int phase,
             const char *args, int silent)
{
    apr_array_header_t *names = apr_array_make(cmd->temp_pool, 2,
                                               sizeof(const char *));
    apr_array_header_t *exts = NULL;
    const char *directory = directive_directory(cmd);
    const char *word;
    const char **extlist = NULL;
    int i, after_bar = 0;

    while (*args) {
        word = ap_getword_conf(cmd->pool, &args);
        if (word[0] == '\0') {
            break;
        }
        if (strcmp(word, "|") == 0) {
            if (after_bar) {
                return apr_psprintf(cmd->pool, "%s: more than one '|'",
                                    cmd->cmd->name);
            }
            after_bar = 1;
            exts = apr_array_make(cmd->pool, 2, sizeof(const char *));
            continue;
        }
        if (after_bar) {
            if (word[0] != '.') {
                return apr_psprintf(cmd->pool,
                                    "%s: '%s' after '|' is not a file "
                                    "extension (it must start with '.')",
                                    cmd->cmd->name, word);
            }
            *(const char **)apr_array_push(exts) = word;
        }
        else {
            if (word[0] == ':' || strstr(word, ":::") != NULL
                || (word[strlen(word) - 1] == ':')) {
                return apr_psprintf(cmd->pool,
                                    "%s: '%s' is not of the form "
                                    "module[::object]", cmd->cmd->name, word);
            }
            *(const char **)apr_array_push(names) = word;
        }
    }
    if (names->nelts == 0) {
        return apr_psprintf(cmd->pool, "%s needs at least one handler",
                            cmd->cmd->name);
    }
    if (after_bar) {
        if (exts->nelts == 0) {
            return apr_psprintf(cmd->pool,
                                "%s: '|' must be followed by extensions",
                                cmd->cmd->name);
        }
        *(const char **)apr_array_push(exts) = NULL;
        extlist = (const char **)exts->elts;
    }

    if (conf->handlers[phase] == NULL) {
        conf->handlers[phase] = apr_array_make(cmd->pool, 2,
                                               sizeof(mp_handler));
    }
    if (phase == MP_PHASE_HANDLER) {
        conf->app_location = directive_location(cmd);
        conf->app_location_set = 1;
    }
    for (i = 0; i < names->nelts; i++) {
        mp_handler *h = apr_array_push(conf->handlers[phase]);
        h->handler = ((const char **)names->elts)[i];
        h->directory = directory;
        h->exts = extlist;
        h->silent = silent;
        /* httpd.conf is read into the configuration pool; an .htaccess
         * file into its request's pool. */
        h->persistent = cmd->pool == cmd->server->process->pconf;
    }
    return NULL;
}

/* Python*Handler: the phase is the command's cmd_data. */
static const char *
directive_handler(cmd_parms *cmd, void *mconfig, const char *args)
{
    int phase = (int)(apr_uintptr_t)cmd->info;

    return add_handlers(cmd, mconfig, phase, args, 0);
}

static const char *
directive_handler_module(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_dir_config *conf = mconfig;
    const char *err;
    int phase;

    if (strchr(arg, ':') != NULL || strchr(arg, ' ') != NULL) {
        return "PythonHandlerModule takes a single module name";
    }
    for (phase = 0; phase < MP_PHASE_COUNT; phase++) {
        /* Phases before URI translation only ever see server config. */
        if (cmd->path != NULL && (phase == MP_PHASE_POST_READ_REQUEST
                                  || phase == MP_PHASE_TRANS)) {
            continue;
        }
        err = add_handlers(cmd, conf, phase, arg, 1);
        if (err) {
            return err;
        }
    }
    return NULL;
}

static const char *
directive_flag(cmd_parms *cmd, void *mconfig, int on)
{
    char *base = mconfig;
    mp_flag *f = (mp_flag *)(base + (apr_size_t)cmd->info);

    *f = on ? MP_ON : MP_OFF;
    return NULL;
}

static const char *
directive_interpreter(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_dir_config *conf = mconfig;

    if (arg[0] == '\0') {
        return apr_psprintf(cmd->pool, "%s needs a non-empty name",
                            cmd->cmd->name);
    }
    conf->interpreter = arg;
    return NULL;
}

/* Python is not running in the parent, so PythonPath cannot be evaluated
 * here; but unbalanced brackets or an unterminated string can never
 * evaluate, and are caught now rather than on the first request.  Returns
 * NULL when the text looks like an expression, else what is wrong. */
static const char *
check_expression(const char *text)
{
    char stack[64];
    int depth = 0;
    char quote = 0;
    const char *p;

    for (p = text; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1]) {
                p++;
            }
            else if (*p == quote) {
                quote = 0;
            }
            continue;
        }
        switch (*p) {
        case '\'': case '"':
            quote = *p;
            break;
        case '[': case '(': case '{':
            if (depth == (int)sizeof(stack)) {
                return "brackets nested too deeply";
            }
            stack[depth++] = *p == '[' ? ']' : *p == '(' ? ')' : '}';
            break;
        case ']': case ')': case '}':
            if (depth == 0 || stack[--depth] != *p) {
                return "unbalanced brackets";
            }
            break;
        default:
            break;
        }
    }
    if (quote) {
        return "an unterminated string";
    }
    if (depth) {
        return "unbalanced brackets";
    }
    return NULL;
}

static const char *
directive_path(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_dir_config *conf = mconfig;
    const char *p = arg, *problem;

    while (apr_isspace(*p)) {
        p++;
    }
    if (*p == '\0') {
        return "PythonPath needs a Python list expression, "
               "e.g. \"sys.path + ['/some/dir']\"";
    }
    problem = check_expression(arg);
    if (problem != NULL) {
        return apr_psprintf(cmd->pool, "PythonPath: %s in '%s'", problem,
                            arg);
    }
    conf->python_path = arg;
    return NULL;
}

static const char *
directive_option(cmd_parms *cmd, void *mconfig, const char *key,
                 const char *val)
{
    mp_dir_config *conf = mconfig;
    mp_server_config *sconf;

    if (val == NULL) {
        val = "";
    }
    /* Within one section, an empty value removes what an earlier line of
     * the same section set; the "" marker removes inherited values on
     * merge. */
    apr_table_set(conf->options, key, val);
    if (strcmp(key, "mod_python.wsgi.application") == 0) {
        conf->app_location = directive_location(cmd);
        conf->app_location_set = 1;
    }
    /* Global scope: outside any section, virtual hosts included. */
    if (cmd->path == NULL && !cmd->server->is_virtual) {
        sconf = ap_get_module_config(cmd->server->module_config,
                                     &python_module);
        if (val[0] == '\0') {
            apr_table_unset(sconf->options, key);
        }
        else {
            apr_table_set(sconf->options, key, val);
        }
    }
    return NULL;
}

static const char *
directive_import(cmd_parms *cmd, void *mconfig, const char *module,
                 const char *interp)
{
    mp_server_config *sconf = ap_get_module_config(cmd->server->module_config,
                                                   &python_module);
    mp_import *imp;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err) {
        return err;
    }
    imp = apr_array_push(sconf->imports);
    imp->module = module;
    imp->interpreter = interp;
    return NULL;
}

static const char *
directive_optimize(cmd_parms *cmd, void *mconfig, int on)
{
    mp_server_config *sconf = ap_get_module_config(cmd->server->module_config,
                                                   &python_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    (void)mconfig;
    if (err) {
        return err;
    }
    sconf->optimize = on ? MP_ON : MP_OFF;
    return NULL;
}

/* PythonHome DIR: checked now, in the parent, so that a virtual environment
 * made with another Python stops Apache at start-up with the reason rather
 * than failing in every child (the children start Python with it). */
static const char *
directive_python_home(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_server_config *sconf = ap_get_module_config(cmd->server->module_config,
                                                   &python_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *cfg, *dir, *lib;
    apr_finfo_t fi;
    apr_file_t *f;
    char line[512];

    (void)mconfig;
    if (err) {
        return err;
    }
    dir = ap_server_root_relative(cmd->pool, arg);
    if (dir == NULL || apr_stat(&fi, dir, APR_FINFO_TYPE, cmd->pool)
                       != APR_SUCCESS || fi.filetype != APR_DIR) {
        return apr_psprintf(cmd->pool, MPLOGNO(0300) "PythonHome: '%s' is "
                            "not a directory", arg);
    }
    cfg = apr_pstrcat(cmd->pool, dir, "/pyvenv.cfg", NULL);
    if (apr_file_open(&f, cfg, APR_FOPEN_READ, 0, cmd->pool)
        != APR_SUCCESS) {
        /* Not a virtual environment: then a Python installation of the
         * version mod_python was built with, as PYTHONHOME would take. */
        lib = apr_pstrcat(cmd->pool, dir, "/lib/python" MP_PYTHON_VERSION,
                          NULL);
        if (apr_stat(&fi, lib, APR_FINFO_TYPE, cmd->pool) != APR_SUCCESS
            || fi.filetype != APR_DIR) {
            return apr_psprintf(cmd->pool, MPLOGNO(0301) "PythonHome: '%s' "
                                "is neither a virtual environment (no "
                                "pyvenv.cfg) nor a Python " MP_PYTHON_VERSION
                                " installation (no lib/python"
                                MP_PYTHON_VERSION ")", dir);
        }
        sconf->python_home = dir;
        sconf->python_home_is_venv = 0;
        return NULL;
    }
    /* pyvenv.cfg: "version = 3.11.2" (venv) or "version_info = 3.11.2..."
     * (virtualenv); only X.Y must match, the ABI of extension modules. */
    while (apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        char *key = line, *value = strchr(line, '='), *end;
        int major, minor;

        if (value == NULL) {
            continue;
        }
        *value++ = '\0';
        end = value - 2;
        while (end >= key && apr_isspace(*end)) {
            *end-- = '\0';
        }
        while (apr_isspace(*key)) {
            key++;
        }
        if (strcasecmp(key, "version") != 0
            && strcasecmp(key, "version_info") != 0) {
            continue;
        }
        while (apr_isspace(*value)) {
            value++;
        }
        apr_file_close(f);
        if (sscanf(value, "%d.%d", &major, &minor) != 2) {
            return apr_psprintf(cmd->pool, MPLOGNO(0302) "PythonHome: %s "
                                "has a version mod_python cannot read: %s",
                                cfg, value);
        }
        if (major != PY_MAJOR_VERSION || minor != PY_MINOR_VERSION) {
            return apr_psprintf(cmd->pool, MPLOGNO(0303) "PythonHome: the "
                                "virtual environment %s was made with "
                                "Python %d.%d, but mod_python runs Python "
                                MP_PYTHON_VERSION "; make the environment "
                                "again with python" MP_PYTHON_VERSION
                                " -m venv, or build mod_python against "
                                "Python %d.%d", dir, major, minor, major,
                                minor);
        }
        sconf->python_home = dir;
        sconf->python_home_is_venv = 1;
        return NULL;
    }
    apr_file_close(f);
    return apr_psprintf(cmd->pool, MPLOGNO(0304) "PythonHome: %s names no "
                        "Python version (no 'version' line)", cfg);
}

/* PythonInputFilter / PythonOutputFilter handler name: the filter is
 * registered with Apache now, under its name, for every server. */
static const char *
directive_filter(cmd_parms *cmd, void *mconfig, const char *handler,
                 const char *name)
{
    mp_server_config *sconf = ap_get_module_config(cmd->server->module_config,
                                                   &python_module);
    mp_filter_config *fc;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err) {
        return err;
    }
    if (handler[0] == ':' || handler[strlen(handler) - 1] == ':') {
        return apr_psprintf(cmd->pool, "%s: '%s' is not of the form "
                            "module[::object]", cmd->cmd->name, handler);
    }
    fc = apr_pcalloc(cmd->pool, sizeof(*fc));
    fc->entry.handler = handler;
    fc->entry.persistent = 1;
    fc->name = name;
    fc->is_input = cmd->info != NULL;
    /* Registered with Apache in post_config (mod_python.c). */
    apr_hash_set(sconf->filters, apr_pstrdup(cmd->pool, name),
                 APR_HASH_KEY_STRING, fc);
    return NULL;
}

const mp_filter_config *
mp_filter_config_get(server_rec *s, const char *name)
{
    mp_server_config *sconf = mp_server_conf(s);
    apr_hash_index_t *hi;
    const mp_filter_config *fc;

    fc = apr_hash_get(sconf->filters, name, APR_HASH_KEY_STRING);
    if (fc != NULL) {
        return fc;
    }
    /* Apache matches filter names case-insensitively. */
    for (hi = apr_hash_first(NULL, sconf->filters); hi;
         hi = apr_hash_next(hi)) {
        const void *key;
        void *val;
        apr_hash_this(hi, &key, NULL, &val);
        if (strcasecmp(key, name) == 0) {
            return val;
        }
    }
    return NULL;
}

static const char *
directive_connection_handler(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_server_config *sconf = ap_get_module_config(cmd->server->module_config,
                                                   &python_module);
    mp_handler *h;
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);

    (void)mconfig;
    if (err) {
        return err;
    }
    if (arg[0] == '\0' || arg[0] == ':' || arg[strlen(arg) - 1] == ':') {
        return apr_psprintf(cmd->pool, "PythonConnectionHandler: '%s' is "
                            "not of the form module[::object]", arg);
    }
    h = apr_pcalloc(cmd->pool, sizeof(*h));
    h->handler = arg;
    h->persistent = 1;
    sconf->connection = h;
    return NULL;
}

/* PythonRequestTimeout seconds and PythonRequestTimeoutAction log|restart;
 * the server notes that some section uses them, for child_init. */
static const char *
directive_timeout(cmd_parms *cmd, void *mconfig, const char *arg)
{
    mp_dir_config *conf = mconfig;
    int *used = &mp_server_conf(cmd->server)->timeouts;
    char *end;
    long v;

    if (cmd->info != NULL) {
        if (strcasecmp(arg, "restart") == 0) {
            conf->timeout_action = MP_TIMEOUT_ACTION_RESTART;
            *used |= MP_TIMEOUTS_RESTART;
        }
        else if (strcasecmp(arg, "log") == 0) {
            conf->timeout_action = MP_TIMEOUT_ACTION_LOG;
        }
        else {
            return apr_psprintf(cmd->pool, "PythonRequestTimeoutAction "
                                "takes 'log' or 'restart', not '%s'", arg);
        }
        return NULL;
    }
    v = strtol(arg, &end, 10);
    if (!apr_isdigit(arg[0]) || *end != '\0' || v > 86400) {
        return apr_psprintf(cmd->pool, "PythonRequestTimeout takes whole "
                            "seconds from 0 (off) to 86400, not '%s'", arg);
    }
    conf->request_timeout = (int)v;
    if (v > 0) {
        *used |= MP_TIMEOUTS_SET;
    }
    return NULL;
}

/* Require: Apache 2.4 has no API that lists a request's Require lines
 * (2.2's ap_requires() is gone), so mod_python notes them as the
 * configuration is read and declines (DECLINE_CMD), letting the next
 * module that knows the directive, mod_authz_core, handle it as usual. */
static const char *
directive_require(cmd_parms *cmd, void *mconfig, const char *args)
{
    mp_dir_config *conf = mconfig;

    if (conf->requires == NULL) {
        conf->requires = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    *(const char **)apr_array_push(conf->requires) =
        apr_pstrdup(cmd->pool, args);
    return DECLINE_CMD;
}

#define HANDLER_DIRECTIVE(name, phase, where, help) \
    AP_INIT_RAW_ARGS(name, directive_handler, \
                     (void *)(apr_uintptr_t)(phase), where, help)
#define FLAG_DIRECTIVE(name, field, help) \
    AP_INIT_FLAG(name, directive_flag, \
                 (void *)APR_OFFSETOF(mp_dir_config, field), OR_ALL, help)

const command_rec mp_directives[] = {
    HANDLER_DIRECTIVE("PythonPostReadRequestHandler",
                      MP_PHASE_POST_READ_REQUEST, RSRC_CONF,
                      "Python post-read-request handlers"),
    HANDLER_DIRECTIVE("PythonTransHandler", MP_PHASE_TRANS, RSRC_CONF,
                      "Python URI translation handlers"),
    HANDLER_DIRECTIVE("PythonHeaderParserHandler", MP_PHASE_HEADER_PARSER,
                      OR_ALL, "Python header parser handlers"),
    HANDLER_DIRECTIVE("PythonInitHandler", MP_PHASE_INIT, OR_ALL,
                      "Python init handlers (post-read-request at server "
                      "level, header parser in a directory)"),
    HANDLER_DIRECTIVE("PythonAccessHandler", MP_PHASE_ACCESS, OR_ALL,
                      "Python access handlers"),
    HANDLER_DIRECTIVE("PythonAuthenHandler", MP_PHASE_AUTHEN, OR_ALL,
                      "Python authentication handlers"),
    HANDLER_DIRECTIVE("PythonAuthzHandler", MP_PHASE_AUTHZ, OR_ALL,
                      "Python authorization handlers"),
    HANDLER_DIRECTIVE("PythonTypeHandler", MP_PHASE_TYPE, OR_ALL,
                      "Python type checker handlers"),
    HANDLER_DIRECTIVE("PythonFixupHandler", MP_PHASE_FIXUP, OR_ALL,
                      "Python fixup handlers"),
    HANDLER_DIRECTIVE("PythonHandler", MP_PHASE_HANDLER, OR_ALL,
                      "Python content handlers"),
    HANDLER_DIRECTIVE("PythonLogHandler", MP_PHASE_LOG, OR_ALL,
                      "Python logger handlers"),
    HANDLER_DIRECTIVE("PythonCleanupHandler", MP_PHASE_CLEANUP, OR_ALL,
                      "Python cleanup handlers"),
    AP_INIT_TAKE1("PythonHandlerModule", directive_handler_module, NULL,
                  OR_ALL, "a module providing handlers for every phase"),
    FLAG_DIRECTIVE("PythonDebug", debug,
                   "On: send Python tracebacks to the client"),
    FLAG_DIRECTIVE("PythonAutoReload", autoreload,
                   "Off: do not check modules for changes"),
    FLAG_DIRECTIVE("PythonInterpPerDirectory", interp_per_directory,
                   "On: name interpreters after the file's directory"),
    FLAG_DIRECTIVE("PythonInterpPerDirective", interp_per_directive,
                   "On: name interpreters after the directive's "
                   "directory"),
    FLAG_DIRECTIVE("PythonEnablePdb", enable_pdb,
                   "On: run handlers under pdb (with -DONE_PROCESS)"),
    AP_INIT_TAKE1("PythonInterpreter", directive_interpreter, NULL, OR_ALL,
                  "the name of the Python interpreter to use"),
    AP_INIT_TAKE1("PythonPath", directive_path, NULL, OR_ALL,
                     "a Python list expression that replaces sys.path"),
    AP_INIT_TAKE12("PythonOption", directive_option, NULL, OR_ALL,
                   "a key and value for req.get_options()"),
    AP_INIT_TAKE2("PythonImport", directive_import, NULL, RSRC_CONF,
                  "a module to import at child start, and the "
                  "interpreter to import it in"),
    AP_INIT_FLAG("PythonOptimize", directive_optimize, NULL, RSRC_CONF,
                 "On: like python -O"),
    AP_INIT_TAKE1("PythonHome", directive_python_home, NULL, RSRC_CONF,
                  "a virtual environment (or Python installation) for "
                  "every interpreter"),
    AP_INIT_TAKE2("PythonInputFilter", directive_filter, (void *)1,
                  RSRC_CONF,
                  "a Python input filter: handler and name"),
    AP_INIT_TAKE2("PythonOutputFilter", directive_filter, NULL, RSRC_CONF,
                  "a Python output filter: handler and name"),
    AP_INIT_TAKE1("PythonConnectionHandler", directive_connection_handler,
                  NULL, RSRC_CONF,
                  "a Python connection handler"),
    AP_INIT_TAKE1("PythonRequestTimeout", directive_timeout, NULL,
                  RSRC_CONF | ACCESS_CONF, "seconds after which a Python "
                  "call's stack is logged (0: never)"),
    AP_INIT_TAKE1("PythonRequestTimeoutAction", directive_timeout, (void *)1,
                  RSRC_CONF | ACCESS_CONF, "log (the default), or restart: "
                  "end the child after a call past PythonRequestTimeout"),
    AP_INIT_RAW_ARGS("Require", directive_require, NULL, OR_AUTHCFG,
                     "(noted for req.requires(), then left to "
                     "mod_authz_core)"),
    { NULL }
};

int
mp_handler_applies(const mp_handler *h, const char *filename)
{
    const char *base, *dot;
    const char **ext;

    if (h->exts == NULL) {
        return 1;
    }
    if (filename == NULL) {
        return 0;
    }
    base = strrchr(filename, '/');
    base = base ? base + 1 : filename;
    dot = strrchr(base, '.');
    if (dot == NULL) {
        return 0;
    }
    for (ext = h->exts; *ext; ext++) {
        if (strcmp(*ext, dot) == 0) {
            return 1;
        }
    }
    return 0;
}
