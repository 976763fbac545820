/* inroot.c: files inside a container's root, for code that runs outside
 * it.  Every path is resolved by openat2(2) with RESOLVE_IN_ROOT, so that
 * ".." and absolute links stop at the container's root, and with
 * RESOLVE_NO_MAGICLINKS, so that /proc/PID/root and /proc/self/fd links
 * (the way out of a chroot) are refused.  Files are then made in a
 * directory held open, by a single name (file_write_at). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"

#define INROOT_TRIES 128

/* inroot_open: PATH (absolute or not, both from ROOTFD's root) opened
 * with FLAGS; an fd or -errno. */
int inroot_open(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how;
	long fd;
	int tries = 0;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	/* EAGAIN: a rename somewhere on the host raced a walk through "..";
	 * a container can make its walks long, so the tries are counted. */
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < INROOT_TRIES);
	return fd < 0 ? -errno : (int)fd;
}

/* inroot_dir: an O_PATH handle on directory PATH inside ROOTFD's root;
 * with CREATE, a missing one is made (0755, its parents too) by a single
 * name in its parent's handle.  A dangling link stays an error. */
int inroot_dir(int rootfd, const char *path, int create)
{
	char parent[4096], *name;
	size_t n;
	int fd, pfd;

	fd = inroot_open(rootfd, path, O_PATH | O_DIRECTORY, 0);
	if (fd != -ENOENT || !create)
		return fd;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = '\0';
	name = strrchr(parent, '/');
	if (name == NULL)
		return -EINVAL;
	*name++ = '\0';
	pfd = inroot_dir(rootfd, parent[0] != '\0' ? parent : "/", create);
	if (pfd < 0)
		return pfd;
	fd = mkdirat(pfd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	close(pfd);
	if (fd < 0)
		return fd;
	return inroot_open(rootfd, path, O_PATH | O_DIRECTORY, 0);
}
