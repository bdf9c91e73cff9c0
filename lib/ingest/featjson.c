/* featjson.c: modalities from JSON lines (the Tiktok feature files), decoded with
 * jansson; one object a line, holding the item id and one value field. */
#include <float.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ingest/featrow.h"

/* ---- where a value sits in the line, for messages (jansson keeps no positions) ---- */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < n ? i + 1 : n;
}

/* The end of the value starting at i (the line is valid JSON: jansson decoded it). */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	int depth = 0;
	if (i < n && s[i] == '"')
		return skip_string(s, n, i);
	if (i < n && (s[i] == '[' || s[i] == '{')) {
		while (i < n) {
			if (s[i] == '"') {
				i = skip_string(s, n, i);
				continue;
			}
			depth += (s[i] == '[' || s[i] == '{') - (s[i] == ']' || s[i] == '}');
			i++;
			if (depth == 0)
				break;
		}
		return i;
	}
	while (i < n && !strchr(",]} \t\r\n", s[i]))
		i++;
	return i;
}

/* The byte span of the top-level member key's value, or of its element index when
 * index >= 0: 0, or -1 if not found (a key written with escapes, say). */
static int locate(const char *s, size_t n, const char *key, long index, size_t *start,
    size_t *end)
{
	size_t i = skip_ws(s, n, 0), klen = strlen(key);
	if (i >= n || s[i] != '{')
		return -1;
	i++;
	for (;;) {
		size_t k0, k1, v;
		i = skip_ws(s, n, i);
		if (i >= n || s[i] != '"')
			return -1;
		k0 = i + 1;
		i = skip_string(s, n, i);
		k1 = i - 1;
		i = skip_ws(s, n, i);
		if (i >= n || s[i] != ':')
			return -1;
		v = skip_ws(s, n, i + 1);
		if (k1 - k0 == klen && memcmp(s + k0, key, klen) == 0) {
			long k;
			if (index < 0 || s[v] != '[') {
				*start = v;
				*end = skip_value(s, n, v);
				return 0;
			}
			i = v + 1;
			for (k = 0;; k++) {
				i = skip_ws(s, n, i);
				if (i >= n || s[i] == ']')
					return -1;
				if (k == index) {
					*start = i;
					*end = skip_value(s, n, i);
					return 0;
				}
				i = skip_ws(s, n, skip_value(s, n, i));
				if (i < n && s[i] == ',')
					i++;
			}
		}
		i = skip_ws(s, n, skip_value(s, n, v));
		if (i >= n || s[i] != ',')
			return -1;
		i++;
	}
}

/* 1-based column of byte offset at: characters, not bytes, as editors count. */
static size_t column_of(const char *s, size_t at)
{
	size_t k, col = 1;
	for (k = 0; k < at; k++)
		col += ((unsigned char)s[k] & 0xc0) != 0x80;
	return col;
}

struct place {
	const char *name, *line;
	size_t len;
	int64_t lineno;
};

/* Fails with the place of key (element index, or the value when index < 0); the
 * message gets "got '<the JSON text there>'" appended when got is set. */
static int fail_at(struct load_error *e, const struct place *p, const char *key, long index,
    int got, const char *what)
{
	size_t b = 0, end = 0;
	char buf[64];
	int found = locate(p->line, p->len, key, index, &b, &end) == 0;
	if (!found)
		b = end = 0;
	if (got && found)
		return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: %s, got '%s'", p->name,
		    (long long)p->lineno, column_of(p->line, b), what,
		    load_shown(p->line + b, end - b, buf, sizeof buf));
	return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: %s", p->name,
	    (long long)p->lineno, column_of(p->line, b), what);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "an unknown value";
}

/* jansson's "REASON near 'TOKEN'" as "expected valid JSON (REASON), got 'TOKEN'" at the
 * token's first column. */
static int bad_json(struct load_error *e, const struct place *p, const json_error_t *je)
{
	const char *near = strstr(je->text, " near '");
	char buf[64];
	if (near && je->text[strlen(je->text) - 1] == '\'') {
		const char *tok = near + 7;
		size_t toklen = strlen(tok) - 1;
		long col = je->column - (long)toklen + 1;
		return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %ld: expected valid JSON "
		    "(%.*s), got '%s'", p->name, (long long)p->lineno, col < 1 ? 1 : col,
		    (int)(near - je->text), je->text, load_shown(tok, toklen, buf, sizeof buf));
	}
	return load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %d: expected valid JSON, got "
	    "an error: %s", p->name, (long long)p->lineno, je->column < 1 ? 1 : je->column,
	    je->text);
}

