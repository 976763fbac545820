/* svcfile.c: parse one service file (`key = value` lines) into a struct svc. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kv.h"
#include "svcfile.h"
#include "text.h"

struct parse {
	struct svc *s;
	int line;
	char *err;
	size_t errsize;
};

static __attribute__((format(printf, 2, 3))) int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = p->line > 0 ? snprintf(p->err, p->errsize, "%s:%d: ", p->s->name, p->line)
			    : snprintf(p->err, p->errsize, "%s: ", p->s->name);

	if (n < 0 || (size_t)n >= p->errsize)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* svc_name_ok: 1 for a usable service name: [a-z0-9_.-], 1..31 bytes, no leading dot. */
int svc_name_ok(const char *name)
{
	size_t n = strlen(name);
	const char *c;

	if (n == 0 || n >= SVC_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (c = name; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '.' || *c == '-'))
			return 0;
	return 1;
}

/* Where a parse puts a service's strings, before they get a pool of their
 * own (keep). */
static char scratch[SVC_POOL];

static char *pool_add(struct svc *s, const char *str)
{
	size_t len = strlen(str) + 1;
	char *at;

	if (len > SVC_POOL - s->pool_used)
		return NULL;
	at = memcpy(s->pool + s->pool_used, str, len);
	s->pool_used += len;
	return at;
}

static int set_string(struct parse *p, char **field, const char *v)
{
	if (*field != NULL)
		return fail(p, "given twice");
	*field = pool_add(p->s, v);
	return *field != NULL ? 0 : fail(p, "service file too large (strings over %d bytes)", SVC_POOL);
}

static int key_command(struct parse *p, char *v)
{
	char *words[SVC_ARGV_MAX];
	int n, i;

	if (p->s->argv[0] != NULL)
		return fail(p, "command given twice");
	n = svc_split(v, words, SVC_ARGV_MAX);
	if (n == -E2BIG)
		return fail(p, "command has more than %d words", SVC_ARGV_MAX);
	if (n < 0)
		return fail(p, "command has an unterminated quote or trailing backslash");
	if (n == 0 || words[0][0] != '/')
		return fail(p, "command must start with an absolute path");
	for (i = 0; i < n; i++)
		if ((p->s->argv[i] = pool_add(p->s, words[i])) == NULL)
			return fail(p, "service file too large (strings over %d bytes)", SVC_POOL);
	p->s->argv[n] = NULL;
	return 0;
}

static int key_env(struct parse *p, char *v)
{
	char *eq = strchr(v, '=');
	int i;

	if (eq == NULL || eq == v)
		return fail(p, "env needs NAME=VALUE");
	for (i = 0; i < SVC_ENV_MAX && p->s->env[i] != NULL; i++)
		;
	if (i == SVC_ENV_MAX)
		return fail(p, "more than %d env lines", SVC_ENV_MAX);
	p->s->env[i] = pool_add(p->s, v);
	return p->s->env[i] != NULL ? 0 : fail(p, "service file too large (strings over %d bytes)", SVC_POOL);
}

static int key_depends(struct parse *p, char *v)
{
	char *words[SVC_DEPS_MAX + 1];
	int n = svc_split(v, words, SVC_DEPS_MAX + 1), i;

	if (n < 0)
		return fail(p, "bad depends list");
	for (i = 0; i < n; i++) {
		if (!svc_name_ok(words[i]))
			return fail(p, "'%s' is not a service name", words[i]);
		if (p->s->ndepends == SVC_DEPS_MAX)
			return fail(p, "more than %d dependencies", SVC_DEPS_MAX);
		if (strcmp(words[i], p->s->name) == 0)
			return fail(p, "a service cannot depend on itself");
		p->s->depends[p->s->ndepends] = pool_add(p->s, words[i]);
		if (p->s->depends[p->s->ndepends++] == NULL)
			return fail(p, "service file too large (strings over %d bytes)", SVC_POOL);
	}
	return 0;
}

