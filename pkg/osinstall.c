/*
 * osinstall.c: install the OS from a repository (the air-gapped bundle)
 * onto a blank disk.  The cairn-os package carries the disk's partition
 * table (boot/gpt.sfdisk), the ESP's bytes (boot/esp.img) and slot A's
 * (boot/slot.img: the squashfs root and its dm-verity tree).  Everything
 * is checked before the first write: the package against the signed
 * index, the table (an ESP, slot A, each image fitting its partition),
 * and the target (a whole disk, not in use, not the bundle's, big enough,
 * blank).  Then sfdisk writes the table, every other partition's first
 * MiB is zeroed, so nothing a disk held before is taken for the new
 * node's data, and the images go to their partitions' places, checked
 * again as they stream and read back from the disk before the ESP's boot
 * sector goes on.  A failure after the table wipes the disk: nothing
 * unverified is left to boot.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "blkdev.h"
#include "format.h"
#include "osinstall.h"
#include "payload.h"
#include "runcap.h"
#include "txn.h"
#include "version.h"
#include "sha256.h"

#define SECTOR 512ULL
/* Past the last partition: the backup GPT and sfdisk's 1 MiB alignment. */
#define TAIL_SECTORS 2048ULL
#define SFDISK_SECONDS 120
/* A GPT: the protective MBR, the header and 32 sectors of entries at the
 * start; the entries and the header again at the end. */
#define GPT_SECTORS 34

/* ---- the table ---------------------------------------------------------- */

