/*
 * services.c: the service table from the files of one directory: loaded
 * at start, reloaded on request (new files start, removed ones stop,
 * changed ones restart).  A file that does not parse is reported with its
 * line and skipped; the rest carry on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "ids.h"
#include "log.h"
#include "loglink.h"
#include "pages.h"
#include "services.h"

static char text[SVC_FILE_MAX + 2] PAGES_ALIGN;	/* a file read, parsed, given back */
static struct svc scratch;	/* a changed file is checked here first */

static uint64_t fnv1a(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return h;
}

/* Read dir/name, bounded: a file over the limit reads as one byte too many. */
static int read_text(const char *dir, const char *name, size_t *len)
{
	char path[512];
	ssize_t r;
	int fd;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	*len = 0;
	while (*len < sizeof text && (r = read(fd, text + *len, sizeof text - *len)) > 0)
		*len += (size_t)r;
	close(fd);
	return 0;
}

static int parse_file(struct svc *c, const char *dir, const char *name, uint64_t *hash)
{
	char err[256];
	size_t len = 0;
	int rc = read_text(dir, name, &len);

	if (rc < 0) {
		log_msg(LOG_ERR, "%s/%s: %s: skipped", dir, name, strerror(-rc));
		(void)pages_release(text, sizeof text);
		return rc;
	}
	*hash = fnv1a(text, len);
	rc = svc_parse(c, name, text, len, err, sizeof err);
	/* Parsed strings live in the unit's pool: the text has served. */
	(void)pages_release(text, sizeof text);
	if (rc < 0)
		log_msg(LOG_ERR, "%s/%s", dir, err);
	return rc;
}

/* Users and groups are looked up at load, so a bad one is named then, and
 * again by services_recheck (a start by hand, a reload). */
static void resolve_ids(struct unit *u)
{
	const struct svc *c = &u->svc;
	int rc;

	u->uid = 0;
	u->gid = 0;
	u->bad &= ~1;
	if (c->user != NULL && (rc = ids_user("/etc/passwd", c->user, &u->uid, &u->gid)) < 0) {
		log_msg(LOG_ERR, "%s: user '%s': %s", c->name, c->user,
			rc == -ENOENT ? "not in /etc/passwd" : strerror(-rc));
		u->bad |= 1;
	}
	if (c->group != NULL && (rc = ids_group("/etc/group", c->group, &u->gid)) < 0) {
		log_msg(LOG_ERR, "%s: group '%s': %s", c->name, c->group,
			rc == -ENOENT ? "not in /etc/group" : strerror(-rc));
		u->bad |= 1;
	}
	if (u->bad & 1)
		u->state = UNIT_FAILED;
}

/* services_recheck: a unit failed for its user or group gets another look
 * (the user may have been added since).  Returns 1 when it is usable now. */
int services_recheck(struct unit *u)
{
	if (!(u->bad & 1))
		return !u->bad;
	resolve_ids(u);
	if (!(u->bad & 1) && u->state == UNIT_FAILED)
		u->state = UNIT_DOWN;
	return !u->bad;
}

/* A cgroup holds one service: limits and stop-mode act on the whole group. */
static int cgroup_taken(struct sup *s, const struct unit *u)
{
	const char *mine = u->svc.cgroup != NULL ? u->svc.cgroup : u->svc.name;
	int i;

	for (i = 0; i < s->cap; i++) {
		const struct unit *v = &s->units[i];

		if (v != u && v->used &&
		    strcmp(v->svc.cgroup != NULL ? v->svc.cgroup : v->svc.name, mine) == 0) {
			log_msg(LOG_ERR, "%s: cgroup '%s' is %s's already: skipped", u->svc.name,
				mine, v->svc.name);
			return 1;
		}
	}
	return 0;
}

static int load_unit(struct unit *u, const char *dir, const char *name)
{
	int rc = parse_file(&u->svc, dir, name, &u->hash);

	if (rc < 0)
		return rc;
	resolve_ids(u);
	return 0;
}

/* 1: a name initd loads (a plain service name, a regular file); 0: a
 * dot file, ignored; -1: reported and skipped. */
static int candidate(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	if (name[0] == '.')
		return 0;
	if (!svc_name_ok(name)) {
		log_msg(LOG_ERR, "%s/%s: not a service name ([a-z0-9_.-], up to %d bytes): skipped",
			dir, name, SVC_NAME_MAX - 1);
		return -1;
	}
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_msg(LOG_ERR, "%s/%s: not a regular file: skipped", dir, name);
		return -1;
	}
	return 1;
}

/*
 * A directory's names through getdents64 into a fixed buffer: reload
 * allocates nothing (opendir would).
 */
struct dirbuf {
	int fd, err;
	long len, at;
	uint64_t buf[1024];	/* records are 8-byte aligned */
};

struct dirent64_rec {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int dir_open(struct dirbuf *d, const char *dir)
{
	d->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->len = d->at = 0;
	d->err = 0;
	return d->fd < 0 ? -errno : 0;
}

static const char *dir_next(struct dirbuf *d)
{
	const struct dirent64_rec *e;

	if (d->at >= d->len) {
		d->len = syscall(SYS_getdents64, d->fd, d->buf, sizeof d->buf);
		d->at = 0;
		if (d->len < 0)
			d->err = -errno;
		if (d->len <= 0)
			return NULL;
	}
	e = (const struct dirent64_rec *)((const char *)d->buf + d->at);
	d->at += e->reclen;
	return e->name;
}

/* services_count: how many files dir holds (to size the table). */
int services_count(const char *dir)
{
	static struct dirbuf d;
	const char *name;
	int n = 0, rc = dir_open(&d, dir);

	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	while ((name = dir_next(&d)) != NULL)
		n += name[0] != '.';
	close(d.fd);
	return n;
}

static struct unit *add(struct sup *s, const char *dir, const char *name)
{
	struct unit *u;