static int key_ready(struct parse *p, char *v)
{
	static const struct { const char *prefix; enum svc_ready kind; } kinds[] = {
		{ "fd:", READY_FD }, { "file:", READY_FILE },
		{ "socket:", READY_SOCKET }, { "check:", READY_CHECK },
	};
	size_t i;

	if (strcmp(v, "start") == 0 || strcmp(v, "exit") == 0) {
		p->s->ready = v[0] == 's' ? READY_START : READY_EXIT;
		return 0;
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i].prefix);
		const char *arg = v + n;

		if (strncmp(v, kinds[i].prefix, n) != 0)
			continue;
		p->s->ready = kinds[i].kind;
		if (kinds[i].kind == READY_FD) {
			if (arg[0] < '3' || arg[0] > '9' || arg[1] != '\0')
				return fail(p, "ready = fd:N needs N from 3 to 9");
			p->s->ready_fd = arg[0] - '0';
			return 0;
		}
		if (arg[0] != '/')
			return fail(p, "ready = %s needs %s", kinds[i].prefix,
				    kinds[i].kind == READY_CHECK ? "a command with an absolute path"
								 : "an absolute path");
		/* sockaddr_un's sun_path is 108 bytes with the NUL. */
		if (kinds[i].kind == READY_SOCKET && strlen(arg) >= 108)
			return fail(p, "ready = socket: path longer than 107 bytes");
		if (kinds[i].kind == READY_CHECK) {
			char copy[KV_LINE_MAX], *words[SVC_ARGV_MAX];

			snprintf(copy, sizeof copy, "%s", arg);
			if (svc_split(copy, words, SVC_ARGV_MAX) <= 0)
				return fail(p, "ready = check: command has an unterminated quote, "
					    "a trailing backslash or more than %d words", SVC_ARGV_MAX);
		}
		return set_string(p, &p->s->ready_arg, arg);
	}
	return fail(p, "ready must be start, fd:N, file:PATH, socket:PATH or check:COMMAND");
}

static int key_restart(struct parse *p, char *v)
{
	if (strcmp(v, "always") == 0)
		p->s->restart = RESTART_ALWAYS;
	else if (strcmp(v, "on-failure") == 0)
		p->s->restart = RESTART_ON_FAILURE;
	else if (strcmp(v, "never") == 0)
		p->s->restart = RESTART_NEVER;
	else
		return fail(p, "restart must be always, on-failure or never");
	return 0;
}

/* "N/WINDOW": at most N restarts within WINDOW, e.g. 5/60s. */
static int key_restart_limit(struct parse *p, char *v)
{
	char *slash = strchr(v, '/');
	unsigned long long n;
	char *end;

	if (slash == NULL)
		return fail(p, "restart-limit must be N/DURATION, e.g. 5/60s");
	*slash = '\0';
	if (v[0] < '0' || v[0] > '9' || (n = strtoull(v, &end, 10)) == 0 ||
	    *end != '\0' || n > 1000)
		return fail(p, "restart-limit count must be 1 to 1000");
	if (svc_duration(slash + 1, &p->s->restart_window_ms) < 0 || p->s->restart_window_ms == 0)
		return fail(p, "restart-limit window '%s' is not a duration", slash + 1);
	p->s->restart_limit = (unsigned)n;
	return 0;
}

static int key_duration(struct parse *p, const char *key, const char *v, unsigned *field)
{
	return svc_duration(v, field) == 0 ? 0 :
		fail(p, "%s '%s' is not a duration (250ms, 10s, 2m)", key, v);
}

static int key_caps(struct parse *p, char *v)
{
	char *words[64];
	int n = svc_split(v, words, 64), i, cap;

	if (n < 0)
		return fail(p, "bad caps list");
	p->s->caps_set = 1;
	p->s->caps = 0;
	if (n == 1 && strcmp(words[0], "all") == 0) {
		p->s->caps_set = 0;	/* keep the bounding set as it is */
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(words[i], "none") == 0 && n == 1)
			return 0;
		cap = svc_cap(words[i]);
		if (cap < 0)
			return fail(p, "unknown capability '%s'", words[i]);
		p->s->caps |= 1ULL << cap;
	}
	return 0;
}

static int key_bool(struct parse *p, const char *key, const char *v, int *field)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*field = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*field = 0;
	else
		return fail(p, "%s must be yes or no", key);
	return 0;
}

/* rlimit-NAME = SOFT[:HARD] (sizes or "infinity"). */
static int key_rlimit(struct parse *p, const char *name, char *v)
{
	static const struct { const char *name; int res; } res[] = {
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "memlock", RLIMIT_MEMLOCK }, { "core", RLIMIT_CORE },
		{ "stack", RLIMIT_STACK }, { "as", RLIMIT_AS },
		{ "fsize", RLIMIT_FSIZE }, { "cpu", RLIMIT_CPU },
	};
	struct svc_rlimit *r;
	char *colon = strchr(v, ':');
	size_t i;

	for (i = 0; i < sizeof res / sizeof res[0]; i++)
		if (strcmp(name, res[i].name) == 0)
			break;
	if (i == sizeof res / sizeof res[0])
		return fail(p, "unknown limit 'rlimit-%s'", name);
	if (p->s->nrlimits == SVC_RLIMITS_MAX)
		return fail(p, "more than %d rlimits", SVC_RLIMITS_MAX);
	r = &p->s->rlimits[p->s->nrlimits];
	if (colon != NULL)
		*colon = '\0';
	if (strcmp(v, "infinity") == 0)
		r->soft = RLIM_INFINITY;
	else if (svc_size(v, &r->soft) < 0)
		return fail(p, "rlimit-%s '%s' is not a number", name, v);
	r->hard = r->soft;
	if (colon != NULL) {
		if (strcmp(colon + 1, "infinity") == 0)
			r->hard = RLIM_INFINITY;
		else if (svc_size(colon + 1, &r->hard) < 0)
			return fail(p, "rlimit-%s hard '%s' is not a number", name, colon + 1);
	}
	if (r->soft > r->hard)
		return fail(p, "rlimit-%s: soft limit above hard limit", name);
	r->resource = res[i].res;
	p->s->nrlimits++;
	return 0;
}