/* "boot/gpt.sfdisk[ line N]: why" into err; -EINVAL. */
static int bad(char *err, size_t errsize, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(char *err, size_t errsize, int line, const char *fmt, ...)
{
	va_list ap;
	int n = line > 0 ? snprintf(err, errsize, "boot/gpt.sfdisk line %d: ", line) :
			   snprintf(err, errsize, "boot/gpt.sfdisk: ");

	if (n >= 0 && (size_t)n < errsize) {
		va_start(ap, fmt);
		vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int uuid_ok(const char *s)
{
	int i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 36 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* One partition line: start=S, size=N, type=T, uuid=U, name="X". */
static int part_parse(char *line, struct os_part *p, char *err, size_t errsize, int ln)
{
	char *field, *save = NULL;
	int have = 0;

	memset(p, 0, sizeof *p);
	for (field = strtok_r(line, ",", &save); field != NULL; field = strtok_r(NULL, ",", &save)) {
		char *eq, *k, *v;

		while (*field == ' ')
			field++;
		eq = strchr(field, '=');
		if (eq == NULL)
			return bad(err, errsize, ln, "'%.40s' is not KEY=VALUE", field);
		*eq = '\0';
		k = field;
		v = eq + 1;
		if (strcmp(k, "start") == 0 && pkg_decimal(v, 1ULL << 48, &p->start) == 0)
			have |= 1;
		else if (strcmp(k, "size") == 0 && pkg_decimal(v, 1ULL << 48, &p->size) == 0 && p->size > 0)
			have |= 2;
		else if (strcmp(k, "type") == 0 && uuid_ok(v))
			snprintf(p->type, sizeof p->type, "%s", v), have |= 4;
		else if (strcmp(k, "uuid") == 0 && uuid_ok(v))
			;
		else if (strcmp(k, "name") == 0 && v[0] == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			if (!name_ok(v + 1))
				return bad(err, errsize, ln, "bad partition name");
			snprintf(p->name, sizeof p->name, "%s", v + 1);
			have |= 8;
		} else {
			return bad(err, errsize, ln, "bad or unknown '%.20s'", k);
		}
	}
	if (have != 15)
		return bad(err, errsize, ln, "a partition needs start, size, type and name");
	return 0;
}

/*
 * os_layout_parse: the table as sfdisk reads it, held to what disk.sh
 * writes: a GPT in sectors, each partition with its start, in order, none
 * overlapping another or the table itself.
 */
int os_layout_parse(const char *text, size_t len, struct os_layout *l, char *err, size_t errsize)
{
	char buf[OS_LAYOUT_MAX + 1], *line, *save = NULL;
	int ln = 0, gpt = 0, sectors = 0, i;

	memset(l, 0, sizeof *l);
	if (len == 0 || len > OS_LAYOUT_MAX || memchr(text, '\0', len) != NULL || text[len - 1] != '\n')
		return bad(err, errsize, 0, "empty, too long, a NUL, or no final newline");
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		ln++;
		if (strcmp(line, "label: gpt") == 0) {
			gpt = 1;
		} else if (strcmp(line, "unit: sectors") == 0) {
			sectors = 1;
		} else if (strncmp(line, "label-id: ", 10) == 0 || strncmp(line, "first-lba: ", 11) == 0) {
			continue;
		} else if (strncmp(line, "start=", 6) == 0) {
			if (l->n == OS_PARTS_MAX)
				return bad(err, errsize, ln, "more than %d partitions",
					       OS_PARTS_MAX);
			if (part_parse(line, &l->p[l->n], err, errsize, ln) < 0)
				return -EINVAL;
			l->n++;
		} else {
			return bad(err, errsize, ln, "unknown line '%.40s'", line);
		}
	}
	if (!gpt || !sectors || l->n == 0)
		return bad(err, errsize, 0, "not a GPT in sectors with partitions");
	for (i = 0; i < l->n; i++) {
		const struct os_part *p = &l->p[i];

		if (p->start < 34 || (i > 0 && p->start < l->p[i - 1].start + l->p[i - 1].size))
			return bad(err, errsize, 0, "partition %s overlaps the table or "
				       "the one before it", p->name);
		if (os_layout_find(l, p->name) != p)
			return bad(err, errsize, 0, "two partitions named %s", p->name);
		l->end = p->start + p->size;
	}
	return 0;
}

const struct os_part *os_layout_find(const struct os_layout *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->p[i].name, name) == 0)
			return &l->p[i];
	return NULL;
}

/* ---- the package ---------------------------------------------------------- */

/* The newest cairn-os for ARCH the index lists. */
const struct index_pkg *os_newest(const struct repo *r, const char *arch)
{
	const struct index_pkg *best = NULL;
	size_t i;

	for (i = 0; i < r->ix.n; i++) {
		const struct index_pkg *p = &r->ix.pkgs[i];

		if (strcmp(p->name, OS_PACKAGE) == 0 && strcmp(p->arch, arch) == 0 &&
		    (best == NULL || version_cmp(p->version, best->version) > 0))
			best = p;
	}
	return best;
}

int os_file(const struct pkg_meta *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (m->files[i].type == PKG_FILE && strcmp(m->files[i].path, path) == 0)
			return (int)i;
	return -1;
}

/*
 * os_stream: the payload from its start: each regular file up to LAST
 * skipped, or, for a file PUTS[k] names, written to OUT at its offset, its
 * first HOLD bytes kept in its KEEP instead (OUT < 0: nothing written).
 * A file kept whole, or named with no OUT, is checked against its sha256
 * here.  One written to OUT is not: the package's own hash was checked as
 * it was loaded, and the caller reads every written byte back from the
 * disk against the file's sha256 (os_written) before anything can boot
 * from it.  Hashing it here too was a third pass over a slot's bytes.
 */
int os_stream(const struct txn_pkg *p, int out, struct os_put *puts, int nputs, int last,
		     const char *target, struct perr *e)
{
	static unsigned char buf[1 << 20];
	struct payload pl;
	int i, k, rc;

	rc = payload_open(&pl, p->fd, p->payload_off, p->payload_len, p->m.payload_size);
	if (rc < 0)
		return perr(e, rc, "%s: payload: %s", p->m.name, payload_why(rc));
	for (i = 0; i <= last && rc == 0; i++) {
		const struct pkg_file *f = &p->m.files[i];
		unsigned long long left = f->size, at = 0;
		struct os_put *put = NULL;
		struct sha256 h;
		uint8_t got[32];
		int check;

		if (f->type != PKG_FILE)
			continue;
		for (k = 0; k < nputs; k++)
			if (puts[k].file == i)
				put = &puts[k];
		check = put != NULL && (out < 0 || (put->hold == f->size && put->keep != NULL));
		if (check && sha256_init(&h) < 0) {
			rc = perr(e, -ENOMEM, "%s", strerror(ENOMEM));
			break;
		}
		while (left > 0) {
			size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
			const unsigned char *src = buf;

			rc = payload_read(&pl, buf, n);
			if (rc < 0) {
				perr(e, rc, "/%s: %s", f->path, payload_why(rc));
				break;
			}
			if (check)
				sha256_update(&h, buf, n);
			if (put != NULL && at < put->hold) {
				size_t kept = put->hold - at < n ? (size_t)(put->hold - at) : n;

				memcpy(put->keep + at, src, kept);
				src += kept;
				at += kept;
				left -= kept;
				n -= kept;
			}
			if (put != NULL && n > 0 && out >= 0) {
				ssize_t w = pwrite(out, src, n, (off_t)(put->offset + at));

				if (w != (ssize_t)n) {
					rc = perr(e, w < 0 ? -errno : -EIO, "%s: write: %s", target,
						  w < 0 ? strerror(errno) : "short write");
					break;
				}
				/* Written back as it goes, not all at the fsync: a
				 * slot's worth of dirty pages would wait in memory. */
				sync_file_range(out, (off_t)(put->offset + at), (off_t)n, SYNC_FILE_RANGE_WRITE);
			}
			at += n;
			left -= n;
		}
		if (check && (sha256_final(&h, got) < 0 || memcmp(got, f->sha256, 32) != 0) && rc == 0)
			rc = perr(e, -EINVAL, "/%s: contents do not match the package's sha256: refused", f->path);
		if (rc == 0 && put != NULL && put->hold == f->size && put->keep != NULL)
			put->keep[f->size] = '\0';
	}
	payload_close(&pl);
	return rc;
}

/*
 * os_written: FILE of P, written to PATH at OFF (its first HEADLEN bytes
 * still in HEAD), read back against its sha256.  When it differs, the
 * package is read again: if the file's bytes there no longer match either,
 * the medium changed them after the package was checked (-EINVAL, with
 * the stream's message), not the disk (-EIO, os_read_back's).
 */
int os_written(const struct txn_pkg *p, int file, const char *path, unsigned long long off, const void *head,
	       size_t headlen, struct perr *e)
{
	const struct pkg_file *f = &p->m.files[file];
	struct os_put put = { file, 0, NULL, 0 };
	struct perr again = { "" };
	int rc = os_read_back(path, off, f->size, head, headlen, f->sha256, e);

	if (rc == -EIO && os_stream(p, -1, &put, 1, file, path, &again) == -EINVAL) {
		*e = again;
		return -EINVAL;
	}
	return rc;
}

/*
 * os_load: the newest cairn-os for ARCH, read whole and checked against
 * the signed index before a byte of it is used.
 */
int os_load(struct repo *r, const char *arch, const struct index_pkg **ipp, struct txn_pkg *p, struct perr *e)
{
	const struct index_pkg *ip;
	long long len;
	off_t base;
	int pfd, rc;

	ip = *ipp = os_newest(r, arch);
	if (ip == NULL)
		return perr(e, -ENOENT, "the repository has no %s package for %s", OS_PACKAGE, arch);
	pfd = repo_pkg_open(r, ip, &base, &len, e);
	if (pfd < 0)
		return pfd;
	rc = txn_pkg_load(p, pfd, base, len, ip->sha256, ip->size, ip->name, e);
	if (rc < 0) {
		close(pfd);
		return rc;
	}
	if (strcmp(p->m.name, ip->name) != 0 || strcmp(p->m.version, ip->version) != 0 ||
	    strcmp(p->m.arch, ip->arch) != 0) {
		txn_pkg_free(p);
		return perr(e, -EINVAL, "%s-%s: its metadata names another package: refused", ip->name, ip->version);
	}
	return 0;
}

/* ---- the target ------------------------------------------------------------ */

/* The disk under a block device (itself, for a disk), or "" for a file. */
static int disk_of(int fd, char *disk, size_t size)
{
	struct stat st;

	disk[0] = '\0';
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return 0;
	return blk_dev_disk("/sys", st.st_rdev, disk, size);
}

static int target_check(int fd, const char *target, const struct repo *r, unsigned long long need,
			int flags, struct perr *e)
{
	unsigned long long bytes;
	char tdisk[64], bdisk[64], name[64];
	struct stat st;
	int rc, kind;

	if (fstat(fd, &st) < 0)
		return perr(e, -errno, "%s: %s", target, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		int bs;

		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0)
			return perr(e, -errno, "%s: its size: %s", target, strerror(errno));
		/* The table is in 512-byte sectors, and sfdisk reads sectors
		 * as the device's blocks. */
		if (ioctl(fd, BLKSSZGET, &bs) < 0)
			return perr(e, -errno, "%s: its block size: %s", target, strerror(errno));
		if (bs != 512)
			return perr(e, -EINVAL, "%s: %d-byte blocks: this OS image is laid out in 512-byte "
				    "sectors: refused", target, bs);
		rc = blk_dev_name("/sys", st.st_rdev, name, sizeof name);
		if (rc < 0)
			return perr(e, rc, "%s: not in /sys/dev/block: %s", target, strerror(-rc));
		if (blk_parent("/sys", name, tdisk, sizeof tdisk, NULL) == 0)
			return perr(e, -EINVAL, "%s: a partition of %s: the installer takes a whole disk", target,
				    tdisk);
		if (r->b.fd >= 0) {
			rc = disk_of(r->b.fd, bdisk, sizeof bdisk);
			if (rc < 0)
				return perr(e, rc, "the bundle's disk: %s: refused (it may be %s)", strerror(-rc),
					    target);
			if (strcmp(bdisk, name) == 0)
				return perr(e, -EINVAL, "%s: holds the bundle being installed from: refused", target);
		}
	} else if (S_ISREG(st.st_mode)) {
		bytes = (unsigned long long)st.st_size;
	} else {
		return perr(e, -EINVAL, "%s: not a disk", target);
	}
	if (bytes < need)
		return perr(e, -ENOSPC, "%s: %llu MiB, and the OS needs %llu MiB: too small", target, bytes >> 20,
			    (need + (1 << 20) - 1) >> 20);
	if (flags & OS_FORCE)
		return 0;
	rc = blk_probe(fd, &kind);
	if (rc < 0)
		return perr(e, rc, "%s: read: %s", target, strerror(-rc));
	if (kind != BLK_EMPTY)
		return perr(e, -EEXIST, "%s: not blank (a partition table or data in its first MiB): refused "
			    "without --force", target);
	return 0;
}

