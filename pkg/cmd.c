/* cmd.c: what pkg's commands share: errors, arguments, JSON, the root and repository opened. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "text.h"

/* pkg: WHY on stderr, and the exit code doc/pkg.md documents: 1 refused
 * or failed, 100 usage, 111 system error. */
static void say(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void say(const char *fmt, va_list ap)
{
	fputs("pkg: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	exit(code);
}

void cmd_fail(const struct perr *e)
{
	cmd_die(1, "%s", e->msg);
}

/* The message, then the whole usage (a blank line after it, as ever). */
void cmd_usage_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	pkg_usage(stderr);
	fputc('\n', stderr);
	exit(100);
}

void cmd_wrong_args(const char *cmd)
{
	cmd_usage_die("%s: unknown command or wrong arguments", cmd);
}

static const struct option common_opts[] = { CMD_COMMON_OPTS, CMD_OPTS_END };

void cmd_args_init(struct cmd_args *a, struct pkg_opts *o, int argc, char **argv)
{
	*a = (struct cmd_args){ o, argc, argv, 0, 0 };
	/* 0: glibc and musl both start afresh, whatever was read before. */
	optind = 0;
	opterr = 0;
}

/* The operand at argv[at] to argv[1 + n]: the options read since the one
 * before shift up one, so argv keeps every argument (key hands its own to
 * key new, which reads them again). */
static void cmd_operand(struct cmd_args *a, int at)
{
	char *arg = a->argv[at];
	int i;

	for (i = at; i > a->n + 1; i--)
		a->argv[i] = a->argv[i - 1];
	a->argv[++a->n] = arg;
}

/*
 * The command's next option (its val; optarg its value), or -1 when none
 * is left.  "+": getopt stops at each operand (glibc and musl reorder argv
 * each their own way otherwise) and the operands are gathered here, so an
 * option may stand before, between or after them.  An unknown option, or
 * one without its value, ends pkg with the usage code.
 */
int cmd_getopt(struct cmd_args *a, const char *shortopts, const struct option *longopts)
{
	char optstring[32];
	int at, c;

	snprintf(optstring, sizeof optstring, "+:%s", shortopts);
	for (;;) {
		at = optind == 0 ? 1 : optind;
		if (at >= a->argc)
			return -1;
		if (a->rest) {
			cmd_operand(a, at);
			optind = at + 1;
			continue;
		}
		c = getopt_long(a->argc, a->argv, optstring, longopts, NULL);
		if (c == -1 && optind > at) {
			a->rest = 1;		/* getopt stepped over "--" */
		} else if (c == -1) {
			cmd_operand(a, at);
			optind = at + 1;
		} else if (c == CMD_OPT_JSON) {
			a->o->json = 1;
		} else if (c == CMD_OPT_WORLD) {
			a->o->world = 1;
		} else if (c == '?') {
			cmd_die(100, "%s: unknown option for %s", a->argv[at], a->argv[0]);
		} else if (c == ':') {
			cmd_die(100, "%s: needs a value", a->argv[at]);
		} else {
			return c;
		}
	}
}

/* A command that takes no options of its own: how many operands it was given. */
int cmd_operands(struct pkg_opts *o, int argc, char **argv)
{
	struct cmd_args a;

	cmd_args_init(&a, o, argc, argv);
	while (cmd_getopt(&a, "", common_opts) != -1)
		;
	return a.n;
}

unsigned long long cmd_number(const char *opt, const char *v)
{
	unsigned long long n;

	if (text_uint(v, 1ULL << 53, &n) < 0)
		cmd_die(100, "%s %s: not a number", opt, v);
	return n;
}

/* WHEN: seconds since the epoch, or +DAYSd from now. */
unsigned long long cmd_when(const char *opt, const char *v)
{
	unsigned long long n;
	char days[32];

	if (v[0] != '+' || !cmd_ends_with(v, "d"))
		return cmd_number(opt, v);
	snprintf(days, sizeof days, "%.*s", (int)strlen(v) - 2, v + 1);
	if (text_uint(days, 36500, &n) < 0)
		cmd_die(100, "%s %s: not +DAYSd", opt, v);
	return (unsigned long long)time(NULL) + n * 86400;
}

void cmd_json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)	/* an OSV feed's text (pkg audit) */
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* A package's identity as JSON members, after an opening brace. */
void cmd_json_ident(const struct pkg_meta *m)
{
	printf("\"name\":");
	cmd_json_str(m->name);
	printf(",\"version\":");
	cmd_json_str(m->version);
	printf(",\"arch\":");
	cmd_json_str(m->arch);
	printf(",\"license\":");
	cmd_json_str(m->license);
}

const char *cmd_op_text(enum pkg_op op)
{
	static const char *const ops[] = { "", "<", "<=", "=", ">=", ">" };

	return ops[op];
}

int cmd_ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

int cmd_open_root(const struct pkg_opts *o)
{
	int fd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		cmd_die(111, "%s: %s", o->root, strerror(errno));
	return fd;
}

void cmd_open_txn(const struct pkg_opts *o, struct txn *t, int readonly)
{
	struct perr e = { "" };

	if (txn_open(t, cmd_open_root(o), readonly, &e) < 0)
		cmd_fail(&e);
}

/* The repository options; fetched packages are kept under the root's var/cache/pkg. */
const struct repo_opts *cmd_repo_opts(const struct pkg_opts *o)
{
	static char cache[4096];
	static struct repo_opts ro;

	if (o->cache == NULL && snprintf(cache, sizeof cache, "%s/var/cache/pkg",
					 strcmp(o->root, "/") == 0 ? "" : o->root) >= (int)sizeof cache)
		cmd_die(100, "%s: path too long", o->root);
	ro = (struct repo_opts){ o->trust, o->ca, o->cache ? o->cache : cache, o->flags, o->lim };
	return &ro;
}

/* The root's transaction state and --repo opened through its trust, for
 * CMD; refused, said plainly, without --repo. */
void cmd_open_repo(const struct pkg_opts *o, const char *cmd, struct txn *t, struct repo *r)
{
	struct perr e = { "" };

	if (o->repo == NULL)
		cmd_die(100, "%s needs --repo DIR|FILE|URL", cmd);
	cmd_open_txn(o, t, 0);
	if (repo_open(r, o->repo, t->pkgdir, cmd_repo_opts(o), &e) < 0)
		cmd_fail(&e);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The world after adding or dropping names: sorted, each once. */
const char **cmd_world_edit(const struct db *db, char **names, size_t n, int add, size_t *count)
{
	const char **w = calloc(db->nworld + n + 1, sizeof *w);
	size_t i, j, k = 0;

	if (w == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	for (i = 0; i < db->nworld; i++) {
		int drop = 0;

		for (j = 0; !add && j < n; j++)
			drop |= strcmp(db->world[i], names[j]) == 0;
		if (!drop)
			w[k++] = db->world[i];
	}
	for (j = 0; add && j < n; j++)
		w[k++] = names[j];
	qsort(w, k, sizeof *w, by_str);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || strcmp(w[j - 1], w[i]) != 0)
			w[j++] = w[i];
	*count = j;
	return w;
}