static int key_value(struct parse *p, const char *key, char *v)
{
	struct svc *s = p->s;
	unsigned long long n;
	int sig;

	if (strcmp(key, "command") == 0)
		return key_command(p, v);
	if (strcmp(key, "user") == 0)
		return set_string(p, &s->user, v);
	if (strcmp(key, "group") == 0)
		return set_string(p, &s->group, v);
	if (strcmp(key, "workdir") == 0)
		return v[0] == '/' ? set_string(p, &s->workdir, v) : fail(p, "workdir must be absolute");
	if (strcmp(key, "env") == 0)
		return key_env(p, v);
	if (strcmp(key, "depends") == 0)
		return key_depends(p, v);
	if (strcmp(key, "ready") == 0)
		return key_ready(p, v);
	if (strcmp(key, "condition") == 0) {
		if (strncmp(v, "file:/", 6) != 0)
			return fail(p, "condition must be file:/PATH");
		return set_string(p, &s->condition, v + 5);
	}
	if (strcmp(key, "restart") == 0)
		return key_restart(p, v);
	if (strcmp(key, "restart-delay") == 0)
		return key_duration(p, key, v, &s->restart_delay_ms);
	if (strcmp(key, "restart-delay-max") == 0)
		return key_duration(p, key, v, &s->restart_delay_max_ms);
	if (strcmp(key, "restart-limit") == 0)
		return key_restart_limit(p, v);
	if (strcmp(key, "stop-signal") == 0) {
		sig = svc_signal(v);
		if (sig < 0)
			return fail(p, "unknown signal '%s'", v);
		s->stop_signal = sig;
		return 0;
	}
	if (strcmp(key, "stop-timeout") == 0)
		return key_duration(p, key, v, &s->stop_timeout_ms);
	if (strcmp(key, "stop-mode") == 0) {
		if (strcmp(v, "cgroup") == 0)
			s->stop_mode = STOP_CGROUP;
		else if (strcmp(v, "main") == 0)
			s->stop_mode = STOP_MAIN;
		else
			return fail(p, "stop-mode must be cgroup or main");
		return 0;
	}
	if (strcmp(key, "caps") == 0)
		return key_caps(p, v);
	if (strcmp(key, "no-new-privs") == 0)
		return key_bool(p, key, v, &s->no_new_privs);
	if (strncmp(key, "rlimit-", 7) == 0)
		return key_rlimit(p, key + 7, v);
	if (strcmp(key, "cgroup") == 0)
		return svc_name_ok(v) ? set_string(p, &s->cgroup, v) :
			fail(p, "cgroup '%s' is not a plain name", v);
	if (strcmp(key, "memory-max") == 0)
		return svc_size(v, &s->memory_max) == 0 && s->memory_max > 0 ? 0 :
			fail(p, "memory-max '%s' is not a size (512M, 2G)", v);
	if (strcmp(key, "cpu-max") == 0) {
		size_t len = strlen(v);

		if (len < 2 || v[len - 1] != '%')
			return fail(p, "cpu-max must be a percentage of one CPU, e.g. 150%%");
		v[len - 1] = '\0';
		if (svc_size(v, &n) < 0 || n == 0 || n > 100000)
			return fail(p, "cpu-max must be from 1%% to 100000%%");
		s->cpu_max_percent = (unsigned)n;
		return 0;
	}
	return fail(p, "unknown key '%s'", key);
}

static void move(char **str, char *pool)
{
	if (*str != NULL)
		*str = pool + (*str - scratch);
}