static int zero_first_mib(int fd, const struct os_part *p, const char *target, struct perr *e)
{
	static const unsigned char zero[65536];
	unsigned long long at = p->start * SECTOR, end = at + (p->size * SECTOR < BLK_PROBE_BYTES ?
							       p->size * SECTOR : BLK_PROBE_BYTES);

	for (; at < end; at += sizeof zero)
		if (pwrite(fd, zero, end - at < sizeof zero ? end - at : sizeof zero, (off_t)at) < 0)
			return perr(e, -errno, "%s: zeroing partition %s: %s", target, p->name, strerror(errno));
	return 0;
}

/* ---- installing ------------------------------------------------------------ */

/* The target's size: a disk's, or a file's. */
static int target_bytes(int fd, unsigned long long *bytes)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, bytes) < 0 ? -errno : 0;
	*bytes = (unsigned long long)st.st_size;
	return 0;
}

/*
 * A failed install leaves nothing that boots: both GPTs zeroed, and the
 * first MiB of the ESP and of slot A (the kernel then told that the disk
 * has no partitions).  What was written and not read back is never booted.
 */
static void wipe(int fd, const char *target, const struct os_part *esp, const struct os_part *slot)
{
	static const unsigned char zero[GPT_SECTORS * SECTOR];
	unsigned long long bytes = 0;
	struct perr e = { "" };
	int rc;

	rc = target_bytes(fd, &bytes);
	if (rc < 0)
		perr(&e, rc, "its size: %s", strerror(-rc));
	else if (pwrite(fd, zero, sizeof zero, 0) != (ssize_t)sizeof zero ||
		 (bytes >= 2 * sizeof zero &&
		  pwrite(fd, zero, sizeof zero, (off_t)(bytes - sizeof zero)) != (ssize_t)sizeof zero))
		rc = perr(&e, -errno, "the partition table: %s", strerror(errno));
	if (rc == 0)
		rc = zero_first_mib(fd, esp, target, &e);
	if (rc == 0)
		rc = zero_first_mib(fd, slot, target, &e);
	if (rc == 0 && fsync(fd) < 0)
		rc = perr(&e, -errno, "fsync: %s", strerror(errno));
	if (rc < 0) {
		fprintf(stderr, "os-install: %s: wiping after the failure: %s: the disk may hold part of an "
			"OS: do not boot it\n", target, e.msg);
		return;
	}
	ioctl(fd, BLKRRPART);		/* a file, or a disk the kernel keeps: no matter */
	fprintf(stderr, "os-install: %s: wiped (no partition table, ESP or slot): nothing of this install "
		"can boot\n", target);
}

