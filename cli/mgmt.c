/*
 * auth0 mgmt RESOURCE.METHOD [--PARAM VALUE]... [--body JSON|@FILE|-] [--all]
 *
 * Every Management API operation, driven by libauth0's operations table:
 * --PARAM is a path parameter or a query parameter's wire name (repeated for
 * arrays), or a multipart part (--PART @FILE for the file). Checking of the
 * values (integers, booleans, enums, unknown names) is libauth0's, before
 * anything is sent.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 256

static const char *type_name(const auth0_query_param *q)
{
	switch (q->type) {
	case AUTH0_PARAM_STRING: return "string";
	case AUTH0_PARAM_INTEGER: return "integer";
	case AUTH0_PARAM_BOOLEAN: return "boolean";
	case AUTH0_PARAM_ENUM: return "enum";
	}
	return "?";
}

static bool file_part(const auth0_operation *op, const char *name)
{
	return op->multipart_file_field && strcmp(op->multipart_file_field, name) == 0;
}

static size_t count_path_params(const auth0_operation *op)
{
	size_t n = 0;
	while (op->path_params && op->path_params[n])
		n++;
	return n;
}

static void print_synopsis(FILE *out, const auth0_operation *op)
{
	fprintf(out, "auth0 mgmt %s", op->id);
	for (size_t i = 0; op->path_params && op->path_params[i]; i++)
		fprintf(out, " --%s VALUE", op->path_params[i]);
	for (size_t i = 0; i < op->query_param_count; i++)
		if (op->query_params[i].required)
			fprintf(out, " --%s VALUE", op->query_params[i].name);
	if (op->body_kind == AUTH0_BODY_JSON)
		fputs(" [--body JSON|@FILE|-]", out);
	for (const char *const *f = op->multipart_fields; f && *f; f++)
		fprintf(out, " [--%s %s]", *f, file_part(op, *f) ? "@FILE" : "VALUE");
	if (op->query_param_count)
		fputs(" [--PARAM VALUE]...", out);
	if (op->pagination.kind != AUTH0_PAGINATION_NONE)
		fputs(" [--all]", out);
	fputc('\n', out);
}

static void describe(FILE *out, const auth0_operation *op)
{
	fprintf(out, "%s: %s\n\n  %s %s\n\n", op->id, op->summary ? op->summary : "", op->http_method, op->path);
	fputs("usage: ", out);
	print_synopsis(out, op);
	if (op->path_params && op->path_params[0]) {
		fputs("\nPath parameters (required):\n", out);
		for (size_t i = 0; op->path_params[i]; i++)
			fprintf(out, "  --%s\n", op->path_params[i]);
	}
	if (op->query_param_count) {
		fputs("\nQuery parameters:\n", out);
		for (size_t i = 0; i < op->query_param_count; i++) {
			const auth0_query_param *q = &op->query_params[i];
			fprintf(out, "  --%-28s %s%s%s", q->name, type_name(q), q->required ? ", required" : "",
			        q->repeatable ? ", repeatable" : "");
			if (q->default_value)
				fprintf(out, ", default %s", q->default_value);
			fputc('\n', out);
			if (q->values) {
				fputs("      one of:", out);
				size_t col = 13;
				for (const char *const *v = q->values; *v; v++) {
					size_t w = strlen(*v) + 1;
					if (col + w > 100) {
						fputs("\n             ", out);
						col = 13;
					}
					fprintf(out, " %s", *v);
					col += w;
				}
				fputc('\n', out);
			}
		}
	}
	if (op->body_kind == AUTH0_BODY_JSON)
		fprintf(out, "\nBody: --body with a JSON %s%s%s%s\n", op->body_is_array ? "array" : "object",
		        op->body_type ? " (" : "", op->body_type ? op->body_type : "", op->body_type ? ")" : "");
	if (op->body_kind == AUTH0_BODY_MULTIPART) {
		fputs("\nMultipart parts:\n", out);
		for (const char *const *f = op->multipart_fields; f && *f; f++)
			fprintf(out, "  --%s %s\n", *f, file_part(op, *f) ? "@FILE (a file)" : "VALUE");
	}
	if (op->pagination.kind == AUTH0_PAGINATION_OFFSET)
		fprintf(out, "\nPaginated (offset: %s / %s); items in \"%s\". --all fetches every page.\n",
		        op->pagination.page_param, op->pagination.per_page_param, op->pagination.item_field);
	else if (op->pagination.kind == AUTH0_PAGINATION_CHECKPOINT)
		fprintf(out, "\nPaginated (checkpoint: %s / %s); items in \"%s\". --all fetches every page.\n",
		        op->pagination.cursor_param, op->pagination.limit_param, op->pagination.item_field);
	fprintf(out, "\nAnswer: %s\n", op->response_type ? op->response_type : "none documented");
}

static bool resource_exists(const char *name)
{
	size_t n = 0;
	const auth0_operation *ops = auth0_operations(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ops[i].resource, name) == 0)
			return true;
	return false;
}

static void list_methods(FILE *out, const char *resource)
{
	size_t n = 0, len = strlen(resource);
	const auth0_operation *ops = auth0_operations(&n);
	fprintf(out, "Methods of %s (auth0 mgmt %s.METHOD --help describes one):\n\n", resource, resource);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ops[i].resource, resource) != 0)
			continue;
		fprintf(out, "  %-24s %-6s %s\n", ops[i].method, ops[i].http_method, ops[i].path);
		fputs("      ", out);
		print_synopsis(out, &ops[i]);
	}
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		const char *r = ops[i].resource;
		if (strncmp(r, resource, len) != 0 || r[len] != '.')
			continue;
		/* A sub-resource's methods need not be adjacent in the table (organizations.members sorts
		 * around organizations.members.roles): print each name at its first entry only. */
		size_t k = 0;
		while (k < i && strcmp(ops[k].resource, r) != 0)
			k++;
		if (k < i)
			continue;
		if (!header)
			fputs("\nSub-resources:\n", out);
		header = true;
		fprintf(out, "  %s\n", r);
	}
}

