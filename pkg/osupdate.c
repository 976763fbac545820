/*
 * osupdate.c: the newest OS of a repository into the root slot the node
 * is not running (doc/update.md).  Every check comes first: the package
 * against the signed index, its version against the running OS's, the
 * slot's size, the ESP's room, and that the running slot is itself known
 * good (while it is on trial the other slot is the only OS known to work).
 * Then, each step safe to cut off: the update is noted on /var (the
 * journal), the other slot's boot entry is removed (from here on a power
 * cut leaves a node that boots the running OS), the slot image is
 * written and read back from the disk against its signed sha256, and the
 * slot's UKI goes onto the ESP under a name systemd-boot does not load,
 * read back too, then renamed to cairn-S+N.efi: N tries for the new OS,
 * the newest version first, and the running OS again once they are spent.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "blkdev.h"
#include "bootent.h"
#include "osinstall.h"
#include "osstate.h"
#include "version.h"

#define ESP_SPARE (1ULL << 20)		/* left free on the ESP */

/* The slot's UKI onto the ESP: written, read back, then named for systemd-boot. */
static int uki_put(int dirfd, const char *esp, char slot, const char *uki, const struct pkg_file *f, int tries,
		   struct perr *e)
{
	char tmp[32], name[32], path[4096];
	int fd, rc;

	snprintf(tmp, sizeof tmp, "cairn-%c.efi.tmp", slot);
	snprintf(name, sizeof name, "cairn-%c+%d.efi", slot, tries);
	snprintf(path, sizeof path, "%s/%s/%s", esp, BOOTENT_DIR, tmp);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	rc = util_write_all(fd, uki, (size_t)f->size);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc < 0)
		return perr(e, rc, "%s: %s", path, rc == -ENOSPC ? "the ESP is full" : strerror(-rc));
	rc = os_read_back(path, 0, f->size, NULL, 0, f->sha256, e);
	if (rc < 0)
		return rc;
	if (renameat(dirfd, tmp, dirfd, name) < 0 || fsync(dirfd) < 0 || syncfs(dirfd) < 0)
		return perr(e, -errno, "%s/%s/%s: %s", esp, BOOTENT_DIR, name, strerror(errno));
	return 0;
}

