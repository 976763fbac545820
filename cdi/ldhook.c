/* ldhook.c: the OCI createContainer hook that gives a container an ld
 * cache naming the libraries CDI mounted into it.  Nothing the container
 * brings is run: the cache is made by Cairn's own code (ldscan.c) in a
 * child that has pivoted into the container's root in a mount namespace
 * of its own and dropped every privilege, and reads that root only
 * through handles that cannot leave it.  The parent writes what the child
 * made, again only through such handles (inroot.c, file_write_at), so a container's
 * links (/etc to the host, /etc/ld.so.conf.d to /proc/1/root/...) lead
 * nowhere outside it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "fileio.h"
#include "inroot.h"
#include "ldcache.h"
#include "ldhook.h"
#include "ldscan.h"

/* ldhook_rootfs: the container's root directory on the host. */
int ldhook_rootfs(const char *state, size_t len, char *rootfs, size_t size, struct perr *e)
{
	char path[4096];
	const char *bundle, *root;
	json_error_t je;
	json_t *st, *config = NULL;
	char *buf;
	size_t blen;
	int rc;

	st = json_loadb(state, len, JSON_REJECT_DUPLICATES, &je);
	if (st == NULL)
		return perr(e, -EINVAL, "OCI state on stdin: not JSON: %s", je.text);
	bundle = json_string_value(json_object_get(st, "bundle"));
	if (bundle == NULL || bundle[0] != '/') {
		rc = perr(e, -EINVAL, "OCI state on stdin: no absolute bundle path");
		goto out;
	}
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path)) {
		rc = perr(e, -EINVAL, "bundle path too long");
		goto out;
	}
	rc = file_read_alloc(path, LDHOOK_CONFIG_MAX, &buf, &blen);
	if (rc < 0) {
		perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
		goto out;
	}
	config = json_loadb(buf, blen, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	root = json_string_value(json_object_get(json_object_get(config, "root"), "path"));
	if (root == NULL || root[0] == '\0') {
		rc = perr(e, -EINVAL, "%s: no root.path", path);
		goto out;
	}
	if (root[0] == '/')
		rc = snprintf(rootfs, size, "%s", root);
	else
		rc = snprintf(rootfs, size, "%s/%s", bundle, root);
	rc = rc < 0 || (size_t)rc >= size ? perr(e, -EINVAL, "root path too long") : 0;
out:
	json_decref(config);
	json_decref(st);
	return rc;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *s = buf;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void __attribute__((noreturn, format(printf, 1, 2))) child_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cairn-cdi: hook update-ldcache: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

/* enter_root: ROOTFS as / of a mount namespace of this process's own; the
 * host's tree is unmounted from it. */
static void enter_root(const char *rootfs)
{
	if (unshare(CLONE_NEWNS) < 0)
		child_fail("a mount namespace of its own: %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail("making the mounts private: %s", strerror(errno));
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0)
		child_fail("%s: %s", rootfs, strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_fail("pivot_root into %s: %s", rootfs, strerror(errno));
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		child_fail("leaving the host's root: %s", strerror(errno));
}

/* drop: no capability, none to gain again, and (where the user namespace
 * maps it) the overflow user: the root's files are read as anyone would. */
static void drop(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			child_fail("dropping capability %d: %s", cap, strerror(errno));
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		child_fail("setgroups: %s", strerror(errno));
	if (setresgid(LDHOOK_ID, LDHOOK_ID, LDHOOK_ID) < 0 && errno != EINVAL)
		child_fail("setresgid %d: %s", LDHOOK_ID, strerror(errno));
	if (setresuid(LDHOOK_ID, LDHOOK_ID, LDHOOK_ID) < 0 && errno != EINVAL)
		child_fail("setresuid %d: %s", LDHOOK_ID, strerror(errno));
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		child_fail("capset: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		child_fail("clearing ambient capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("no_new_privs: %s", strerror(errno));
}

/* scan_child: in the container's root, unprivileged: the cache to FD. */
static void __attribute__((noreturn)) scan_child(const char *rootfs, const char *const *folders, size_t n, int fd)
{
	unsigned char *cache;
	size_t len;
	int rootfd, rc;

	alarm(LDHOOK_SECONDS);
	if (dup2(fd, 3) < 0)
		child_fail("dup2: %s", strerror(errno));
	syscall(SYS_close_range, 4, ~0U, 0);
	enter_root(rootfs);
	drop();
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		child_fail("/: %s", strerror(errno));
	rc = ldscan_root(rootfd, folders, n, &cache, &len);
	if (rc < 0)
		child_fail("%s: reading its libraries: %s", rootfs, strerror(-rc));
	rc = write_all(3, cache, len);
	if (rc < 0)
		child_fail("handing the cache over: %s", strerror(-rc));
	_exit(0);
}

/* make_cache: the cache for ROOTFS, made by the child, in *CACHE. */
static int make_cache(const char *rootfs, const char *const *folders, size_t n,
		      unsigned char **cache, size_t *len, struct perr *e)
{
	unsigned char *buf;
	size_t got = 0;
	ssize_t r;
	pid_t pid;
	int p[2], status, rc = 0;

	buf = malloc(LDCACHE_MAX + 1);
	if (buf == NULL)
		return perr(e, -EINVAL, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(buf);
		return perr(e, -EINVAL, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		free(buf);
		return perr(e, -EINVAL, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		scan_child(rootfs, folders, n, p[1]);
	}
	close(p[1]);
	while (got <= LDCACHE_MAX && (r = read(p[0], buf + got, LDCACHE_MAX + 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = perr(e, -EINVAL, "reading the cache: %s", strerror(errno));
			break;
		}
		got += (size_t)r;
	}
	close(p[0]);
	if (rc == 0 && got > LDCACHE_MAX)
		rc = perr(e, -EINVAL, "%s: the cache would pass %u bytes", rootfs, LDCACHE_MAX);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return perr(e, -EINVAL, "waitpid: %s", strerror(errno));
		}
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = WIFSIGNALED(status)
			? perr(e, -EINVAL, "%s: reading its libraries: killed by signal %d%s", rootfs,
			       WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (took too long)" : "")
			: perr(e, -EINVAL, "%s: could not make its cache (the line above says why)", rootfs);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*cache = buf;
	*len = got;
	return 0;
}

static int count_entry(void *ctx, const char *name, const char *path)
{
	(void)name;
	(void)path;
	(*(size_t *)ctx)++;
	return 0;
}

static int in_root_error(const char *rootfs, const char *what, int rc, struct perr *e)
{
	return perr(e, -EINVAL, "%s: %s: %s%s", rootfs, what, strerror(-rc),
		    rc == -ELOOP || rc == -EXDEV || rc == -ENOENT || rc == -ENOTDIR || rc == -EACCES || rc == -EPERM
			    ? " (a link that leaves the container's root, or through /proc, is not followed)" : "");
}

/* ldhook_update: FOLDERS (absolute, no newlines) first in ROOTFS's ld cache. */
int ldhook_update(const char *rootfs, const char *const *folders, size_t n, struct perr *e)
{
	static const char inc[] = "include /etc/ld.so.conf.d/*.conf\n";
	char conf[65536];
	unsigned char *cache = NULL;
	size_t i, off, len = 0;
	int rootfd, etc = -1, confd = -1, fd, rc, w;

	off = (size_t)snprintf(conf, sizeof(conf),
			       "# Written by cairn-cdi's update-ldcache hook: the CDI mounted libraries.\n");
	for (i = 0; i < n; i++) {
		if (folders[i][0] != '/' || strchr(folders[i], '\n') != NULL)
			return perr(e, -EINVAL, "--folder %s: not an absolute path", folders[i]);
		w = snprintf(conf + off, sizeof(conf) - off, "%s\n", folders[i]);
		if (w < 0 || (size_t)w >= sizeof(conf) - off)
			return perr(e, -EINVAL, "--folder: too many folders");
		off += (size_t)w;
	}
	rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return perr(e, -EINVAL, "cannot enter the container root %s: %s", rootfs, strerror(errno));
	rc = make_cache(rootfs, folders, n, &cache, &len, e);
	if (rc < 0)
		goto out;
	i = 0;
	rc = ldcache_parse(cache, len, count_entry, &i);
	if (rc < 0) {
		rc = perr(e, -EINVAL, "%s: the cache made is not one glibc reads: %s", rootfs, strerror(-rc));
		goto out;
	}
	etc = inroot_dir(rootfd, "/etc", 1);
	if (etc < 0) {
		rc = in_root_error(rootfs, "/etc", etc, e);
		goto out;
	}
	confd = inroot_dir(rootfd, "/etc/ld.so.conf.d", 1);
	if (confd < 0) {
		rc = in_root_error(rootfs, "/etc/ld.so.conf.d", confd, e);
		goto out;
	}
	rc = file_write_at(confd, LDHOOK_CONF_NAME, conf, off, 0644);
	if (rc < 0) {
		rc = in_root_error(rootfs, "/etc/ld.so.conf.d/" LDHOOK_CONF_NAME, rc, e);
		goto out;
	}
	/* A later ldconfig of the container's own keeps the folders. */
	fd = openat(etc, "ld.so.conf", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		rc = write_all(fd, inc, sizeof(inc) - 1);
		if (close(fd) < 0 && rc == 0)
			rc = -errno;
	} else {
		rc = errno == EEXIST ? 0 : -errno;
	}
	if (rc < 0) {
		rc = in_root_error(rootfs, "/etc/ld.so.conf", rc, e);
		goto out;
	}
	rc = file_write_at(etc, "ld.so.cache", (const char *)cache, len, 0644);
	if (rc < 0)
		rc = in_root_error(rootfs, "/etc/ld.so.cache", rc, e);
out:
	if (confd >= 0)
		close(confd);
	if (etc >= 0)
		close(etc);
	close(rootfd);
	free(cache);
	return rc;
}