/* Operations whose id starts with `prefix`, as suggestions. */
static void suggest(const char *prefix)
{
	size_t n = 0, len = strlen(prefix), shown = 0;
	const auth0_operation *ops = auth0_operations(&n);
	for (size_t i = 0; i < n && shown < 20; i++)
		if (strncmp(ops[i].id, prefix, len) == 0) {
			fprintf(stderr, "%s  %s\n", shown ? "" : "auth0: did you mean one of:\n", ops[i].id);
			shown++;
		}
}

struct request {
	const char *path_values[AUTH0_MAX_PATH_PARAMS + 1];
	auth0_kv query[MAX_ARGS + 1];
	size_t nquery;
	auth0_multipart_part parts[MAX_ARGS + 1];
	size_t nparts;
	char *files[MAX_ARGS];
	size_t nfiles;
	auth0_kv headers[MAX_ARGS + 1];
	char *header_buf[MAX_ARGS];
	size_t nheaders;
	char *names[MAX_ARGS];
	size_t nnames;
	json_t *body;
	bool all;
	auth0_request_options options;
};

static void request_clear(struct request *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->header_buf[i]);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	json_decref(r->body);
}

static int path_index(const auth0_operation *op, const char *name)
{
	for (size_t i = 0; op->path_params && op->path_params[i]; i++)
		if (strcmp(op->path_params[i], name) == 0)
			return (int)i;
	return -1;
}

/* The table's own spelling of a multipart part name (stable storage), or NULL. */
static const char *part_name(const auth0_operation *op, const char *name)
{
	for (const char *const *f = op->multipart_fields; f && *f; f++)
		if (strcmp(*f, name) == 0)
			return *f;
	return NULL;
}

static int load_body(struct request *r, const char *v)
{
	json_error_t jerr;
	char *text = NULL;
	size_t len = 0;
	if (v[0] == '@' || strcmp(v, "-") == 0) {
		const char *path = v[0] == '@' ? v + 1 : "-";
		text = cli_read_file(path, &len);
		if (!text)
			return errno == EFBIG ? cli_fail(CLI_USAGE, "--body: %s is larger than " CLI_MAX_FILE_TEXT,
			                                 v[0] == '@' ? path : "stdin")
			                      : cli_fail(CLI_USAGE, "--body: cannot read %s: %s", path, strerror(errno));
		v = text;
	} else {
		len = strlen(v);
	}
	json_decref(r->body);
	r->body = json_loadb(v, len, JSON_DECODE_ANY, &jerr);
	free(text);
	if (!r->body)
		return cli_fail(CLI_USAGE, "--body is not JSON: %s (line %d, column %d)", jerr.text, jerr.line,
		                jerr.column);
	return CLI_OK;
}

