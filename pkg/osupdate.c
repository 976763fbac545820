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
 * Staged (--stage), it is renamed cairn-S+N.efi.staged instead, which no
 * boot loads until `cairn-agent os reboot` arms it: the node, the update
 * window or Slurm's RebootProgram choose when the new OS starts, and a
 * reboot for any other reason keeps the running OS.
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
#include "fileio.h"

#define ESP_SPARE (1ULL << 20)		/* left free on the ESP */

/* The slot's UKI onto the ESP: written, read back, then named for systemd-boot. */
static int uki_put(int dirfd, const char *esp, char slot, const char *uki, const struct pkg_file *f, int tries,
		   int stage, struct perr *e)
{
	char tmp[32], name[40], path[4096];
	int fd, rc;

	snprintf(tmp, sizeof tmp, "cairn-%c.efi.tmp", slot);
	snprintf(name, sizeof name, "cairn-%c+%d.efi%s", slot, tries, stage ? BOOTENT_STAGED : "");
	snprintf(path, sizeof path, "%s/%s/%s", esp, BOOTENT_DIR, tmp);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return perr(e, -errno, "%s: %s", path, strerror(errno));
	rc = file_write_all(fd, uki, (size_t)f->size);
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

/* An update under way: the package, the slot it goes to, the ESP. */
struct update {
	const struct index_pkg *ip;
	struct txn_pkg p;
	char running[OS_VERSION_MAX];		/* the running OS's version */
	char slot, other;			/* the running slot; the one written */
	int islot, iuki;			/* the slot image and its UKI in p's file list */
	char dev[80], espdir[4096];
	int fd, dirfd;				/* the other slot's partition; the ESP's entries */
	char *uki;
	int journaled;
};

/* The package: newer than the running OS (1: the same one, nothing to
 * do), with an image and a UKI for the other slot. */
static int package_check(struct update *u, struct perr *e)
{
	const struct index_pkg *ip = u->ip;
	char ukipath[32];
	int cmp;

	cmp = version_cmp(ip->version, u->running);
	if (cmp == 0) {
		fprintf(stderr, "os-update: %s %s is the running OS: nothing to do\n", ip->name, ip->version);
		return 1;
	}
	/* systemd-boot boots the newest version first: an older one would
	 * never be tried. */
	if (cmp < 0)
		return perr(e, -EINVAL, "%s %s is older than the running OS (%s): refused (to go back, publish it "
			    "again with a newer version)", ip->name, ip->version, u->running);
	snprintf(ukipath, sizeof ukipath, "boot/cairn-%c.efi", u->other);
	u->islot = os_file(&u->p.m, "boot/slot.img");
	u->iuki = os_file(&u->p.m, ukipath);
	if (u->islot < 0 || u->iuki < 0)
		return perr(e, -EINVAL, "%s %s: no %s: not an OS package for slot %c", ip->name, ip->version,
			    u->islot < 0 ? "boot/slot.img" : ukipath, u->other);
	fprintf(stderr, "os-update: %s %s (running %s), checked against the signed index\n", ip->name,
		ip->version, u->running);
	return 0;
}

/* The other slot: on the root's disk, big enough, not in use. */
static int slot_open(struct update *u, const struct os_update_opts *o, struct perr *e)
{
	const struct index_pkg *ip = u->ip;
	char disk[64], part[64], label[16];
	unsigned long long room;
	int rc;

	rc = blk_root_disk(o->sys, "/", disk, sizeof disk);
	snprintf(label, sizeof label, "cairn-%c", u->other);
	if (rc == 0)
		rc = blk_by_label(o->sys, label, disk, part, sizeof part);
	if (rc < 0)
		return perr(e, rc, "slot %c (partition %s on the root's disk): %s", u->other, label, strerror(-rc));
	snprintf(u->dev, sizeof u->dev, "/dev/%s", part);
	u->fd = open(u->dev, O_RDWR | O_EXCL | O_CLOEXEC);
	if (u->fd < 0)
		return perr(e, -errno, "%s (slot %c): %s", u->dev, u->other, errno == EBUSY ? "in use" :
			    strerror(errno));
	if (ioctl(u->fd, BLKGETSIZE64, &room) < 0)
		return perr(e, -errno, "%s: its size: %s", u->dev, strerror(errno));
	if (u->p.m.files[u->islot].size > room)
		return perr(e, -ENOSPC, "%s %s: its root is %llu MiB and slot %c (%s) holds %llu MiB: too little "
			    "space: refused", ip->name, ip->version, (u->p.m.files[u->islot].size + (1 << 20) - 1) >> 20,
			    u->other, u->dev, room >> 20);
	return 0;
}

/* The ESP: the running slot's entry blessed, room for the new one. */
static int esp_check(struct update *u, const struct os_update_opts *o, struct perr *e)
{
	struct bootent me, old;
	struct statvfs vfs;
	struct stat st;
	unsigned long long avail;
	int rc;

	rc = esp_mount(o->sys, o->esp, e);
	if (rc < 0)
		return rc;
	snprintf(u->espdir, sizeof u->espdir, "%s/%s", o->esp, BOOTENT_DIR);
	u->dirfd = open(u->espdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->dirfd < 0)
		return perr(e, -errno, "%s: %s", u->espdir, strerror(errno));
	rc = bootent_find(u->dirfd, u->slot, &me);
	if (rc < 0)
		return perr(e, rc, "%s: %s for the running slot %c: its OS could not be gone back to: refused",
			    u->espdir, rc == -ENOENT ? "no entry" : "more than one entry", u->slot);
	if (me.left >= 0)
		return perr(e, -EBUSY, "slot %c is on trial (%s) and not yet healthy: slot %c holds the only OS "
			    "known to work: refused until this boot is good (cairn-agent os status)", u->slot, me.name,
			    u->other);
	if (fstatvfs(u->dirfd, &vfs) < 0)
		return perr(e, -errno, "%s: %s", u->espdir, strerror(errno));
	avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
	if (bootent_find(u->dirfd, u->other, &old) == 0 && fstatat(u->dirfd, old.name, &st, 0) == 0)
		avail += (unsigned long long)st.st_size;
	if (u->p.m.files[u->iuki].size + ESP_SPARE > avail)
		return perr(e, -ENOSPC, "the ESP has %llu MiB free for a %llu MiB kernel image: too little space: "
			    "refused", avail >> 20, (u->p.m.files[u->iuki].size + ESP_SPARE) >> 20);
	return 0;
}

/* The update noted on /var, the other slot's entry removed, its image
 * written and read back, its UKI put on the ESP, and the update pending. */
static int update_write(struct update *u, const struct os_update_opts *o, struct perr *e)
{
	const struct pkg_file *fslot = &u->p.m.files[u->islot], *fuki = &u->p.m.files[u->iuki];
	struct os_pending pend;
	struct os_put puts[2];
	int rc;

	u->uki = malloc(fuki->size + 1);
	if (u->uki == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));

	/* From here on every step leaves a node that boots the running OS. */
	pend = (struct os_pending){ u->other, "", o->tries };
	snprintf(pend.version, sizeof pend.version, "%s", u->ip->version);
	if (faccessat(o->statefd, "update", F_OK, 0) == 0)
		fprintf(stderr, "os-update: an earlier update was cut off: slot %c is written again\n", u->other);
	rc = osstate_put(o->statefd, "update", &pend);
	if (rc < 0)
		return perr(e, rc, "%s/update: %s", OS_STATE_DIR, strerror(-rc));
	u->journaled = 1;
	unlinkat(o->statefd, "pending", 0);
	unlinkat(o->statefd, "staged", 0);
	osstate_log(o->statefd, "update %s to slot %c: writing (running %s in slot %c)", u->ip->version,
		    u->other, u->running, u->slot);
	rc = bootent_remove(u->dirfd, u->other);
	if (rc < 0)
		return perr(e, rc, "%s: removing slot %c's entry: %s", u->espdir, u->other, strerror(-rc));
	fprintf(stderr, "os-update: slot %c (%s): %llu MiB\n", u->other, u->dev, fslot->size >> 20);
	puts[0] = (struct os_put){ u->islot, 0, NULL, 0 };
	puts[1] = (struct os_put){ u->iuki, 0, u->uki, fuki->size };
	rc = os_stream(&u->p, u->fd, puts, 2, u->islot > u->iuki ? u->islot : u->iuki, u->dev, e);
	if (rc == 0 && fsync(u->fd) < 0)
		rc = perr(e, -errno, "%s: fsync: %s", u->dev, strerror(errno));
	if (rc < 0)
		return rc;
	close(u->fd);
	u->fd = -1;
	fprintf(stderr, "os-update: slot %c: read back\n", u->other);
	rc = os_written(&u->p, u->islot, u->dev, 0, NULL, 0, e);
	if (rc < 0)
		return rc;
	rc = uki_put(u->dirfd, o->esp, u->other, u->uki, fuki, o->tries, o->stage, e);
	if (rc < 0)
		return rc;
	rc = osstate_put(o->statefd, o->stage ? "staged" : "pending", &pend);
	if (rc == 0 && unlinkat(o->statefd, "update", 0) < 0)
		rc = -errno;
	if (rc < 0)
		return perr(e, rc, "%s: %s", OS_STATE_DIR, strerror(-rc));
	osstate_log(o->statefd, "update %s to slot %c: written and read back; %d tries%s", u->ip->version,
		    u->other, o->tries, o->stage ? "; staged" : "");
	if (o->stage) {
		fprintf(stderr, "os-update: %s %s staged in slot %c: `cairn-agent os reboot` (Slurm's RebootProgram, "
			"the API's reboot) starts it, with %d tries to become healthy; any other reboot keeps %s\n",
			u->ip->name, u->ip->version, u->other, o->tries, u->running);
		return 0;
	}
	fprintf(stderr, "os-update: %s %s in slot %c: it boots next (%d tries to become healthy, then %s "
		"again); reboot to start it\n", u->ip->name, u->ip->version, u->other, o->tries, u->running);
	return 0;
}