/*
 * The ESP's first bytes, held back until both images read back from the
 * disk: its boot sector goes on last, so until then, even across a power
 * cut, the disk has no ESP a firmware could boot.
 */
static int head_put(int fd, const char *target, const struct os_part *esp, const char *head, size_t len,
		    struct perr *e)
{
	uint8_t sum[32];

	if (pwrite(fd, head, len, (off_t)(esp->start * SECTOR)) != (ssize_t)len || fsync(fd) < 0)
		return perr(e, -errno, "%s: the ESP's boot sector: %s", target, strerror(errno));
	if (sha256_buf(head, len, sum) < 0)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	return os_read_back(target, esp->start * SECTOR, len, NULL, 0, sum, e);
}

/* An install's package and the partition table it carries. */
struct install {
	const struct index_pkg *ip;
	struct txn_pkg p;
	struct os_layout l;
	const struct os_part *esp, *slot;
	char *layout;				/* the table's text, for sfdisk */
	int iesp, islot;			/* the images in p's file list */
};

/* The package's table (boot/gpt.sfdisk): read, parsed, and checked to
 * have an ESP and a slot A that the images fit. */
static int layout_load(struct install *in, const char *target, struct perr *e)
{
	const struct index_pkg *ip = in->ip;
	const struct pkg_meta *m = &in->p.m;
	struct os_put put;
	char err[256];
	int ilayout, rc;

	in->iesp = os_file(m, "boot/esp.img");
	in->islot = os_file(m, "boot/slot.img");
	ilayout = os_file(m, "boot/gpt.sfdisk");
	if (in->iesp < 0 || in->islot < 0 || ilayout < 0)
		return perr(e, -EINVAL, "%s %s: no %s: not an OS package", ip->name, ip->version,
			    in->iesp < 0 ? "boot/esp.img (the EFI system partition)" :
			    in->islot < 0 ? "boot/slot.img" : "boot/gpt.sfdisk");
	if (m->files[ilayout].size > OS_LAYOUT_MAX)
		return perr(e, -EINVAL, "boot/gpt.sfdisk: longer than %d bytes", OS_LAYOUT_MAX);
	in->layout = malloc(m->files[ilayout].size + 1);
	if (in->layout == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	put = (struct os_put){ ilayout, 0, in->layout, m->files[ilayout].size };
	rc = os_stream(&in->p, -1, &put, 1, ilayout, target, e);
	if (rc < 0)
		return rc;
	if (os_layout_parse(in->layout, m->files[ilayout].size, &in->l, err, sizeof err) < 0)
		return perr(e, -EINVAL, "%s %s: %s", ip->name, ip->version, err);
	in->esp = os_layout_find(&in->l, "ESP");
	in->slot = os_layout_find(&in->l, "cairn-a");
	if (in->esp == NULL || strcasecmp(in->esp->type, OS_ESP_TYPE) != 0)
		return perr(e, -EINVAL, "%s %s: its table has no EFI system partition (ESP): the disk could not "
			    "boot: refused", ip->name, ip->version);
	if (in->slot == NULL || m->files[in->iesp].size > in->esp->size * SECTOR ||
	    m->files[in->islot].size > in->slot->size * SECTOR)
		return perr(e, -EINVAL, "%s %s: %s", ip->name, ip->version, in->slot == NULL ? "its table has no slot "
			    "cairn-a" : "an image is larger than its partition");
	return 0;
}

/* The target: checked with an exclusive open (none while mounted or
 * held), then left for sfdisk, whose re-read needs the disk unclaimed. */
static int target_ready(const struct repo *r, const char *target, int flags, const struct install *in,
			struct perr *e)
{
	int fd, rc;

	fd = open(target, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return perr(e, -errno, "%s: %s", target, errno == EBUSY ? "in use (mounted, or held)" : strerror(errno));
	rc = target_check(fd, target, r, (in->l.end + TAIL_SECTORS) * SECTOR, flags, e);
	close(fd);
	return rc;
}

/* The package's partition table onto the target, by sfdisk. */
static int table_write(const char *target, const struct install *in, struct perr *e)
{
	char *sfdisk[] = { "sfdisk", "--quiet", "--wipe", "always", "--wipe-partitions", "always", NULL, NULL };
	char node[512];
	int rc;

	fprintf(stderr, "os-install: %s: the partition table (%d partitions)\n", target, in->l.n);
	if (snprintf(node, sizeof node, "%s", target) >= (int)sizeof node)
		return perr(e, -ENAMETOOLONG, "%s: name too long", target);
	sfdisk[6] = node;
	rc = run_tool(sfdisk, in->layout, SFDISK_SECONDS);
	if (rc < 0)
		return perr(e, rc, "sfdisk %s: %s", target, rc == -ENOENT ? "not found" :
			    rc == -ETIMEDOUT ? "still running after 120 s: killed" : "failed (above)");
	return 0;
}

/*
 * The images are read a second time as they are written, and a
 * medium may answer otherwise than it did to the check: each is
 * checked against its sha256 again as it streams, then read back
 * from the disk, and the ESP's first MiB, zeroed here with the other
 * partitions', is written only after that.
 */
static int images_write(int fd, const char *target, const struct install *in, struct perr *e)
{
	const struct pkg_meta *m = &in->p.m;
	const struct os_part *esp = in->esp, *slot = in->slot;
	struct os_put puts[2];
	unsigned long long hold;
	char *head;
	int rc = 0, i;

	hold = m->files[in->iesp].size < BLK_PROBE_BYTES ? m->files[in->iesp].size : BLK_PROBE_BYTES;
	head = malloc(hold + 1);
	if (head == NULL)
		return perr(e, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < in->l.n; i++)
		if (&in->l.p[i] != slot && (rc = zero_first_mib(fd, &in->l.p[i], target, e)) < 0)
			goto out;
	fprintf(stderr, "os-install: %s: the ESP (%llu MiB) and slot A (%llu MiB)\n", target,
		m->files[in->iesp].size >> 20, m->files[in->islot].size >> 20);
	puts[0] = (struct os_put){ in->iesp, esp->start * SECTOR, head, hold };
	puts[1] = (struct os_put){ in->islot, slot->start * SECTOR, NULL, 0 };
	rc = os_stream(&in->p, fd, puts, 2, in->iesp > in->islot ? in->iesp : in->islot, target, e);
	if (rc == 0 && fsync(fd) < 0)
		rc = perr(e, -errno, "%s: fsync: %s", target, strerror(errno));
	if (rc < 0)
		goto out;
	fprintf(stderr, "os-install: %s: read back\n", target);
	rc = os_written(&in->p, in->islot, target, slot->start * SECTOR, NULL, 0, e);
	if (rc == 0)
		rc = os_written(&in->p, in->iesp, target, esp->start * SECTOR, head, (size_t)hold, e);
	if (rc == 0)
		rc = head_put(fd, target, esp, head, (size_t)hold, e);
out:
	free(head);
	return rc;
}

int os_install(struct repo *r, const char *arch, const char *target, int flags, struct perr *e)
{
	struct install in;
	int fd = -1, written = 0, rc;

	memset(&in, 0, sizeof in);
	rc = os_load(r, arch, &in.ip, &in.p, e);
	if (rc < 0)
		return rc;
	fprintf(stderr, "os-install: %s %s (%llu MiB), checked against the signed index\n", in.ip->name,
		in.ip->version, in.ip->size >> 20);
	rc = layout_load(&in, target, e);
	if (rc == 0)
		rc = target_ready(r, target, flags, &in, e);
	if (rc == 0)
		rc = table_write(target, &in, e);
	if (rc < 0)
		goto out;
	fd = open(target, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0) {
		rc = perr(e, -errno, "%s: %s", target, strerror(errno));
		goto out;
	}
	written = 1;
	rc = images_write(fd, target, &in, e);
	if (rc == 0)
		fprintf(stderr, "os-install: %s: done\n", target);
out:
	if (rc < 0 && written)
		wipe(fd, target, in.esp, in.slot);
	if (fd >= 0)
		close(fd);
	free(in.layout);
	txn_pkg_free(&in.p);
	return rc;
}