	if (sup_find(s, name) != NULL) {
		log_msg(LOG_ERR, "%s/%s: initd's own service has this name: skipped", dir, name);
		return NULL;
	}
	u = sup_free_slot(s);
	if (u == NULL) {
		log_msg(LOG_ERR, "%s/%s: no room in the service table (%d): skipped", dir, name,
			s->cap);
		return NULL;
	}
	if (load_unit(u, dir, name) < 0 || cgroup_taken(s, u))
		return NULL;
	u->used = 1;
	u->from_file = 1;
	u->want_up = 1;
	if (loglink_pipe(u) < 0)
		log_msg(LOG_WARNING, "%s: no log pipe (%m): output goes to the console", name);
	return u;
}

/*
 * services_load: every file of dir into the table, in name order so that
 * boots are alike.  Returns how many were loaded, or -errno.
 */
int services_load(struct sup *s, const char *dir)
{
	struct dirent **names;
	int n, i, loaded = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		if (candidate(dir, names[i]->d_name) > 0 && add(s, dir, names[i]->d_name) != NULL)
			loaded++;
		free(names[i]);
	}
	free(names);
	sup_resolve(s);
	return loaded;
}

static int settle(struct sup *s, const char *dir);

/*
 * services_reload: bring the table in line with dir.  A changed file that
 * does not parse leaves the running service as it was.  No allocation.
 */
int services_reload(struct sup *s, const char *dir, struct services_diff *diff)
{
	static struct dirbuf d;
	char seen[DEPGRAPH_MAX];
	const char *name;
	struct unit *u;
	uint64_t hash;
	int i, rc;

	memset(diff, 0, sizeof *diff);
	memset(seen, 0, sizeof seen);
	rc = dir_open(&d, dir);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	while (rc == 0 && (name = dir_next(&d)) != NULL) {
		int ok = candidate(dir, name);

		diff->bad += ok < 0;
		if (ok <= 0)
			continue;
		u = sup_find(s, name);
		if (u != NULL && !u->from_file)
			continue;	/* initd's own keep their names */
		if (u == NULL) {
			u = add(s, dir, name);
			if (u != NULL) {
				seen[u - s->units] = 1;
				diff->added++;
			} else {
				diff->bad++;
			}
			continue;
		}
		seen[u - s->units] = 1;
		if (u->removed) {		/* back before it was gone */
			u->removed = 0;
			u->want_up = 1;
		}
		if (parse_file(&scratch, dir, name, &hash) < 0) {
			diff->bad++;
			continue;
		}
		svc_free(&scratch);	/* only its hash was wanted */
		if (hash == u->hash) {
			services_recheck(u);
			continue;
		}
		/* Restarted with its new definition, unless stopped by hand. */
		u->reparse = 1;
		diff->changed++;
		if (sup_running(u)) {
			sup_stop(s, u);
			u->want_up = 1;
		}
	}
	if (rc == 0)
		close(d.fd);
	if (d.err < 0) {
		/* Half a listing must not read as "everything else was removed". */
		log_msg(LOG_ERR, "%s: %s: reload stopped before removals", dir, strerror(-d.err));
		sup_resolve(s);
		return d.err;
	}
	for (i = 0; i < s->cap; i++) {
		u = &s->units[i];
		if (u->used && u->from_file && !seen[i] && !u->removed) {
			u->removed = 1;
			sup_stop(s, u);
			diff->removed++;
		}
	}
	settle(s, dir);
	sup_resolve(s);	/* new services' dependencies, and cycles they make */
	return 0;
}

/*
 * services_settle: what reload left for later, once its process is gone:
 * a removed service leaves the table, a changed one is read again (and
 * starts, as it is still wanted).  Returns 1 when the table changed.
 */
static int settle(struct sup *s, const char *dir)
{
	int i, changed = 0;

	for (i = 0; i < s->cap; i++) {
		struct unit *u = &s->units[i];
		char name[SVC_NAME_MAX];

		if (!u->used || sup_running(u) || (!u->removed && !u->reparse))
			continue;
		changed = 1;
		if (u->removed) {
			log_msg(LOG_NOTICE, "%s: removed", u->svc.name);
			loglink_drop(u);
			if (u->svc.stop_mode == STOP_CGROUP)
				cgroup_remove(CGROUP_ROOT, u->svc.cgroup ? u->svc.cgroup : u->svc.name);
			svc_free(&u->svc);
			u->used = 0;
			continue;
		}
		u->reparse = 0;
		u->state = UNIT_DOWN;
		u->delay_ms = 0;
		u->window_restarts = 0;
		memcpy(name, u->svc.name, sizeof name);
		if (load_unit(u, dir, name) < 0) {
			memcpy(u->svc.name, name, sizeof name);
			u->bad |= 1;
			u->state = UNIT_FAILED;
			continue;
		}
		log_msg(LOG_NOTICE, "%s: definition reloaded", u->svc.name);
	}
	return changed;
}

int services_settle(struct sup *s, const char *dir)
{
	int changed = settle(s, dir);

	if (changed)
		sup_resolve(s);
	return changed;
}
