#!/usr/bin/env python3
"""Generates libauth0's typed Management API from the operations data.

Reads data/auth0-api/management-operations.json (and wiremock-mappings.json
for the wire-test calls) and writes, relative to the output directory:

  src/include/auth0/management_operations.h  one typed function per operation
  src/management_ops.c                       the operations table + thin wrappers
  t/wire/wire_calls.c                        one call per WireMock mapping

Python 3 standard library only. The output is deterministic, so that
t/unit/gen-fresh.sh can regenerate into a temporary directory and diff.

    tools/gen-management.py [--srcdir DIR] [--outdir DIR]

Both default to the repository holding this script. The generator refuses
data it cannot represent faithfully (a name collision, two path templates of
one method with the same shape, an unknown parameter type) instead of
guessing.
"""

import argparse
import json
import os
import re
import sys

WIDTH = 110
OP_DATA = "data/auth0-api/management-operations.json"
WIREMOCK_DATA = "data/auth0-api/wiremock-mappings.json"
OUT_HEADER = "src/include/auth0/management_operations.h"
OUT_SOURCE = "src/management_ops.c"
OUT_WIRE = "t/wire/wire_calls.c"

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern float for goto if
inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void
volatile while _Bool _Complex _Imaginary bool true false NULL errno""".split())

# Names the wrappers use for their own parameters.
RESERVED_PARAM_NAMES = {"client", "query", "body", "form", "options", "out", "err"}


class DataError(Exception):
    pass


def ident(name):
    """A C identifier for a data name: other characters become '_', keywords get a '_' suffix."""
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if s[0].isdigit():
        s = "_" + s
    if s in C_KEYWORDS:
        s += "_"
    return s


def func_name(op):
    """THE naming rule: auth0_ + resource with '.' as '_' + '_' + method."""
    return "auth0_" + op["resource"].replace(".", "_") + "_" + op["method"]


def c_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif o < 0x20 or o == 0x7F:
            out.append("\\%03o" % o)
        elif o > 0x7E:
            for b in ch.encode("utf-8"):
                out.append("\\%03o" % b)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def col_width(s):
    """Display width of a line with tabs of 8."""
    w = 0
    for ch in s:
        w = (w // 8 + 1) * 8 if ch == "\t" else w + 1
    return w


def wrap_words(words, first_prefix, next_prefix, width=WIDTH):
    lines = []
    cur = first_prefix
    empty = True
    for w in words:
        cand = cur + ("" if empty else " ") + w
        if col_width(cand) > width and (not empty or first_prefix.strip() not in ("", "*")):
            lines.append(cur.rstrip())
            cur = next_prefix + w
        else:
            cur = cand
        empty = False
    lines.append(cur)
    return lines


def comment_text(text):
    """Text safe inside a C comment: no '*/', plain spacing, HTML tags dropped."""
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("*/", "* /").replace("/*", "/ *")
    return " ".join(text.split())


def call_lines(head, args, tail, indent=""):
    """`head(arg, arg,` wrapped at WIDTH, continuation aligned under '(' or
    indented by two tabs when that column is too far right."""
    aligned = _call_lines(head, args, tail, indent, True)
    if all(col_width(line) <= WIDTH for line in aligned):
        return aligned
    return _call_lines(head, args, tail, indent, False)


def _call_lines(head, args, tail, indent, try_align):
    first = indent + head + "("
    align = col_width(first)
    if try_align and align <= 64:
        cont = indent + " " * align
    else:
        align = 999
        cont = indent + "\t\t"
    lines = []
    cur = first
    fresh = True
    for i, a in enumerate(args):
        piece = a + ("," if i + 1 < len(args) else tail)
        if fresh and cur == first and align > 64:
            lines.append(cur)
            cur = cont + piece
        elif fresh:
            cur += piece
        elif col_width(cur + " " + piece) > WIDTH:
            lines.append(cur)
            cur = cont + piece
        else:
            cur += " " + piece
        fresh = False
    if not args:
        cur += tail
    lines.append(cur)
    return lines


def list_lines(head, items, tail, cont="\t"):
    """`head item, item, ...tail` (head ends with "{ " or similar) wrapped at WIDTH."""
    pieces = [it + "," for it in items[:-1]] + [items[-1] + tail] if items else [tail]
    lines = []
    cur = head
    for i, p in enumerate(pieces):
        if i == 0:
            cand = cur + p
        else:
            cand = cur + " " + p
        if col_width(cand) > WIDTH:
            lines.append(cur.rstrip())
            cur = cont + p
        else:
            cur = cand
    lines.append(cur)
    return lines


def string_lines(head, text, first_indent, next_indent):
    """`head "text"`, the literal split into adjacent pieces so that every line fits WIDTH."""
    words = text.split(" ")
    lines = []
    cur_words = []
    prefix = first_indent + head
    for w in words:
        cand = cur_words + [w]
        piece = c_string(" ".join(cand) + " ")
        if cur_words and col_width(prefix + piece) > WIDTH - 1:
            lines.append(prefix + c_string(" ".join(cur_words) + " "))
            prefix = next_indent
            cur_words = [w]
        else:
            cur_words = cand
    lines.append(prefix + c_string(" ".join(cur_words)) + ",")
    return lines


def short_type(t):
    if not t:
        return t
    m = re.fullmatch(r"(Array|Hash)\[(.*)\]", t)
    if m:
        return "%s[%s]" % (m.group(1), ", ".join(short_type(x.strip()) for x in m.group(2).split(",")))
    return t.split("::")[-1]


class Model:
    def __init__(self, ops, mappings):
        self.ops = sorted(ops, key=lambda o: o["id"])
        self.by_id = {o["id"]: o for o in self.ops}
        self.mappings = mappings
        self.check()
        self.enums = {}  # key -> (c name, values)
        self.enum_order = []

    def check(self):
        seen = {}
        for op in self.ops:
            for key in ("id", "resource", "method", "http_method", "path", "path_params", "query_params"):
                if key not in op:
                    raise DataError("%s: no '%s'" % (op.get("id"), key))
            if op["http_method"] not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                raise DataError("%s: unknown HTTP method %s" % (op["id"], op["http_method"]))
            if op["id"] != op["resource"] + "." + op["method"]:
                raise DataError("%s: id is not resource.method" % op["id"])
            names = [func_name(op), func_name(op) + "_query", func_name(op) + "_form"]
            for n in names:
                if n in seen:
                    raise DataError("name collision: %s from %s and %s" % (n, op["id"], seen[n]))
                seen[n] = op["id"]
            placeholders = re.findall(r"\{([^}]*)\}", op["path"])
            if placeholders != op["path_params"]:
                raise DataError("%s: path_params %s do not match the path %s"
                                % (op["id"], op["path_params"], op["path"]))
            for p in op["path_params"]:
                if p in RESERVED_PARAM_NAMES or ident(p) != p:
                    raise DataError("%s: path parameter name %s cannot be a C parameter" % (op["id"], p))
            for seg in op["path"].split("/"):
                if seg == "" or seg in (".", ".."):
                    raise DataError("%s: bad path %s" % (op["id"], op["path"]))
                if "{" in seg and not re.fullmatch(r"\{[a-z_][a-z0-9_]*\}", seg):
                    raise DataError("%s: a placeholder must be a whole segment in %s" % (op["id"], op["path"]))
            qnames = set()
            for q in op["query_params"]:
                if q["name"] in qnames:
                    raise DataError("%s: query parameter %s twice" % (op["id"], q["name"]))
                qnames.add(q["name"])
                if q["type"] not in ("string", "integer", "boolean", "enum"):
                    raise DataError("%s: query parameter %s has unknown type %s" % (op["id"], q["name"], q["type"]))
                if q["type"] == "enum" and not q.get("values"):
                    raise DataError("%s: enum %s has no values" % (op["id"], q["name"]))
                if ident(q["name"]) != q["name"]:
                    raise DataError("%s: query parameter %s is not a C identifier" % (op["id"], q["name"]))
            body = op.get("body")
            if body and body.get("kind") not in ("json", "multipart"):
                raise DataError("%s: unknown body kind %s" % (op["id"], body.get("kind")))
            pg = op.get("pagination")
            if pg and pg.get("kind") not in ("offset", "cursor"):
                raise DataError("%s: unknown pagination %s" % (op["id"], pg.get("kind")))
        # Two templates of one method with the same shape could not be told apart by
        # auth0_operation_match().
        shapes = {}
        for op in self.ops:
            shape = (op["http_method"],) + tuple("{}" if s.startswith("{") else s for s in op["path"].split("/"))
            if shape in shapes:
                raise DataError("%s and %s have the same path shape" % (op["id"], shapes[shape]))
            shapes[shape] = op["id"]

    def enum_ref(self, op, q):
        key = q.get("ref") or (op["id"] + "." + q["name"])
        vals = tuple(q["values"])
        if key in self.enums and self.enums[key][1] != vals:
            key = op["id"] + "." + q["name"]
        if key not in self.enums:
            cname = "enum_" + ident(short_type(key) if q.get("ref") else key.replace(".", "_"))
            used = {v[0] for v in self.enums.values()}
            base, n = cname, 2
            while cname in used:
                cname = "%s_%d" % (base, n)
                n += 1
            self.enums[key] = (cname, vals)
            self.enum_order.append(key)
        return self.enums[key][0]


def default_text(q):
    d = q.get("default")
    if d is None:
        return None
    if isinstance(d, bool):
        return "true" if d else "false"
    return str(d)


def member_decl(q):
    if q.get("repeatable"):
        return "const char *const *"
    return {"string": "const char *", "enum": "const char *", "integer": "auth0_opt_int ",
            "boolean": "auth0_opt_bool "}[q["type"]]


def query_doc(q):
    parts = []
    t = q["type"]
    if q.get("repeatable"):
        parts.append("%s, repeatable (NULL-terminated array)" % t)
    else:
        parts.append(t)
    if q.get("required"):
        parts.append("required")
    dt = default_text(q)
    if dt is not None:
        parts.append("default " + dt)
    if t == "enum":
        parts.append("one of: " + ", ".join(q["values"]))
    return "; ".join(parts)


def body_is_array(body):
    return bool(body) and body.get("api_body_shape") == "array"


def body_doc(op):
    body = op.get("body")
    if not body:
        return []
    if body["kind"] == "multipart":
        fields = body.get("fields") or []
        words = ["%s (%s)," % (f["name"], f["type"]) for f in fields]
        if words:
            words[-1] = words[-1][:-1] + "."
        return [("Form (multipart/form-data, auth0_%s_form):" % (op["resource"].replace(".", "_") + "_" + op["method"]),
                 words)]
    tname = short_type(body.get("type") or body.get("inferred_type") or "")
    shape = body.get("api_body_shape")
    if shape == "array":
        head = "Body: a JSON array%s." % (" (%s)" % tname if tname else "")
        return [(head, [])]
    fields = body.get("fields") or body.get("inferred_fields") or []
    if shape and shape.startswith("object (free-form map)"):
        head = "Body: a JSON object, a free-form map%s." % (" (%s)" % tname if tname else "")
        return [(head, [])]
    if body.get("union_members"):
        head = "Body: a JSON object, one of %s." % ", ".join(short_type(m) if isinstance(m, str) else
                                                             short_type(m.get("type", "?"))
                                                             for m in body["union_members"])
        return [(head, [])]
    head = "Body: a JSON object%s" % (" (%s)" % tname if tname else "")
    if not fields:
        return [(head + ".", [])]
    words = []
    for f in fields:
        t = f.get("type", "?")
        if t == "enum" and f.get("values"):
            t = "enum: " + " | ".join(f["values"])
        extra = ", required" if f.get("required") else ""
        words.append("%s (%s%s)," % (f["name"], t, extra))
    words[-1] = words[-1][:-1] + "."
    return [(head + ":", " ".join(words).split())]


def pagination_doc(op):
    pg = op.get("pagination")
    if not pg:
        return None
    if pg["kind"] == "offset":
        return ("Pagination: offset (%s from %s, %s); items in \"%s\". auth0_pager_new() walks every page."
                % (pg["page_param"], pg.get("first_page", 0), pg["per_page_param"], pg["item_field"]))
    return ("Pagination: checkpoint (%s / %s, next cursor in \"%s\"); items in \"%s\". auth0_pager_new() walks "
            "every page." % (pg["cursor_param"], pg["limit_param"], pg["next_cursor_field"], pg["item_field"]))


def wrapper_params(op):
    """(C parameter declarations, documentation names) of the typed function."""
    params = ["auth0_client *client"]
    for p in op["path_params"]:
        params.append("const char *%s" % p)
    fn = func_name(op)
    if op["query_params"]:
        params.append("const %s_query *query" % fn)
    body = op.get("body")
    if body and body["kind"] == "json":
        params.append("const json_t *body")
    elif body and body["kind"] == "multipart":
        params.append("const %s_form *form" % fn)
    params += ["const auth0_request_options *options", "json_t **out", "auth0_error **err"]
    return params


def gen_header(model, source):
    L = []
    L.append("/*")
    L.append(" * Generated by tools/gen-management.py from data/auth0-api/management-operations.json")
    L.append(" * (%s %s, commit %s): %d operations. Do not edit; run `make regen`."
             % (source.get("repository", "?"), source.get("version", "?"), source.get("commit", "?")[:12],
                len(model.ops)))
    L.append(" *")
    L.append(" * Naming rule (one for everything): the operation `RESOURCE.METHOD` (its id in the data, e.g.")
    L.append(" * users.roles.assign) is the function auth0_ + RESOURCE with every '.' replaced by '_' + '_' +")
    L.append(" * METHOD (auth0_users_roles_assign). Its query parameters, if it has any, are the members of")
    L.append(" * auth0_RESOURCE_METHOD_query, named exactly as on the wire (triggerId, per_page, ...); the")
    L.append(" * multipart operation's parts are the members of auth0_RESOURCE_METHOD_form. Path parameters")
    L.append(" * are the function's parameters, named as in the data, in path order.")
    L.append(" *")
    L.append(" * Types: string and enum parameters are `const char *` (NULL = not sent); integers are")
    L.append(" * auth0_opt_int and booleans auth0_opt_bool (zero = not sent; AUTH0_INT(0) and")
    L.append(" * AUTH0_BOOL(false) are sent); repeatable ones are NULL-terminated `const char *const *`")
    L.append(" * arrays, sent as repeated keys. Enum values are checked before any request. A parameter")
    L.append(" * with a default is sent with it when left unset (the Ruby SDK's defaults: page 0, per_page")
    L.append(" * 50, include_totals true, take 50, ...). `query` (and `form`) may be NULL when nothing is set.")
    L.append(" *")
    L.append(" * Every function: returns AUTH0_OK and the parsed answer in *out (may be NULL), or an error")
    L.append(" * in *err; see auth0/management.h for request options, answers, retries and tokens.")
    L.append(" */")
    L.append("#ifndef AUTH0_MANAGEMENT_OPERATIONS_H")
    L.append("#define AUTH0_MANAGEMENT_OPERATIONS_H")
    L.append("")
    L.append('#include "management.h"')
    L.append("")
    L.append("#ifdef __cplusplus")
    L.append('extern "C" {')
    L.append("#endif")
    top = None
    for op in model.ops:
        t = op["resource"].split(".")[0]
        if t != top:
            top = t
            L.append("")
            bar = "/* ---- %s " % t
            L.append(bar + "-" * max(4, 100 - len(bar)) + " */")
        L.append("")
        L.extend(op_doc(op))
        fn = func_name(op)
        if op["query_params"]:
            L.append("typedef struct %s_query {" % fn)
            decls = [(member_decl(q) + q["name"] + ";", q) for q in op["query_params"]]
            width = max(len(d) for d, _ in decls)
            width = min(max(width + 1, 32), 56)
            for d, q in decls:
                note = query_member_note(q)
                line = "\t" + d
                if note:
                    line = line + " " * max(1, width - len(d)) + "/* " + note + " */"
                    if col_width(line) > WIDTH:
                        line = "\t" + d + " /* " + note + " */"
                        if col_width(line) > WIDTH:
                            line = "\t" + d
                L.append(line)
            L.append("} %s_query;" % fn)
            L.append("")
        body = op.get("body")
        if body and body["kind"] == "multipart":
            L.append("typedef struct %s_form {" % fn)
            for f in body.get("fields") or []:
                if f["type"] == "file":
                    L.append("\tauth0_file %s;" % ident(f["name"]))
                else:
                    L.append("\tconst char *%s;" % ident(f["name"]))
            L.append("} %s_form;" % fn)
            L.append("")
        L.extend(call_lines("AUTH0_EXTERN auth0_status " + fn, wrapper_params(op), ");"))
    L.append("")
    L.append("#ifdef __cplusplus")
    L.append("}")
    L.append("#endif")
    L.append("#endif")
    return "\n".join(L) + "\n"


def query_member_note(q):
    bits = []
    if q.get("required"):
        bits.append("required")
    dt = default_text(q)
    if dt is not None:
        bits.append("default " + dt)
    if q["type"] == "enum":
        bits.append("enum")
    return ", ".join(bits)


def op_doc(op):
    D = []
    summary = comment_text(op.get("summary") or "")
    D.extend(wrap_words(("%s: %s" % (op["id"], summary)).split(), " * ", " * "))
    D.append(" *")
    D.append(" * %s %s" % (op["http_method"], op["path"]))
    if op["path_params"]:
        types = op.get("path_param_types") or {}
        words = []
        for p in op["path_params"]:
            words.append("%s%s," % (p, " (%s)" % types[p] if types.get(p, "string") != "string" else ""))
        words[-1] = words[-1][:-1] + "."
        D.extend(wrap_words(["Path:"] + words, " * ", " *   "))
    if op["query_params"]:
        D.append(" * Query:")
        for q in op["query_params"]:
            D.extend(wrap_words(("%s: %s." % (q["name"], query_doc(q))).split(), " *   ", " *       "))
    for head, words in body_doc(op):
        D.extend(wrap_words(head.split() + words, " * ", " *   "))
    pd = pagination_doc(op)
    if pd:
        D.extend(wrap_words(pd.split(), " * ", " *   "))
    rt = op.get("response_type")
    if rt:
        D.extend(wrap_words(("Answer: %s." % short_type(rt)).split(), " * ", " *   "))
    else:
        D.append(" * Answer: none documented (*out is NULL unless the API sends a body).")
    D = ["/*"] + D + [" */"]
    return D


def gen_source(model):
    L = []
    L.append("/*")
    L.append(" * Generated by tools/gen-management.py from data/auth0-api/management-operations.json.")
    L.append(" * Do not edit; run `make regen`.")
    L.append(" *")
    L.append(" * The table of every Management API operation (sorted by id, for auth0_operation_find()) and")
    L.append(" * the typed wrappers of auth0/management_operations.h, each a call of the one dynamic core,")
    L.append(" * a0_management_invoke() (management.c).")
    L.append(" */")
    L.append('#include "internal.h"')
    L.append('#include "management_internal.h"')
    L.append("")
    L.append("#include <stddef.h>")
    L.append("")
    # enums first (collect)
    qtables = []
    for op in model.ops:
        for q in op["query_params"]:
            if q["type"] == "enum":
                model.enum_ref(op, q)
    L.append("/* Enum values. */")
    for key in model.enum_order:
        cname, vals = model.enums[key]
        L.extend(list_lines("static const char *const %s[] = { " % cname, [c_string(v) for v in vals] + ["NULL"],
                            " };"))
    L.append("")
    L.append("/* Path parameters, query parameters, multipart fields and typed-query layouts per operation. */")
    for op in model.ops:
        cid = ident(op["id"].replace(".", "_"))
        if op["path_params"]:
            L.extend(list_lines("static const char *const p_%s[] = { " % cid,
                                [c_string(p) for p in op["path_params"]] + ["NULL"], " };"))
        if op["query_params"]:
            L.append("static const auth0_query_param q_%s[] = {" % cid)
            for q in op["query_params"]:
                t = {"string": "AUTH0_PARAM_STRING", "integer": "AUTH0_PARAM_INTEGER",
                     "boolean": "AUTH0_PARAM_BOOLEAN", "enum": "AUTH0_PARAM_ENUM"}[q["type"]]
                dt = default_text(q)
                vals = model.enum_ref(op, q) if q["type"] == "enum" else "NULL"
                words = ["{", c_string(q["name"]) + ",", t + ",", ("true" if q.get("required") else "false") + ",",
                         ("true" if q.get("repeatable") else "false") + ",",
                         (c_string(dt) if dt is not None else "NULL") + ",", vals, "},"]
                L.extend(wrap_words(words, "\t", "\t  "))
            L.append("};")
            fn = func_name(op)
            L.extend(list_lines("static const size_t o_%s[] = { " % cid,
                                ["offsetof(%s_query, %s)" % (fn, q["name"]) for q in op["query_params"]], " };"))
            qtables.append(cid)
        body = op.get("body")
        if body and body["kind"] == "multipart":
            L.extend(list_lines("static const char *const m_%s[] = { " % cid,
                                [c_string(f["name"]) for f in body.get("fields") or []] + ["NULL"], " };"))
    L.append("")
    L.append("const auth0_operation a0_management_operations[] = {")
    for i, op in enumerate(model.ops):
        cid = ident(op["id"].replace(".", "_"))
        body = op.get("body")
        pg = op.get("pagination")
        kind = "AUTH0_BODY_NONE"
        if body:
            kind = "AUTH0_BODY_JSON" if body["kind"] == "json" else "AUTH0_BODY_MULTIPART"
        btype = None
        if body:
            btype = short_type(body.get("type") or body.get("inferred_type") or "") or None
        file_field = None
        if body and body["kind"] == "multipart":
            for f in body.get("fields") or []:
                if f["type"] == "file":
                    file_field = f["name"]
        if pg and pg["kind"] == "offset":
            pag = ["AUTH0_PAGINATION_OFFSET", ".item_field = " + c_string(pg["item_field"]),
                   ".page_param = " + c_string(pg["page_param"]),
                   ".per_page_param = " + c_string(pg["per_page_param"])]
        elif pg:
            pag = ["AUTH0_PAGINATION_CHECKPOINT", ".item_field = " + c_string(pg["item_field"]),
                   ".cursor_param = " + c_string(pg["cursor_param"]),
                   ".limit_param = " + c_string(pg["limit_param"]),
                   ".next_field = " + c_string(pg["next_cursor_field"])]
        else:
            pag = None
        rt = short_type(op.get("response_type") or "") or None
        L.append("\t/* %d */ {" % i)
        L.extend(list_lines("\t\t", [".id = " + c_string(op["id"]), ".resource = " + c_string(op["resource"]),
                                       ".method = " + c_string(op["method"])], ",", "\t\t"))
        L.append("\t\t.http_method = %s, .path = %s," % (c_string(op["http_method"]), c_string(op["path"])))
        if op["path_params"]:
            L.append("\t\t.path_params = p_%s," % cid)
        if op["query_params"]:
            L.extend(list_lines("\t\t", [".query_params = q_%s" % cid,
                                          ".query_param_count = %d" % len(op["query_params"])], ",", "\t\t"))
        items = [".body_kind = %s" % kind]
        if btype:
            items.append(".body_type = %s" % c_string(btype))
        if body_is_array(body):
            items.append(".body_is_array = true")
        L.extend(list_lines("\t\t", items, ",", "\t\t"))
        if body and body["kind"] == "multipart":
            L.append("\t\t.multipart_fields = m_%s, .multipart_file_field = %s," % (
                cid, c_string(file_field) if file_field else "NULL"))
        if pag:
            L.extend(list_lines("\t\t.pagination = { ", pag, " },", "\t\t\t"))
        if rt:
            L.append("\t\t.response_type = %s," % c_string(rt))
        summary = comment_text(op.get("summary") or "")
        L.extend(string_lines(".summary = ", summary, "\t\t", "\t\t\t"))
        L.append("\t},")
    L.append("};")
    L.append("")
    L.append("const size_t a0_management_operation_count = A0_ARRAY_LEN(a0_management_operations);")
    L.append("")
    L.append("/* Typed wrappers. */")
    for i, op in enumerate(model.ops):
        cid = ident(op["id"].replace(".", "_"))
        fn = func_name(op)
        L.append("")
        L.extend(call_lines("auth0_status " + fn, wrapper_params(op), ")"))
        L.append("{")
        if op["path_params"]:
            L.append("\tconst char *const path[] = { %s, NULL };" % ", ".join(op["path_params"]))
        body = op.get("body")
        parts_arg = "NULL"
        if body and body["kind"] == "multipart":
            fields = body.get("fields") or []
            L.append("\tauth0_multipart_part parts[%d];" % (len(fields) + 1))
            L.append("\tsize_t n = 0;")
            L.append("\tif (form) {")
            for f in fields:
                m = ident(f["name"])
                head = "\t\t\tparts[n++] = (auth0_multipart_part){ "
                cont = "\t\t\t" + " " * (len(head) - 3)
                if f["type"] == "file":
                    L.append("\t\tif (form->%s.data)" % m)
                    L.extend(list_lines(head, [".name = " + c_string(f["name"]), ".data = form->%s.data" % m,
                                               ".size = form->%s.size" % m, ".filename = form->%s.filename" % m,
                                               ".content_type = form->%s.content_type" % m], " };", cont))
                else:
                    L.append("\t\tif (form->%s)" % m)
                    L.extend(list_lines(head, [".name = " + c_string(f["name"]), ".value = form->%s" % m], " };",
                                        cont))
            L.append("\t}")
            L.append("\tparts[n] = (auth0_multipart_part){ .name = NULL };")
            parts_arg = "parts"
        args = ["client", "&a0_management_operations[%d]" % i, "path" if op["path_params"] else "NULL",
                "query" if op["query_params"] else "NULL", ("o_" + cid) if op["query_params"] else "NULL",
                "body" if body and body["kind"] == "json" else "NULL", parts_arg, "options", "out", "err"]
        L.extend(call_lines("return a0_management_invoke", args, ");", indent="\t"))
        L.append("}")
    return "\n".join(L) + "\n"


def mapping_op(model, m):
    """The operation a WireMock mapping belongs to: same method, same path once placeholders are blanked."""
    req = m["request"]
    tmpl = req["urlPathTemplate"].lstrip("/")
    norm = re.sub(r"\{[^}]*\}", "{}", tmpl)
    hits = [op for op in model.ops if op["http_method"] == req["method"]
            and re.sub(r"\{[^}]*\}", "{}", op["path"]) == norm]
    named = [op for op in hits if (op.get("wiremock") or {}).get("mapping") == m.get("name")]
    if len(named) == 1:
        return named[0], tmpl
    if len(hits) == 1:
        return hits[0], tmpl
    raise DataError("mapping %r matches %d operations" % (m.get("name"), len(hits)))


def wire_case(model, m):
    """C statements for one mapping: declarations, the call, and the concrete URL path."""
    op, tmpl = mapping_op(model, m)
    req = m["request"]
    api_names = re.findall(r"\{([^}]*)\}", tmpl)
    if len(api_names) != len(op["path_params"]):
        raise DataError("mapping %r: %d placeholders, operation %s has %d"
                        % (m["name"], len(api_names), op["id"], len(op["path_params"])))
    matchers = req.get("pathParameters") or {}
    values = []
    for api_name, name in zip(api_names, op["path_params"]):
        mt = matchers.get(api_name)
        if mt is not None:
            if "equalTo" not in mt:
                raise DataError("mapping %r: path matcher %s is not equalTo" % (m["name"], mt))
            values.append(mt["equalTo"])
        else:
            values.append(name)
    url_path = "/" + tmpl
    for api_name, v in zip(api_names, values):
        if re.search(r"[^A-Za-z0-9*._-]", v):
            raise DataError("mapping %r: path value %r would need encoding" % (m["name"], v))
        url_path = url_path.replace("{" + api_name + "}", v, 1)
    qparams = {q["name"]: q for q in op["query_params"]}
    inits = []
    arrays = []
    for name, mt in (req.get("queryParameters") or {}).items():
        q = qparams.get(name)
        if q is None:
            raise DataError("mapping %r: query parameter %s unknown to %s" % (m["name"], name, op["id"]))
        if "hasExactly" in mt:
            vals = [x["equalTo"] for x in mt["hasExactly"]]
            arr = "v_%s" % ident(name)
            arrays.append("\tstatic const char *const %s[] = { %s, NULL };"
                          % (arr, ", ".join(c_string(v) for v in vals)))
            inits.append(".%s = %s" % (name, arr))
            continue
        if "equalTo" not in mt:
            raise DataError("mapping %r: query matcher %s is not supported" % (m["name"], mt))
        v = mt["equalTo"]
        if q.get("repeatable"):
            arr = "v_%s" % ident(name)
            arrays.append("\tstatic const char *const %s[] = { %s, NULL };" % (arr, c_string(v)))
            inits.append(".%s = %s" % (name, arr))
        elif q["type"] == "integer":
            inits.append(".%s = AUTH0_INT(%d)" % (name, int(v)))
        elif q["type"] == "boolean":
            if v not in ("true", "false"):
                raise DataError("mapping %r: boolean %s is %r" % (m["name"], name, v))
            inits.append(".%s = AUTH0_BOOL(%s)" % (name, v))
        else:
            inits.append(".%s = %s" % (name, c_string(v)))
    fn = func_name(op)
    body = op.get("body")
    S = []
    S.extend(arrays)
    args = ["c"] + [c_string(v) for v in values]
    if op["query_params"]:
        if inits:
            S.extend(list_lines("\tconst %s_query q = { " % fn, inits, " };", "\t\t"))
        else:
            S.append("\tconst %s_query q = { 0 };" % fn)
        args.append("&q")
    if body and body["kind"] == "json":
        S.append("\tjson_t *body = %s;" % ("json_array()" if body_is_array(body) else "json_object()"))
        args.append("body")
    elif body and body["kind"] == "multipart":
        fields = body.get("fields") or []
        inits = []
        for f in fields:
            if f["type"] == "file":
                inits.append('.%s = { "[]", 2, "users.json", "application/json" }' % ident(f["name"]))
            elif f["name"] == "connection_id":
                inits.append('.%s = "con_wire"' % ident(f["name"]))
        S.extend(list_lines("\tconst %s_form form = { " % fn, inits, " };", "\t\t"))
        args.append("&form")
    args += ["o", "out", "err"]
    S.extend(call_lines("auth0_status st = " + fn, args, ");", indent="\t"))
    if body and body["kind"] == "json":
        S.append("\tjson_decref(body);")
    S.append("\treturn st;")
    return op, url_path, S


def gen_wire(model):
    L = []
    L.append("/*")
    L.append(" * Generated by tools/gen-management.py from data/auth0-api/wiremock-mappings.json and")
    L.append(" * management-operations.json. Do not edit; run `make regen`.")
    L.append(" *")
    L.append(" * One case per WireMock mapping: the typed function of its operation, called with the")
    L.append(" * values the mapping's path and query matchers expect (equalTo strings as the parameter's")
    L.append(" * type, hasExactly as a repeated key), an empty object or array as a JSON body, and a")
    L.append(" * two-byte file for the multipart upload. t/wire/test_wire.c runs them.")
    L.append(" */")
    L.append('#include "wire_calls.h"')
    L.append("")
    cases = []
    for idx, m in enumerate(model.mappings):
        try:
            op, url_path, S = wire_case(model, m)
        except DataError as e:
            # Left out, with the reason: test_wire lists it.
            cases.append((m, None, None, None, str(e)))
            continue
        fname = "wire_%03d" % idx
        L.append("/* %s */" % comment_text(m.get("name", "")))
        L.append("static auth0_status %s(auth0_client *c, const auth0_request_options *o, json_t **out," % fname)
        L.append("%sauth0_error **err)" % (" " * len("static auth0_status %s(" % fname)))
        L.append("{")
        L.extend(S)
        L.append("}")
        L.append("")
        cases.append((m, op, url_path, fname, None))
    L.append("const wire_case wire_cases[] = {")
    for m, op, url_path, fname, why in cases:
        L.extend(list_lines("\t{ ", [c_string(m.get("id") or m.get("uuid")), c_string(m.get("name", "")),
                                     c_string(op["id"]) if op else "NULL", c_string(m["request"]["method"]),
                                     c_string(url_path) if url_path else "NULL", fname or "NULL",
                                     c_string(why) if why else "NULL"], " },", "\t  "))
    L.append("};")
    L.append("")
    L.append("const size_t wire_case_count = sizeof(wire_cases) / sizeof(wire_cases[0]);")
    return "\n".join(L) + "\n"


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", default=here, help="the repository (where data/ is)")
    ap.add_argument("--outdir", default=None, help="where to write (default: srcdir)")
    args = ap.parse_args()
    outdir = args.outdir or args.srcdir
    with open(os.path.join(args.srcdir, OP_DATA), encoding="utf-8") as f:
        data = json.load(f)
    with open(os.path.join(args.srcdir, WIREMOCK_DATA), encoding="utf-8") as f:
        wm = json.load(f)
    try:
        model = Model(data["operations"], wm["mappings"])
        if data.get("operation_count") not in (None, len(model.ops)):
            raise DataError("operation_count %s but %d operations" % (data.get("operation_count"), len(model.ops)))
        outputs = {
            OUT_HEADER: gen_header(model, data.get("source") or {}),
            OUT_SOURCE: gen_source(model),
            OUT_WIRE: gen_wire(model),
        }
    except DataError as e:
        print("gen-management: %s" % e, file=sys.stderr)
        return 1
    for rel, text in outputs.items():
        path = os.path.join(outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