int os_update(struct repo *r, const struct os_update_opts *o, struct perr *e)
{
	struct update u;
	int rc;

	memset(&u, 0, sizeof u);
	u.fd = u.dirfd = -1;
	rc = os_slot_running(o->cmdline, &u.slot);
	if (rc < 0)
		return perr(e, rc, "%s: %s: os-update needs a node booted from a disk's root slot (doc/update.md)",
			    o->cmdline, rc == -ENOENT ? "no cairn.slot=" : "a bad cairn.slot=");
	u.other = u.slot == 'a' ? 'b' : 'a';
	rc = osrel_get(o->osrel, "IMAGE_VERSION", u.running, sizeof u.running);
	if (rc < 0)
		return perr(e, rc, "%s: no IMAGE_VERSION: the running OS's version is not known", o->osrel);

	rc = os_load(r, o->arch, &u.ip, &u.p, e);
	if (rc < 0)
		return rc;
	rc = package_check(&u, e);
	if (rc == 0)
		rc = slot_open(&u, o, e);
	if (rc == 0)
		rc = esp_check(&u, o, e);
	if (rc == 0)
		rc = update_write(&u, o, e);
	/* Failed, not cut off: the log says why, and the journal goes (the
	 * slot has no entry, so nothing boots what was written). */
	if (rc < 0 && u.journaled) {
		osstate_log(o->statefd, "update %s to slot %c: failed: %s", u.ip->version, u.other, e->msg);
		unlinkat(o->statefd, "update", 0);
	}
	free(u.uki);
	if (u.fd >= 0)
		close(u.fd);
	if (u.dirfd >= 0)
		close(u.dirfd);
	txn_pkg_free(&u.p);
	return rc;
}