/* The field of the first line: the one named, or the only one besides the item id. */
static int pick_field(struct load_error *e, const struct place *p, json_t *o,
    const char *item_key, const char *named, char **field)
{
	const char *k, *other = NULL;
	json_t *v;
	int n = 0;
	if (named) {
		*field = xstrdup(named);
		return 0;
	}
	json_object_foreach(o, k, v) {
		if (strcmp(k, item_key) != 0) {
			n++;
			if (!other)
				other = k;
		}
	}
	if (n != 1)
		return load_fail(e, HCR_EXIT_USAGE, "%s: line %lld: expected one field besides '%s' "
		    "or one named with @FIELD, got %d", p->name, (long long)p->lineno, item_key, n);
	*field = xstrdup(other);
	return 0;
}

/* The values of one field of one line into the row.  0, or -1 with e filled. */
static int take_values(struct featrow *r, struct load_error *e, const struct place *p,
    const char *field, json_t *v)
{
	char what[256], msg[512];
	size_t k;
	json_t *x;
	const char *key;

	if (json_is_null(v)) {
		/* null is no value: an empty vector or bag, or the NA category */
		if (r->values == FV_DECADE || r->values == FV_CATEGORY)
			return fr_text(r, "", 0, msg, sizeof msg);
		return 0;
	}
	switch (r->values) {
	case FV_DENSE:
		if (!json_is_array(v)) {
			snprintf(what, sizeof what, "expected an array of numbers for '%s', got %s",
			    field, type_name(v));
			return fail_at(e, p, field, -1, 0, what);
		}
		json_array_foreach(v, k, x) {
			double d = json_number_value(x);
			if (!json_is_number(x) || !(d >= -FLT_MAX &&
			    d <= FLT_MAX)) {
				snprintf(what, sizeof what, "expected a number%s in '%s'",
				    json_is_number(x) ? " within float range" : "", field);
				return fail_at(e, p, field, (long)k, 1, what);
			}
			fr_value(r, (float)d);
		}
		return 0;
	case FV_WORDS:
		if (json_is_object(v)) {
			json_object_foreach(v, key, x) {
				double d = json_number_value(x);
				if (!json_is_number(x) || !(d > 0 && d <= FLT_MAX)) {
					snprintf(what, sizeof what, "expected a positive count for word "
					    "'%.40s' in '%s', got %s", key, field, json_is_number(x) ?
					    "a number that is not" : type_name(x));
					return fail_at(e, p, field, -1, 0, what);
				}
				fr_token(r, key, strlen(key), (float)d);
			}
			return 0;
		}
		/* fall through - an array of words, or a text */
	case FV_MULTI:
		if (json_is_array(v)) {
			json_array_foreach(v, k, x) {
				char num[32];
				if (json_is_string(x)) {
					fr_token(r, json_string_value(x), json_string_length(x), 1.0f);
				} else if (json_is_integer(x)) {
					snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
					fr_token(r, num, strlen(num), 1.0f);
				} else {
					snprintf(what, sizeof what, "expected a string or an integer in '%s'",
					    field);
					return fail_at(e, p, field, (long)k, 1, what);
				}
			}
			return 0;
		}
		/* fall through */
	case FV_DECADE:
	case FV_CATEGORY:
		if (json_is_string(v)) {
			if (fr_text(r, json_string_value(v), json_string_length(v), msg, sizeof msg))
				return fail_at(e, p, field, -1, 0, msg);
			return 0;
		}
		if (json_is_integer(v) && r->values != FV_WORDS && r->values != FV_MULTI) {
			char num[32];
			snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			return fr_text(r, num, strlen(num), msg, sizeof msg);
		}
		snprintf(what, sizeof what, "expected %s for '%s', got %s",
		    r->values == FV_WORDS ? "an object of counts, an array or a text"
		    : r->values == FV_MULTI ? "an array or a text" : "a string or an integer",
		    field, type_name(v));
		return fail_at(e, p, field, -1, 0, what);
	}
	return load_fail(e, HCR_EXIT_FAIL, "internal: values %d", r->values);
}