int os_update(struct repo *r, const struct os_update_opts *o, struct perr *e)
{
	char running[OS_VERSION_MAX], disk[64], part[64], dev[80], label[16], ukipath[32], espdir[4096];
	const struct index_pkg *ip;
	struct os_pending pend;
	struct os_put puts[2];
	struct bootent me;
	struct statvfs vfs;
	struct txn_pkg p;
	unsigned long long room;
	char slot, other, *uki = NULL;
	int islot, iuki, fd = -1, dirfd = -1, rc, cmp, journaled = 0;

	rc = os_slot_running(o->cmdline, &slot);
	if (rc < 0)
		return perr(e, rc, "%s: %s: os-update needs a node booted from a disk's root slot (doc/update.md)",
			    o->cmdline, rc == -ENOENT ? "no cairn.slot=" : "a bad cairn.slot=");
	other = slot == 'a' ? 'b' : 'a';
	rc = osrel_get(o->osrel, "IMAGE_VERSION", running, sizeof running);
	if (rc < 0)
		return perr(e, rc, "%s: no IMAGE_VERSION: the running OS's version is not known", o->osrel);

	rc = os_load(r, o->arch, &ip, &p, e);
	if (rc < 0)
		return rc;
	cmp = version_cmp(ip->version, running);
	if (cmp == 0) {
		fprintf(stderr, "os-update: %s %s is the running OS: nothing to do\n", ip->name, ip->version);
		rc = 1;
		goto out;
	}
	/* systemd-boot boots the newest version first: an older one would
	 * never be tried. */
	if (cmp < 0) {
		rc = perr(e, -EINVAL, "%s %s is older than the running OS (%s): refused (to go back, publish it "
			  "again with a newer version)", ip->name, ip->version, running);
		goto out;
	}
	snprintf(ukipath, sizeof ukipath, "boot/cairn-%c.efi", other);
	islot = os_file(&p.m, "boot/slot.img");
	iuki = os_file(&p.m, ukipath);
	if (islot < 0 || iuki < 0) {
		rc = perr(e, -EINVAL, "%s %s: no %s: not an OS package for slot %c", ip->name, ip->version,
			  islot < 0 ? "boot/slot.img" : ukipath, other);
		goto out;
	}
	fprintf(stderr, "os-update: %s %s (running %s), checked against the signed index\n", ip->name,
		ip->version, running);

	/* The other slot: on the root's disk, big enough, not in use. */
	rc = blk_root_disk(o->sys, "/", disk, sizeof disk);
	snprintf(label, sizeof label, "cairn-%c", other);
	if (rc == 0)
		rc = blk_by_label(o->sys, label, disk, part, sizeof part);
	if (rc < 0) {
		rc = perr(e, rc, "slot %c (partition %s on the root's disk): %s", other, label, strerror(-rc));
		goto out;
	}
	snprintf(dev, sizeof dev, "/dev/%s", part);
	fd = open(dev, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		rc = perr(e, -errno, "%s (slot %c): %s", dev, other, errno == EBUSY ? "in use" : strerror(errno));
		goto out;
	}
	if (ioctl(fd, BLKGETSIZE64, &room) < 0) {
		rc = perr(e, -errno, "%s: its size: %s", dev, strerror(errno));
		goto out;
	}
	if (p.m.files[islot].size > room) {
		rc = perr(e, -ENOSPC, "%s %s: its root is %llu MiB and slot %c (%s) holds %llu MiB: too little "
			  "space: refused", ip->name, ip->version, (p.m.files[islot].size + (1 << 20) - 1) >> 20,
			  other, dev, room >> 20);
		goto out;
	}

	/* The ESP: the running slot's entry blessed, room for the new one. */
	rc = esp_mount(o->sys, o->esp, e);
	if (rc < 0)
		goto out;
	snprintf(espdir, sizeof espdir, "%s/%s", o->esp, BOOTENT_DIR);
	dirfd = open(espdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = perr(e, -errno, "%s: %s", espdir, strerror(errno));
		goto out;
	}
	rc = bootent_find(dirfd, slot, &me);
	if (rc < 0) {
		rc = perr(e, rc, "%s: %s for the running slot %c: its OS could not be gone back to: refused", espdir,
			  rc == -ENOENT ? "no entry" : "more than one entry", slot);
		goto out;
	}
	if (me.left >= 0) {
		rc = perr(e, -EBUSY, "slot %c is on trial (%s) and not yet healthy: slot %c holds the only OS known "
			  "to work: refused until this boot is good (cairn-agent os status)", slot, me.name, other);
		goto out;
	}
	if (fstatvfs(dirfd, &vfs) < 0) {
		rc = perr(e, -errno, "%s: %s", espdir, strerror(errno));
		goto out;
	}
	{
		struct bootent old;
		struct stat st;
		unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;

		if (bootent_find(dirfd, other, &old) == 0 && fstatat(dirfd, old.name, &st, 0) == 0)
			avail += (unsigned long long)st.st_size;
		if (p.m.files[iuki].size + ESP_SPARE > avail) {
			rc = perr(e, -ENOSPC, "the ESP has %llu MiB free for a %llu MiB kernel image: too little space: "
				  "refused", avail >> 20, (p.m.files[iuki].size + ESP_SPARE) >> 20);
			goto out;
		}
	}
	uki = malloc(p.m.files[iuki].size + 1);
	if (uki == NULL) {
		rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
		goto out;
	}

	/* From here on every step leaves a node that boots the running OS. */
	pend = (struct os_pending){ other, "", o->tries };
	snprintf(pend.version, sizeof pend.version, "%s", ip->version);
	if (faccessat(o->statefd, "update", F_OK, 0) == 0)
		fprintf(stderr, "os-update: an earlier update was cut off: slot %c is written again\n", other);
	rc = osstate_put(o->statefd, "update", &pend);
	if (rc < 0) {
		rc = perr(e, rc, "%s/update: %s", OS_STATE_DIR, strerror(-rc));
		goto out;
	}
	journaled = 1;
	unlinkat(o->statefd, "pending", 0);
	osstate_log(o->statefd, "update %s to slot %c: writing (running %s in slot %c)", ip->version, other,
		    running, slot);
	rc = bootent_remove(dirfd, other);
	if (rc < 0) {
		rc = perr(e, rc, "%s: removing slot %c's entry: %s", espdir, other, strerror(-rc));
		goto out;
	}
	fprintf(stderr, "os-update: slot %c (%s): %llu MiB\n", other, dev, p.m.files[islot].size >> 20);
	puts[0] = (struct os_put){ islot, 0, NULL, 0 };
	puts[1] = (struct os_put){ iuki, 0, uki, p.m.files[iuki].size };
	rc = os_stream(&p, fd, puts, 2, islot > iuki ? islot : iuki, dev, e);
	if (rc == 0 && fsync(fd) < 0)
		rc = perr(e, -errno, "%s: fsync: %s", dev, strerror(errno));
	if (rc < 0)
		goto out;
	close(fd);
	fd = -1;
	fprintf(stderr, "os-update: slot %c: read back\n", other);
	rc = os_read_back(dev, 0, p.m.files[islot].size, NULL, 0, p.m.files[islot].sha256, e);
	if (rc < 0)
		goto out;
	rc = uki_put(dirfd, o->esp, other, uki, &p.m.files[iuki], o->tries, e);
	if (rc < 0)
		goto out;
	rc = osstate_put(o->statefd, "pending", &pend);
	if (rc == 0 && unlinkat(o->statefd, "update", 0) < 0)
		rc = -errno;
	if (rc < 0) {
		rc = perr(e, rc, "%s: %s", OS_STATE_DIR, strerror(-rc));
		goto out;
	}
	osstate_log(o->statefd, "update %s to slot %c: written and read back; %d tries", ip->version, other,
		    o->tries);
	fprintf(stderr, "os-update: %s %s in slot %c: it boots next (%d tries to become healthy, then %s "
		"again); reboot to start it\n", ip->name, ip->version, other, o->tries, running);
out:
	/* Failed, not cut off: the log says why, and the journal goes (the
	 * slot has no entry, so nothing boots what was written). */
	if (rc < 0 && journaled) {
		osstate_log(o->statefd, "update %s to slot %c: failed: %s", ip->version, other, e->msg);
		unlinkat(o->statefd, "update", 0);
	}
	free(uki);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	txn_pkg_free(&p);
	return rc;
}
