// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/proto.c - the control file's request parser and line formatters (see
 * proto.h).  Plain C on a few string functions, so that it builds into the
 * module and, for the unit tests, into userspace.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#endif

#include "proto.h"

/* the largest magnitude a value may spell: 15 digits, far above any bound */
#define FL_KMOD_NUM_DIGITS	15

struct fl_kmod_token {
	const char *key, *val;
	size_t klen, vlen;
};

int fl_kmod_nparams(const struct fl_kmod_desc *d)
{
	int n = 0;

	while (d->params[n].name)
		n++;
	return n;
}

int fl_kmod_nmetrics(const struct fl_kmod_desc *d)
{
	int n = 0;

	while (d->metrics[n])
		n++;
	return n;
}

int fl_kmod_param_index(const struct fl_kmod_desc *d, const char *name)
{
	int i;

	for (i = 0; d->params[i].name; i++)
		if (!strcmp(d->params[i].name, name))
			return i;
	return -1;
}

long fl_kmod_param(const struct fl_kmod_req *req, const char *name)
{
	return req->param[fl_kmod_param_index(req->desc, name)];
}

static int fl_kmod_fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

static bool fl_kmod_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool fl_kmod_is_key_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !first && c >= '0' && c <= '9';
}

static bool fl_kmod_is_val_char(char c)
{
	return fl_kmod_is_key_char(c, false) || c == '-';
}

/* Does the token's key (or value) spell s exactly? */
static bool fl_kmod_eq(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(p, s, n);
}

/*
 * Only printable ASCII, blanks between tokens and one final newline; the
 * checks come first so that no error message ever echoes a control byte.
 */
static int fl_kmod_check_bytes(const char *buf, size_t len, char *err, size_t errlen)
{
	size_t i;

	if (!len)
		return fl_kmod_fail(err, errlen, "empty request");
	if (len > FL_KMOD_REQ_MAX) {
		snprintf(err, errlen, "request of %zu bytes is longer than %d", len,
			 FL_KMOD_REQ_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c == '\n' && i == len - 1)
			break;
		if (c == '\n') {
			snprintf(err, errlen, "more than one line (newline at byte %zu)", i);
			return -EINVAL;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			snprintf(err, errlen, "byte %zu is 0x%02x, not printable ASCII", i, c);
			return -EINVAL;
		}
	}
	return 0;
}

static int fl_kmod_split(const char *buf, size_t len, struct fl_kmod_token *tok, int *ntok,
			 char *err, size_t errlen)
{
	size_t i = 0, start, eq;
	int n = 0;

	if (len && buf[len - 1] == '\n')
		len--;
	for (;;) {
		while (i < len && fl_kmod_is_blank(buf[i]))
			i++;
		if (i == len)
			break;
		if (n == FL_KMOD_MAX_TOKENS) {
			snprintf(err, errlen, "more than %d key=value tokens", FL_KMOD_MAX_TOKENS);
			return -EINVAL;
		}
		start = i;
		while (i < len && !fl_kmod_is_blank(buf[i]) && buf[i] != '=')
			i++;
		eq = i;
		if (eq == len || buf[eq] != '=') {
			snprintf(err, errlen, "token at byte %zu is not key=value", start);
			return -EINVAL;
		}
		i++;
		while (i < len && !fl_kmod_is_blank(buf[i]))
			i++;
		tok[n].key = buf + start;
		tok[n].klen = eq - start;
		tok[n].val = buf + eq + 1;
		tok[n].vlen = i - eq - 1;
		n++;
	}
	*ntok = n;
	if (!n)
		return fl_kmod_fail(err, errlen, "empty request");
	return 0;
}