int feat_load_jsonl(struct featrow *r, struct lines *src, const char *name,
    struct load_error *e)
{
	const char *item_key = r->spec->item_column ? r->spec->item_column : "item_id";
	char *field = NULL, what[256];
	struct place p = { name, NULL, 0, 0 };
	ssize_t len;
	int rc = 0;

	while ((len = lines_next(src, &p.line)) >= 0) {
		json_error_t je;
		json_t *o, *id, *v;
		char idbuf[32];
		const char *ids;
		size_t idlen;

		p.len = (size_t)len;
		p.lineno = src->lineno;
		if (skip_ws(p.line, p.len, 0) == p.len)
			continue;
		o = json_loadb(p.line, p.len, JSON_REJECT_DUPLICATES, &je);
		if (!o) {
			rc = bad_json(e, &p, &je);
			break;
		}
		if (!json_is_object(o)) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column %zu: expected a JSON "
			    "object, got %s", name, (long long)p.lineno,
			    column_of(p.line, skip_ws(p.line, p.len, 0)), type_name(o));
			json_decref(o);
			break;
		}
		id = json_object_get(o, item_key);
		if (!id) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column 1: expected the key "
			    "'%s'%s, got none", name, (long long)p.lineno, item_key,
			    r->spec->item_column ? " (--item-column)" : "");
			json_decref(o);
			break;
		}
		if (!field && (rc = pick_field(e, &p, o, item_key, r->spec->column, &field)) != 0) {
			json_decref(o);
			break;
		}
		v = json_object_get(o, field);
		if (!v) {
			rc = load_fail(e, HCR_EXIT_DATA, "%s: line %lld, column 1: expected the key "
			    "'%s', got none", name, (long long)p.lineno, field);
			json_decref(o);
			break;
		}
		if (json_is_integer(id)) {
			snprintf(idbuf, sizeof idbuf, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
			ids = idbuf;
			idlen = strlen(idbuf);
		} else if (json_is_string(id)) {
			ids = json_string_value(id);
			idlen = json_string_length(id);
		} else {
			snprintf(what, sizeof what, "expected an integer or a string for '%s', got %s",
			    item_key, type_name(id));
			rc = fail_at(e, &p, item_key, -1, 0, what);
			json_decref(o);
			break;
		}
		if (!r->values) {
			/* the kind comes from the first line's value when not given */
			int values = r->spec->values;
			if (values == FV_AUTO)
				values = json_is_array(v) ? FV_DENSE : json_is_object(v) ? FV_WORDS
				    : FV_AUTO;
			if (values == FV_AUTO) {
				rc = load_fail(e, HCR_EXIT_USAGE, "%s: line %lld: cannot tell dense from a "
				    "bag by '%s' (%s); give the values: NAME:ROLE:VALUES=FILE", name,
				    (long long)p.lineno, field, type_name(v));
				json_decref(o);
				break;
			}
			fr_start(r, values);
			r->f->column = xstrdup(field);
		}
		fr_clear(r);
		if ((rc = take_values(r, e, &p, field, v)) != 0) {
			json_decref(o);
			break;
		}
		if (r->values == FV_DENSE && !fr_dense_len_ok(r, p.lineno)) {
			if (r->spec->skip_short) {
				r->f->n.rows++;
				r->f->n.shortv++;
				json_decref(o);
				continue;
			}
			snprintf(what, sizeof what, "expected %lld numbers in '%s' (as on line %lld), "
			    "got %zu", (long long)r->dim, field, (long long)r->dim_where, r->nv);
			rc = fail_at(e, &p, field, -1, 0, what);
			json_decref(o);
			break;
		}
		fr_end(r, ids, idlen);
		json_decref(o);
	}
	if (rc == 0 && src->err)
		rc = load_fail(e, HCR_EXIT_IO, "%s: line %lld: read error: %s", name,
		    (long long)src->lineno + 1, strerror(src->err));
	if (rc == 0 && !r->values) {
		/* no line at all: nothing to tell the kind by, so take what was asked */
		fr_start(r, r->spec->values == FV_AUTO ? FV_DENSE : r->spec->values);
		r->f->column = xstrdup(field ? field : r->spec->column ? r->spec->column : "");
	}
	free(field);
	return rc ? -1 : 0;
}
