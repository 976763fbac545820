/* bootent.c: a slot's entry on the ESP: its name read, found, blessed; the
 * ESP of the disk the root is on, mounted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blkdev.h"
#include "bootent.h"
#include "fileio.h"

/*
 * bootent_parse: "cairn-a.efi", "cairn-b+3.efi", "cairn-b+2-1.efi" (the
 * names systemd-boot's counting gives, one digit each: Cairn writes at
 * most BOOTENT_TRIES_MAX tries).  -EINVAL for any other name.
 */
int bootent_parse(const char *name, struct bootent *b)
{
	const char *p = name;

	if (strlen(name) >= sizeof b->name || strncmp(p, "cairn-", 6) != 0 || (p[6] != 'a' && p[6] != 'b'))
		return -EINVAL;
	b->slot = p[6];
	b->left = b->done = -1;
	p += 7;
	if (*p == '+') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		b->left = p[1] - '0';
		b->done = 0;
		p += 2;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				return -EINVAL;
			b->done = p[1] - '0';
			p += 2;
		}
	}
	if (strcmp(p, ".efi") != 0)
		return -EINVAL;
	snprintf(b->name, sizeof b->name, "%s", name);
	return 0;
}

/* DIRFD read from its start, through a descriptor of its own. */
static DIR *entries_open(int dirfd)
{
	int fd = dup(dirfd), saved;
	DIR *dir;

	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (dir == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	/* The offset is DIRFD's too: wherever the last reader left it. */
	rewinddir(dir);
	return dir;
}

/* The one entry of SLOT in DIRFD (BOOTENT_DIR); -ENOENT: none, -ENOTUNIQ: several. */
int bootent_find(int dirfd, char slot, struct bootent *b)
{
	struct bootent got;
	struct dirent *d;
	int n = 0;
	DIR *dir = entries_open(dirfd);

	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL)
		if (bootent_parse(d->d_name, &got) == 0 && got.slot == slot && n++ == 0)
			*b = got;
	closedir(dir);
	return n == 0 ? -ENOENT : n > 1 ? -ENOTUNIQ : 0;
}

/*
 * The name `pkg os-update --stage` gives SLOT's UKI (doc/update.md):
 * "cairn-S+N.efi.staged", which systemd-boot does not load until
 * bootent_arm takes ".staged" off.  N (1 to BOOTENT_TRIES_MAX) into
 * *TRIES; -EINVAL for any other name.
 */
static int staged_parse(const char *name, char slot, int *tries)
{
	if (strncmp(name, "cairn-", 6) != 0 || name[6] != slot || name[7] != '+' || name[8] < '1' ||
	    name[8] > '0' + BOOTENT_TRIES_MAX || strcmp(name + 9, ".efi" BOOTENT_STAGED) != 0)
		return -EINVAL;
	*tries = name[8] - '0';
	return 0;
}

/* Every entry of SLOT, a half-written one and a staged one, off the ESP, and that on the disk. */
int bootent_remove(int dirfd, char slot)
{
	char tmp[32];
	struct bootent b;
	struct dirent *d;
	int rc = 0, tries;
	DIR *dir = entries_open(dirfd);

	if (dir == NULL)
		return -errno;
	snprintf(tmp, sizeof tmp, "cairn-%c.efi.tmp", slot);
	while ((d = readdir(dir)) != NULL) {
		if ((bootent_parse(d->d_name, &b) < 0 || b.slot != slot) && strcmp(d->d_name, tmp) != 0 &&
		    staged_parse(d->d_name, slot, &tries) < 0)
			continue;
		if (unlinkat(dirfd, d->d_name, 0) < 0) {
			rc = -errno;
			break;
		}
	}
	closedir(dir);
	if (rc == 0 && (fsync(dirfd) < 0 || syncfs(dirfd) < 0))
		rc = -errno;
	return rc;
}

/* bootent_staged: SLOT's staged UKI, its tries in *TRIES; -ENOENT: none, -ENOTUNIQ: several. */
int bootent_staged(int dirfd, char slot, int *tries)
{
	struct dirent *d;
	int n = 0, t;
	DIR *dir = entries_open(dirfd);

	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL)
		if (staged_parse(d->d_name, slot, &t) == 0 && n++ == 0)
			*tries = t;
	closedir(dir);
	return n == 0 ? -ENOENT : n > 1 ? -ENOTUNIQ : 0;
}