/* The parsed strings moved from scratch into a pool of their own. */
static int keep(struct svc *s)
{
	char **one[] = { &s->user, &s->group, &s->workdir, &s->ready_arg, &s->condition, &s->cgroup };
	char *pool = malloc(s->pool_used ? s->pool_used : 1);
	size_t i;

	if (pool == NULL)
		return -ENOMEM;
	memcpy(pool, scratch, s->pool_used);
	for (i = 0; s->argv[i] != NULL; i++)
		move(&s->argv[i], pool);
	for (i = 0; s->env[i] != NULL; i++)
		move(&s->env[i], pool);
	for (i = 0; i < (size_t)s->ndepends; i++)
		move(&s->depends[i], pool);
	for (i = 0; i < sizeof one / sizeof one[0]; i++)
		move(one[i], pool);
	s->pool = pool;
	return 0;
}

/* svc_free: s's pool given back; s is empty, its name kept. */
void svc_free(struct svc *s)
{
	char name[SVC_NAME_MAX];

	free(s->pool);
	memcpy(name, s->name, sizeof name);
	memset(s, 0, sizeof *s);
	memcpy(s->name, name, sizeof name);
}

static void defaults(struct svc *s)
{
	s->ready = READY_START;
	s->restart = RESTART_ALWAYS;
	s->restart_delay_ms = 250;
	s->restart_delay_max_ms = 30000;
	s->restart_limit = 10;
	s->restart_window_ms = 60000;
	s->stop_signal = SIGTERM;
	s->stop_timeout_ms = 10000;
	s->stop_mode = STOP_CGROUP;
	s->no_new_privs = 1;
}

static int parse(struct svc *s, const char *name, const char *text, size_t len,
		 char *err, size_t errsize);

/*
 * svc_parse: fill s from the text of service `name`.  Returns 0, or
 * -EINVAL with "name:line: what" in err (-ENOMEM: no memory for its
 * strings); s then holds its name and the defaults, nothing else.  Nothing
 * in text is trusted: sizes are bounded, NUL bytes refused.  s is zeroed
 * or parsed before: what it held is given back first.
 */
int svc_parse(struct svc *s, const char *name, const char *text, size_t len,
	      char *err, size_t errsize)
{
	int rc = parse(s, name, text, len, err, errsize);

	s->pool = NULL;		/* it was scratch while parsing */
	if (rc == 0 && (rc = keep(s)) < 0)
		snprintf(err, errsize, "%s: no memory for its strings", s->name);
	if (rc < 0) {
		/* Nothing may point into scratch once the next parse runs. */
		svc_free(s);
		defaults(s);
	}
	return rc;
}

static int parse(struct svc *s, const char *name, const char *text, size_t len,
		 char *err, size_t errsize)
{
	struct parse p = { s, 0, err, errsize };
	struct kv k;
	const char *why = NULL;
	int rc;

	free(s->pool);
	memset(s, 0, sizeof *s);
	s->pool = scratch;
	if (errsize > 0)
		err[0] = '\0';
	if (!svc_name_ok(name)) {
		snprintf(err, errsize, "'%.40s' is not a service name ([a-z0-9_.-], up to %d bytes)",
			 name, SVC_NAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(s->name, name, strlen(name) + 1);
	defaults(s);
	if (len > SVC_FILE_MAX)
		return fail(&p, "larger than %d bytes", SVC_FILE_MAX);
	if (memchr(text, '\0', len) != NULL)
		return fail(&p, "not a text file (NUL byte)");
	kv_init(&k, text, len);
	while ((rc = kv_next(&k, &why)) != KV_END) {
		p.line = k.line;
		if (rc == -E2BIG)
			return fail(&p, "line longer than %d bytes", KV_LINE_MAX - 1);
		if (rc < 0 && strcmp(why, "no value") == 0)
			return fail(&p, "'%s' has no value", k.key);
		if (rc != KV_PAIR)
			return fail(&p, "not a 'key = value' line");
		rc = key_value(&p, k.key, k.value);
		if (rc < 0)
			return rc;
	}
	p.line = 0;
	if (s->argv[0] == NULL)
		return fail(&p, "no command");
	if (s->restart_delay_ms > s->restart_delay_max_ms)
		return fail(&p, "restart-delay is above restart-delay-max");
	return 0;
}

/* svc_load: read dir/name (bounded) and parse it. */
int svc_load(struct svc *s, const char *dir, const char *name, char *err, size_t errsize)
{
	static char text[SVC_FILE_MAX + 1];
	char path[512];
	ssize_t r;
	size_t len = 0;
	int fd, n;

	n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path) {
		snprintf(err, errsize, "%s: path too long", name);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (len < sizeof text && (r = read(fd, text + len, sizeof text - len)) > 0)
		len += (size_t)r;
	close(fd);
	return svc_parse(s, name, text, len, err, errsize);
}
