/*
 * fsroot.c: every path pkg touches under an install root is resolved by
 * the kernel inside that root: openat2(2) with RESOLVE_IN_ROOT, so ".."
 * and absolute symlinks stop at the root as they would after chroot, and
 * RESOLVE_NO_MAGICLINKS, so /proc's links cannot lead out either.  The
 * last component is then used through the *at() calls on its parent
 * directory with no following (renameat, unlinkat, symlinkat, O_NOFOLLOW),
 * so links inside the root work and none leads out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "fsroot.h"

/* fsroot_open: path (relative, inside the root) opened with flags. */
int fsroot_open(int rootfd, const char *path, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	do
		fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : (int)fd;
}

/*
 * fsroot_parent: the directory holding path, opened inside the root (for
 * the *at() calls and fsync), and in *leaf the last component of path.
 */
int fsroot_parent(int rootfd, const char *path, const char **leaf)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (slash == NULL) {
		*leaf = path;
		return fsroot_open(rootfd, ".", O_RDONLY | O_DIRECTORY);
	}
	if ((size_t)(slash - path) >= sizeof dir)
		return -ENAMETOOLONG;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*leaf = slash + 1;
	return fsroot_open(rootfd, dir, O_RDONLY | O_DIRECTORY);
}

/* fsroot_mkdirs: path and every missing directory above it, each made in
 * its parent as resolved inside the root. */
int fsroot_mkdirs(int rootfd, const char *path, unsigned mode)
{
	char p[4096];
	const char *leaf;
	size_t i, n = strlen(path);
	int dfd, rc;

	if (n == 0 || n >= sizeof p)
		return -ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		dfd = fsroot_parent(rootfd, p, &leaf);
		if (dfd < 0)
			return dfd;
		rc = mkdirat(dfd, leaf, mode) < 0 && errno != EEXIST ? -errno : 0;
		close(dfd);
		if (rc < 0)
			return rc;
		p[i] = i == n ? '\0' : '/';
	}
	dfd = fsroot_open(rootfd, path, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return dfd;
	close(dfd);
	return 0;
}