static int fl_kmod_check_token(const struct fl_kmod_token *t, char *err, size_t errlen)
{
	size_t i;

	if (!t->klen || t->klen > FL_KMOD_KEY_MAX) {
		snprintf(err, errlen, "a key of %zu bytes (1 to %d allowed)", t->klen,
			 FL_KMOD_KEY_MAX);
		return -EINVAL;
	}
	for (i = 0; i < t->klen; i++) {
		if (!fl_kmod_is_key_char(t->key[i], i == 0)) {
			snprintf(err, errlen, "key '%.*s' is not a name", (int)t->klen, t->key);
			return -EINVAL;
		}
	}
	if (!t->vlen || t->vlen > FL_KMOD_VAL_MAX) {
		snprintf(err, errlen, "%.*s: a value of %zu bytes (1 to %d allowed)",
			 (int)t->klen, t->key, t->vlen, FL_KMOD_VAL_MAX);
		return -EINVAL;
	}
	for (i = 0; i < t->vlen; i++) {
		if (!fl_kmod_is_val_char(t->val[i])) {
			snprintf(err, errlen, "%.*s: value '%.*s' has a '%c'", (int)t->klen,
				 t->key, (int)t->vlen, t->val, t->val[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* A decimal integer in [min, max]: an optional '-', then digits only. */
static int fl_kmod_number(const struct fl_kmod_token *t, long min, long max, long *out,
			  char *err, size_t errlen)
{
	size_t i = 0, digits;
	bool neg = false;
	long v = 0;

	if (t->val[0] == '-') {
		neg = true;
		i = 1;
	}
	digits = t->vlen - i;
	if (!digits || digits > FL_KMOD_NUM_DIGITS)
		goto bad;
	for (; i < t->vlen; i++) {
		if (t->val[i] < '0' || t->val[i] > '9')
			goto bad;
		v = v * 10 + (t->val[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max) {
		snprintf(err, errlen, "%.*s=%ld out of range [%ld, %ld]", (int)t->klen, t->key,
			 v, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "%.*s: '%.*s' is not a decimal number of at most %d digits",
		 (int)t->klen, t->key, (int)t->vlen, t->val, FL_KMOD_NUM_DIGITS);
	return -EINVAL;
}

static const struct fl_kmod_desc *fl_kmod_find(const struct fl_kmod_desc *const *table,
					       const struct fl_kmod_token *t)
{
	int i;

	for (i = 0; table[i]; i++)
		if (fl_kmod_eq(t->val, t->vlen, table[i]->name))
			return table[i];
	return NULL;
}

/* "M P J" into buf, for the error that names an unknown key. */
static void fl_kmod_param_names(const struct fl_kmod_desc *d, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; d->params[i].name && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", d->params[i].name);
}

/* Finds workload= first: the other keys mean something only against it. */
static int fl_kmod_pick_workload(const struct fl_kmod_token *tok, int n,
				 const struct fl_kmod_desc *const *table,
				 struct fl_kmod_req *req, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!fl_kmod_eq(tok[i].key, tok[i].klen, "workload"))
			continue;
		req->desc = fl_kmod_find(table, &tok[i]);
		if (!req->desc) {
			snprintf(err, errlen, "unknown workload '%.*s'", (int)tok[i].vlen,
				 tok[i].val);
			return -EINVAL;
		}
		return 0;
	}
	return fl_kmod_fail(err, errlen, "no workload= given");
}

static int fl_kmod_pick_variant(const struct fl_kmod_token *t, struct fl_kmod_req *req,
				char *err, size_t errlen)
{
	const char *const *v = req->desc->variants;
	int i;

	for (i = 0; v[i]; i++) {
		if (fl_kmod_eq(t->val, t->vlen, v[i])) {
			req->variant = i;
			return 0;
		}
	}
	snprintf(err, errlen, "workload %s has no variant '%.*s'", req->desc->name,
		 (int)t->vlen, t->val);
	return -EINVAL;
}

/* One token after workload= is known: a reserved key or a parameter. */
static int fl_kmod_apply(const struct fl_kmod_token *t, struct fl_kmod_req *req,
			 char *err, size_t errlen)
{
	const struct fl_kmod_desc *d = req->desc;
	char names[96];
	int i;

	if (fl_kmod_eq(t->key, t->klen, "workload"))
		return 0;
	if (fl_kmod_eq(t->key, t->klen, "variant"))
		return fl_kmod_pick_variant(t, req, err, errlen);
	if (fl_kmod_eq(t->key, t->klen, "rounds"))
		return fl_kmod_number(t, 1, FL_KMOD_MAX_ROUNDS, &req->rounds, err, errlen);
	if (fl_kmod_eq(t->key, t->klen, "max_ms"))
		return fl_kmod_number(t, 1, FL_KMOD_MAX_MS, &req->max_ms, err, errlen);
	for (i = 0; d->params[i].name; i++) {
		if (fl_kmod_eq(t->key, t->klen, d->params[i].name))
			return fl_kmod_number(t, d->params[i].min, d->params[i].max,
					      &req->param[i], err, errlen);
	}
	fl_kmod_param_names(d, names, sizeof(names));
	snprintf(err, errlen, "unknown key '%.*s' (workload %s takes: %s)", (int)t->klen,
		 t->key, d->name, names);
	return -EINVAL;
}

static int fl_kmod_no_duplicates(const struct fl_kmod_token *tok, int n, char *err,
				 size_t errlen)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (tok[i].klen == tok[j].klen &&
			    !memcmp(tok[i].key, tok[j].key, tok[i].klen)) {
				snprintf(err, errlen, "key '%.*s' given twice", (int)tok[i].klen,
					 tok[i].key);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int fl_kmod_parse_request(const char *buf, size_t len,
			  const struct fl_kmod_desc *const *table,
			  struct fl_kmod_req *req, char *err, size_t errlen)
{
	struct fl_kmod_token tok[FL_KMOD_MAX_TOKENS];
	bool have_variant = false;
	int n, i, ret;

	memset(req, 0, sizeof(*req));
	req->variant = -1;
	ret = fl_kmod_check_bytes(buf, len, err, errlen);
	if (!ret)
		ret = fl_kmod_split(buf, len, tok, &n, err, errlen);
	for (i = 0; !ret && i < n; i++)
		ret = fl_kmod_check_token(&tok[i], err, errlen);
	if (!ret)
		ret = fl_kmod_no_duplicates(tok, n, err, errlen);
	if (!ret)
		ret = fl_kmod_pick_workload(tok, n, table, req, err, errlen);
	if (ret)
		return ret;

	req->rounds = 1;
	req->max_ms = FL_KMOD_DEF_MS;
	for (i = 0; req->desc->params[i].name; i++)
		req->param[i] = req->desc->params[i].def;
	for (i = 0; i < n; i++) {
		ret = fl_kmod_apply(&tok[i], req, err, errlen);
		if (ret)
			return ret;
		if (fl_kmod_eq(tok[i].key, tok[i].klen, "variant"))
			have_variant = true;
	}
	if (!have_variant) {
		snprintf(err, errlen, "no variant= given for workload %s", req->desc->name);
		return -EINVAL;
	}
	return 0;
}

/* snprintf() that never reports more than it could write: safe to chain */
static size_t fl_kmod_put(size_t len, size_t off, int n)
{
	if (n < 0)
		return off;
	if (off + n >= len)
		return len ? len - 1 : 0;
	return off + n;
}

int fl_kmod_format_request(const struct fl_kmod_req *req, char *buf, size_t len)
{
	const struct fl_kmod_desc *d = req->desc;
	size_t off;
	int i;

	off = fl_kmod_put(len, 0, snprintf(buf, len,
			  "workload=%s variant=%s rounds=%ld max_ms=%ld", d->name,
			  d->variants[req->variant], req->rounds, req->max_ms));
	for (i = 0; d->params[i].name; i++)
		off = fl_kmod_put(len, off, snprintf(buf + off, len - off, " %s=%ld",
				  d->params[i].name, req->param[i]));
	return (int)off;
}

int fl_kmod_format_desc(const struct fl_kmod_desc *d, char *buf, size_t len)
{
	size_t off;
	int i;

	off = fl_kmod_put(len, 0, snprintf(buf, len, "workload %s variants=", d->name));
	for (i = 0; d->variants[i]; i++)
		off = fl_kmod_put(len, off, snprintf(buf + off, len - off, "%s%s",
				  i ? "," : "", d->variants[i]));
	off = fl_kmod_put(len, off, snprintf(buf + off, len - off, " params="));
	for (i = 0; d->params[i].name; i++)
		off = fl_kmod_put(len, off, snprintf(buf + off, len - off,
				  "%s%s:%ld:%ld:%ld", i ? "," : "", d->params[i].name,
				  d->params[i].def, d->params[i].min, d->params[i].max));
	off = fl_kmod_put(len, off, snprintf(buf + off, len - off, " metrics="));
	for (i = 0; d->metrics[i]; i++)
		off = fl_kmod_put(len, off, snprintf(buf + off, len - off, "%s%s",
				  i ? "," : "", d->metrics[i]));
	off = fl_kmod_put(len, off, snprintf(buf + off, len - off, "\n"));
	return (int)off;
}

int fl_kmod_format_round(const struct fl_kmod_desc *d, long i, unsigned long long ns,
			 unsigned long long cycles, const long long *metric,
			 char *buf, size_t len)
{
	size_t off;
	int m;

	off = fl_kmod_put(len, 0, snprintf(buf, len, "round %ld ns=%llu cycles=%llu",
			  i, ns, cycles));
	for (m = 0; d->metrics[m]; m++)
		off = fl_kmod_put(len, off, snprintf(buf + off, len - off, " %s=%lld",
				  d->metrics[m], metric[m]));
	off = fl_kmod_put(len, off, snprintf(buf + off, len - off, "\n"));
	return (int)off;
}
