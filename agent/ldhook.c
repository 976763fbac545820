/* ldhook.c: given the OCI state a hook reads on stdin, find the container's
 * root from its bundle's config.json; in that root (chrooted, so no link in
 * the container's tree can reach the host's files) name the library folders
 * in /etc/ld.so.conf.d and run the container's own ldconfig.  A container
 * with no ldconfig is left alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "fileio.h"
#include "ldhook.h"


/* ldhook_rootfs: the container's root directory on the host. */
int ldhook_rootfs(const char *state, size_t len, char *rootfs, size_t size, char *err, size_t errsz)
{
	char path[4096];
	const char *bundle, *root;
	json_error_t je;
	json_t *st, *config = NULL;
	char *buf;
	size_t blen;
	int rc;

	st = json_loadb(state, len, 0, &je);
	if (st == NULL)
		return err_fail(err, errsz, "OCI state on stdin: not JSON: %s", je.text);
	bundle = json_string_value(json_object_get(st, "bundle"));
	if (bundle == NULL || bundle[0] != '/') {
		rc = err_fail(err, errsz, "OCI state on stdin: no absolute bundle path");
		goto out;
	}
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path)) {
		rc = err_fail(err, errsz, "bundle path too long");
		goto out;
	}
	rc = file_read_alloc(path, LDHOOK_CONFIG_MAX, &buf, &blen);
	if (rc < 0) {
		err_fail(err, errsz, "%s: %s", path, strerror(-rc));
		goto out;
	}
	config = json_loadb(buf, blen, 0, &je);
	free(buf);
	root = json_string_value(json_object_get(json_object_get(config, "root"), "path"));
	if (root == NULL || root[0] == '\0') {
		rc = err_fail(err, errsz, "%s: no root.path", path);
		goto out;
	}
	if (root[0] == '/')
		rc = snprintf(rootfs, size, "%s", root);
	else
		rc = snprintf(rootfs, size, "%s/%s", bundle, root);
	rc = rc < 0 || (size_t)rc >= size ? err_fail(err, errsz, "root path too long") : 0;
out:
	json_decref(config);
	json_decref(st);
	return rc;
}

static int write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* in_root: the child's work, after chroot.  Exit codes: 0 done or left
 * alone, 2 the conf file, 3 exec (125: chroot, in the parent's
 * child). */
static void in_root(const char *const *folders, size_t n)
{
	static const char *const ldconfigs[] = { "/sbin/ldconfig", "/usr/sbin/ldconfig" };
	const char *ldconfig = NULL;
	char conf[65536];
	struct stat st;
	size_t i, off = 0;
	int w;

	for (i = 0; i < 2; i++)
		if (stat(ldconfigs[i], &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			ldconfig = ldconfigs[i];
			break;
		}
	if (ldconfig == NULL)
		_exit(0);
	off = 0;
	w = snprintf(conf, sizeof(conf), "# Written by cairn-cdi's update-ldcache hook: the CDI mounted libraries.\n");
	off += (size_t)w;
	for (i = 0; i < n; i++) {
		w = snprintf(conf + off, sizeof(conf) - off, "%s\n", folders[i]);
		if (w < 0 || (size_t)w >= sizeof(conf) - off)
			_exit(2);
		off += (size_t)w;
	}
	mkdir("/etc", 0755);
	mkdir("/etc/ld.so.conf.d", 0755);
	if (file_write_atomic(LDHOOK_CONF, conf, off, 0644) < 0)
		_exit(2);
	if (stat("/etc/ld.so.conf", &st) < 0) {
		static const char inc[] = "include /etc/ld.so.conf.d/*.conf\n";
		int fd = open("/etc/ld.so.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);

		if (fd < 0 || write_all(fd, inc, sizeof(inc) - 1) < 0)
			_exit(2);
		close(fd);
	}
	execl(ldconfig, "ldconfig", (char *)NULL);
	_exit(3);
}

/* ldhook_update: FOLDERS (absolute, no newlines) into ROOTFS's ld cache. */
int ldhook_update(const char *rootfs, const char *const *folders, size_t n, char *err, size_t errsz)
{
	pid_t pid;
	int status;
	size_t i;

	for (i = 0; i < n; i++)
		if (folders[i][0] != '/' || strchr(folders[i], '\n') != NULL)
			return err_fail(err, errsz, "--folder %s: not an absolute path", folders[i]);
	pid = fork();
	if (pid < 0)
		return err_fail(err, errsz, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (chroot(rootfs) < 0 || chdir("/") < 0) {
			fprintf(stderr, "cairn-cdi: hook: chroot %s: %s\n", rootfs, strerror(errno));
			_exit(125);
		}
		in_root(folders, n);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_fail(err, errsz, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 125)
		return err_fail(err, errsz, "cannot enter the container root %s", rootfs);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return err_fail(err, errsz, "%s: cannot write %s there", rootfs, LDHOOK_CONF);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		return err_fail(err, errsz, "%s: cannot run the container's ldconfig", rootfs);
	return err_fail(err, errsz, "%s: the container's ldconfig failed (status %d)", rootfs,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