static int add_part(struct request *r, const auth0_operation *op, const char *name, const char *v)
{
	auth0_multipart_part *p = &r->parts[r->nparts++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	if (file_part(op, name)) {
		if (v[0] != '@')
			return cli_fail(CLI_USAGE, "--%s takes a file: --%s @FILE", name, name);
		size_t len = 0;
		char *data = cli_read_file(v + 1, &len);
		if (!data)
			return errno == EFBIG ? cli_fail(CLI_USAGE, "--%s: %s is larger than " CLI_MAX_FILE_TEXT, name, v + 1)
			                      : cli_fail(CLI_USAGE, "--%s: cannot read %s: %s", name, v + 1, strerror(errno));
		r->files[r->nfiles++] = data;
		const char *slash = strrchr(v + 1, '/');
		p->data = data;
		p->size = len;
		p->filename = slash ? slash + 1 : v + 1;
		size_t fl = strlen(p->filename);
		p->content_type = fl > 5 && strcmp(p->filename + fl - 5, ".json") == 0 ? "application/json"
		                : fl > 4 && strcmp(p->filename + fl - 4, ".csv") == 0 ? "text/csv" : NULL;
	} else {
		p->value = v;
	}
	return CLI_OK;
}

static int add_header(struct request *r, const char *v)
{
	const char *colon = strchr(v, ':');
	if (!colon || colon == v)
		return cli_fail(CLI_USAGE, "--header needs 'Name: value', not '%s'", v);
	char *copy = strdup(v);
	if (!copy)
		return cli_fail(CLI_API, "out of memory");
	copy[colon - v] = '\0';
	const char *value = copy + (colon - v) + 1;
	while (*value == ' ')
		value++;
	r->header_buf[r->nheaders] = copy;
	r->headers[r->nheaders++] = (auth0_kv){ copy, value };
	return CLI_OK;
}

/*
 * The option at argv[*i]: --NAME VALUE or --NAME=VALUE, or one of the flags --all, --help and -h.
 * Its name goes to name (size bytes), its value to *value (NULL for a flag); *i is left on its last
 * argument. The one grammar of both the help scan and parse_args, so that a value that looks like
 * an option (--q -h) is taken as the value it is. quiet: fail without a message.
 */
static int next_option(int argc, char **argv, int *i, char *name, size_t size, const char **value, bool quiet)
{
	const char *arg = strcmp(argv[*i], "-h") == 0 ? "--help" : argv[*i];
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
		return quiet ? CLI_USAGE : cli_fail(CLI_USAGE, "unexpected argument '%s' (parameters are --NAME VALUE)", arg);
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	if (nlen >= size)
		return quiet ? CLI_USAGE : cli_fail(CLI_USAGE, "parameter name too long: %s", arg);
	memcpy(name, arg + 2, nlen);
	name[nlen] = '\0';
	*value = eq ? eq + 1 : NULL;
	if (!eq && (strcmp(name, "all") == 0 || strcmp(name, "help") == 0))
		return CLI_OK;
	if (!*value) {
		if (*i + 1 >= argc)
			return quiet ? CLI_USAGE : cli_fail(CLI_USAGE, "--%s needs a value", name);
		*value = argv[++*i];
	}
	return CLI_OK;
}

/* --help or -h where an option's name goes, before anything is read (--body - would wait on stdin). */
static bool help_asked(int argc, char **argv)
{
	char name[128];
	const char *value;
	for (int i = 2; i < argc && next_option(argc, argv, &i, name, sizeof(name), &value, true) == CLI_OK; i++)
		if (!value && strcmp(name, "help") == 0)
			return true;
	return false;
}

static int parse_args(const auth0_operation *op, int argc, char **argv, struct request *r)
{
	for (int i = 2; i < argc; i++) {
		char name[128];
		const char *value;
		int rc = next_option(argc, argv, &i, name, sizeof(name), &value, false);
		if (rc != CLI_OK)
			return rc;
		if (!value && strcmp(name, "all") == 0) {
			if (op->pagination.kind == AUTH0_PAGINATION_NONE)
				return cli_fail(CLI_USAGE, "--all: %s is not paginated", op->id);
			r->all = true;
			continue;
		}
		if (!value) /* --help: help_asked saw it first */
			continue;
		if (r->nquery >= MAX_ARGS || r->nparts >= MAX_ARGS || r->nheaders >= MAX_ARGS)
			return cli_fail(CLI_USAGE, "too many parameters");
		int idx = path_index(op, name);
		long n;
		if (idx >= 0) {
			if (r->path_values[idx])
				return cli_fail(CLI_USAGE, "--%s given twice", name);
			r->path_values[idx] = value;
		} else if (strcmp(name, "body") == 0) {
			if (op->body_kind != AUTH0_BODY_JSON)
				return cli_fail(CLI_USAGE, "%s takes no JSON body", op->id);
			rc = load_body(r, value);
		} else if (strcmp(name, "header") == 0) {
			rc = add_header(r, value);
		} else if (strcmp(name, "timeout-ms") == 0) {
			if ((rc = cli_parse_long("--timeout-ms", value, 1, 3600000, &n)) == CLI_OK)
				r->options.timeout_ms = n;
		} else if (strcmp(name, "max-retries") == 0) {
			if ((rc = cli_parse_long("--max-retries", value, 0, 10, &n)) == CLI_OK)
				r->options.max_retries = AUTH0_INT(n);
		} else if (part_name(op, name)) {
			rc = add_part(r, op, part_name(op, name), value);
		} else {
			/* A query parameter: libauth0 checks the name and the value. */
			char *copy = strdup(name);
			if (!copy)
				return cli_fail(CLI_API, "out of memory");
			r->names[r->nnames++] = copy;
			r->query[r->nquery++] = (auth0_kv){ copy, value };
		}
		if (rc != CLI_OK)
			return rc;
	}
	size_t np = count_path_params(op);
	for (size_t i = 0; i < np; i++)
		if (!r->path_values[i])
			return cli_fail(CLI_USAGE, "%s needs --%s", op->id, op->path_params[i]);
	return CLI_OK;
}

static int run_all(auth0_client *c, const auth0_operation *op, struct request *r)
{
	auth0_pager *pg = NULL;
	auth0_error *err = NULL;
	auth0_status st = auth0_pager_new(&pg, c, op, r->path_values, r->query, &r->options, &err);
	json_t *all = json_array();
	json_t *items = NULL;
	while (st == AUTH0_OK && (st = auth0_pager_next_page(pg, &items, &err)) == AUTH0_OK && items) {
		json_array_extend(all, items);
		json_decref(items);
	}
	auth0_pager_free(pg);
	if (st != AUTH0_OK) {
		json_decref(all);
		return cli_error(st, err);
	}
	int rc = cli_print_json(all);
	json_decref(all);
	return rc;
}

int cli_mgmt(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *id = argv[1];
	bool help = help_asked(argc, argv);
	const auth0_operation *op = auth0_operation_find(id);
	if (!op) {
		if (resource_exists(id)) {
			list_methods(help ? stdout : stderr, id);
			return help ? CLI_OK : cli_fail(CLI_USAGE, "%s needs a method: auth0 mgmt %s.METHOD", id, id);
		}
		int rc = cli_fail(CLI_USAGE, "unknown operation '%s' (auth0 --help lists the resources)", id);
		const char *dot = strrchr(id, '.');
		char prefix[256];
		snprintf(prefix, sizeof(prefix), "%.*s", dot ? (int)(dot - id) : (int)strlen(id), id);
		suggest(prefix);
		return rc;
	}
	if (help) {
		describe(stdout, op);
		return CLI_OK;
	}

	struct request r;
	memset(&r, 0, sizeof(r));
	int rc = parse_args(op, argc, argv, &r);
	r.query[r.nquery] = (auth0_kv){ NULL, NULL };
	r.parts[r.nparts] = (auth0_multipart_part){ .name = NULL };
	r.headers[r.nheaders] = (auth0_kv){ NULL, NULL };
	r.options.headers = r.headers;
	if (rc != CLI_OK) {
		request_clear(&r);
		return rc;
	}
	auth0_client *c = NULL;
	if ((rc = cli_client(&c, "mgmt", CLI_NEED_MGMT)) != CLI_OK) {
		request_clear(&r);
		return rc;
	}
	if (r.all) {
		rc = run_all(c, op, &r);
	} else {
		json_t *out = NULL;
		auth0_error *err = NULL;
		auth0_status st = auth0_management_call(c, op, r.path_values, r.query, r.body,
		                                        op->body_kind == AUTH0_BODY_MULTIPART ? r.parts : NULL,
		                                        &r.options, &out, &err);
		if (st == AUTH0_OK)
			rc = cli_print_json(out);
		else
			rc = cli_error(st, err);
		json_decref(out);
	}
	auth0_client_free(c);
	request_clear(&r);
	return rc;
}
