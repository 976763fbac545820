/* mount.c: the kernel file systems every later step needs. */
#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mount.h"
#include "log.h"

struct early_mount {
	const char *source;
	const char *target;
	const char *type;
	unsigned long flags;
	const char *data;
	mode_t mode;
};

/* Order matters: /dev before /dev/pts, /sys before its cgroup mount. */
static const struct early_mount early_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible", 0555 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755", 0755 },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", 0755 },
	{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777", 01777 },
	{ "run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
	{ "tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate", 0555 },
};

/* A mount point sits on another device than its parent (or is "/"). */
int is_mountpoint(const char *path)
{
	char parent[300];
	struct stat a, b;

	snprintf(parent, sizeof parent, "%s/..", path);
	if (stat(path, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

/*
 * mount_early: mount the table under root ("" for the real root).  What is
 * already a mount point (a kernel that mounted devtmpfs itself, a second
 * call) is left as it is.  Returns 0 or the
 * first -errno; every entry is tried, so one failure does not hide the rest.
 */
int mount_early(const char *root)
{
	char target[256];
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof early_mounts / sizeof early_mounts[0]; i++) {
		const struct early_mount *m = &early_mounts[i];
		int n = snprintf(target, sizeof target, "%s%s", root, m->target);

		if (n < 0 || (size_t)n >= sizeof target)
			return -ENAMETOOLONG;
		if (mkdir(target, m->mode) < 0 && errno != EEXIST) {
			if (rc == 0)
				rc = -errno;
			log_msg(LOG_ERR, "mkdir %s: %m", target);
			continue;
		}
		if (is_mountpoint(target))
			continue;
		if (mount(m->source, target, m->type, m->flags, m->data) < 0) {
			if (rc == 0)
				rc = -errno;
			log_msg(LOG_ERR, "mount %s on %s: %m", m->type, target);
		}
	}
	return rc;
}

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

/*
 * mount_root_bind: when "/" is the initramfs (the kernel's rootfs, which
 * can never be unmounted or pivoted away from), make it a bind mount of
 * itself, the way switch_root moves a new root over it.  Container
 * runtimes pivot_root into each container; the kernel refuses that
 * while the root is rootfs itself, and accepts it from a bind mount.
 * Nothing is copied.  Returns 1 when it did, 0 when "/" is not a RAM
 * file system, or -errno.
 */
int mount_root_bind(void)
{
	static const char mnt[] = "/.cairn-root";
	struct statfs sf;

	if (statfs("/", &sf) < 0)
		return -errno;
	if (sf.f_type != RAMFS_MAGIC && sf.f_type != TMPFS_MAGIC)
		return 0;
	if (mkdir(mnt, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount("/", mnt, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(mnt) < 0 ||
	    mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return -errno;
	/* The mount point, as the bind shows it: an empty directory. */
	rmdir(mnt);
	return 1;
}
