/* fleet.c: one request to every node, with progress on a terminal; what the commands share. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairnctl.h"

void ctl_die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("cairnctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* "  answered 150/200" over itself on a terminal; nothing otherwise. */
static void progress(size_t finished, size_t total, void *arg)
{
	(void)arg;
	fprintf(stderr, "\r  answered %zu/%zu", finished, total);
	if (finished == total)
		fputs("\r\033[K", stderr);
}

/*
 * ctl_fleet: METHOD PATH to every node, at most MAX body bytes from
 * each; the answers, one a node in the nodes' order, into *OUT (the
 * caller frees each and the array).  Exits on a system error.
 */
int ctl_fleet(struct ctl *c, const char *method, const char *path, size_t max, struct answer **out)
{
	struct request q = { method, path, max, c->timeout_ms };
	struct answer *a = calloc(c->nodes.n ? c->nodes.n : 1, sizeof *a);
	int rc;

	if (a == NULL)
		ctl_die(EXIT_SYSTEM, "%s", strerror(ENOMEM));
	rc = request_all(c->tls, &c->nodes, &q, c->parallel, a,
			 c->nodes.n > 1 && isatty(2) ? progress : NULL, NULL);
	if (rc < 0)
		ctl_die(EXIT_SYSTEM, "threads: %s", strerror(-rc));
	*out = a;
	return 0;
}

/*
 * ctl_fleet_each: GET PATH of every node, at most MAX bytes each; EACH
 * told each node's JSON object (NULL, WHY saying why, when it gave
 * none), with ALL to gather into for --json, which is then printed.
 * How many nodes EACH counted bad.
 */
size_t ctl_fleet_each(struct ctl *c, const char *path, size_t max, ctl_each_fn each, json_t *all)
{
	struct answer *a;
	size_t i, bad = 0;

	ctl_fleet(c, "GET", path, max, &a);
	for (i = 0; i < c->nodes.n; i++) {
		char why[300];
		json_t *j = ctl_json(&a[i], why, sizeof why);

		bad += each(&c->nodes.v[i], j, why, c->json ? all : NULL) != 0;
		json_decref(j);
		answer_free(&a[i]);
	}
	free(a);
	if (c->json) {
		char *text = json_dumps(all, JSON_INDENT(2) | JSON_SORT_KEYS);

		if (text == NULL)
			ctl_die(EXIT_SYSTEM, "out of memory");
		puts(text);
		free(text);
	}
	json_decref(all);
	return bad;
}

/* ctl_json: a 200's JSON object, or NULL with why said in WHY (one line, printable). */
json_t *ctl_json(const struct answer *a, char *why, size_t size)
{
	json_error_t e;
	json_t *j = NULL;

	if (a->status == 0)
		snprintf(why, size, "%s", a->err);
	else if (a->status != 200)
		snprintf(why, size, "answered %d: %.200s", a->status, a->body != NULL ? a->body : "");
	else if ((j = json_loadb(a->body, a->len, JSON_REJECT_DUPLICATES, &e)) == NULL)
		snprintf(why, size, "its answer is not JSON: %s", e.text);
	else if (!json_is_object(j))
		snprintf(why, size, "its answer is not a JSON object");
	else
		return j;
	json_decref(j);
	why[strcspn(why, "\n")] = '\0';
	ctl_clean(why);
	return NULL;
}

/*
 * ctl_clean: S printable ASCII on one line: what a node says is shown,
 * never obeyed by a terminal (C0 and C1 controls, escapes, bidirectional
 * overrides: every byte outside ' ' to '~' becomes '?').
 */
void ctl_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* ctl_clean_text: as ctl_clean, keeping the lines and tabs of LEN bytes of text (NULs too become '?'). */
void ctl_clean_text(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
}

/* ctl_node: the node named NAME, or NULL. */
const struct node *ctl_node(const struct ctl *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nodes.n; i++)
		if (strcmp(c->nodes.v[i].name, name) == 0)
			return &c->nodes.v[i];
	return NULL;
}

/* ctl_url_escape: IN as a query value: unreserved bytes as they are, a space as '+', the rest %XX. */
void ctl_url_escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *in != '\0' && n + 4 < size; in++) {
		unsigned char ch = (unsigned char)*in;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~:", ch) != NULL) {
			out[n++] = (char)ch;
		} else if (ch == ' ') {
			out[n++] = '+';
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
}