/*
 * bootent_arm: SLOT's staged UKI becomes its entry on trial,
 * cairn-S+N.efi (systemd-boot boots the newest version first), and that
 * on the disk.  -ENOENT: nothing staged; -EEXIST: the slot has an entry
 * already, or several (a staged UKI is written only after its slot's
 * entries are gone).
 */
int bootent_arm(int dirfd, char slot)
{
	char staged[48], name[32];
	struct bootent b;
	int rc, tries = 0;

	rc = bootent_staged(dirfd, slot, &tries);
	if (rc < 0)
		return rc;
	rc = bootent_find(dirfd, slot, &b);
	if (rc != -ENOENT)
		return rc == 0 || rc == -ENOTUNIQ ? -EEXIST : rc;
	snprintf(name, sizeof name, "cairn-%c+%d.efi", slot, tries);
	snprintf(staged, sizeof staged, "%s" BOOTENT_STAGED, name);
	if (renameat(dirfd, staged, dirfd, name) < 0)
		return -errno;
	if (fsync(dirfd) < 0 || syncfs(dirfd) < 0)
		return -errno;
	return 0;
}

/* The entry renamed without its counter, and that on the disk: the default from now on. */
int bootent_bless(int dirfd, const struct bootent *b)
{
	char name[sizeof b->name];

	if (b->left < 0)
		return 0;
	snprintf(name, sizeof name, "cairn-%c.efi", b->slot);
	if (renameat(dirfd, b->name, dirfd, name) < 0)
		return -errno;
	if (fsync(dirfd) < 0 || syncfs(dirfd) < 0)
		return -errno;
	return 0;
}

/*
 * esp_mount: the ESP (the partition named ESP_LABEL) of the disk the root
 * is on, at DIR, read-write, unless something is mounted there already.
 */
int esp_mount(const char *sys, const char *dir, struct perr *e)
{
	char disk[64], name[64], dev[80], parent[4096];
	struct stat a, b;
	int rc, tries;

	/* Early in a boot /run/cairn may not be there yet. */
	snprintf(parent, sizeof parent, "%s", dir);
	if (strrchr(parent, '/') > parent) {
		*strrchr(parent, '/') = '\0';
		rc = file_mkdirs(AT_FDCWD, parent, 0755);
		if (rc < 0)
			return perr(e, rc, "%s: %s", parent, strerror(-rc));
	}
	snprintf(parent, sizeof parent, "%s/..", dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return perr(e, -errno, "%s: %s", dir, strerror(errno));
	for (tries = 0;; tries++) {
		struct timespec pause = { 0, 200 * 1000000L };

		if (stat(dir, &a) < 0 || stat(parent, &b) < 0)
			return perr(e, -errno, "%s: %s", dir, strerror(errno));
		if (a.st_dev != b.st_dev)
			return 0;
		if (tries == 0) {
			rc = blk_root_disk(sys, "/", disk, sizeof disk);
			if (rc < 0)
				return perr(e, rc, "the root's disk: %s: this system did not boot from a disk",
					    strerror(-rc));
			rc = blk_by_label(sys, ESP_LABEL, disk, name, sizeof name);
			if (rc < 0)
				return perr(e, rc, "%s: no partition named %s: %s", disk, ESP_LABEL,
					    rc == -ENOENT ? "not a Cairn disk" : strerror(-rc));
			snprintf(dev, sizeof dev, "/dev/%s", name);
		}
		if (mount(dev, dir, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC, "umask=0077") == 0)
			return 0;
		/*
		 * EBUSY: another process mounted it at DIR at the same moment
		 * (the check above then finds it there), or it is mounted
		 * read-only elsewhere for the moment (setup reading node.conf
		 * off it), which is short.
		 */
		if (errno != EBUSY || tries == 150) {
			rc = -errno;
			return perr(e, rc, "mount %s (the ESP) on %s: %s%s", dev, dir, strerror(-rc),
				    rc == -EBUSY ? " (mounted read-only elsewhere: see /proc/mounts)" : "");
		}
		nanosleep(&pause, NULL);
	}
}
