/* blkdev.c: block devices as sysfs shows them.  SYS is sysfs's mount
 * point ("/sys"; tests give a tree of their own).  Names are the kernel's
 * (vda, vda4, nvme0n1p2, dm-0), their nodes /dev/NAME (DEV/NAME where a
 * function reads a device). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "blkdev.h"
#include "text.h"

/* SYS/class/block/NAME/LEAF (up to size-1 bytes), NUL-terminated. */
static int sys_read(char *buf, size_t size, const char *sys, const char *name, const char *leaf)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/class/block/%s/%s", sys, name, leaf) >= sizeof path)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/* Its first line, the newline dropped. */
static int sys_line(char *buf, size_t size, const char *sys, const char *name, const char *leaf)
{
	int rc = sys_read(buf, size, sys, name, leaf);

	if (rc == 0)
		buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

/* Its first line as a number up to max. */
static int sys_uint(const char *sys, const char *name, const char *leaf, unsigned long long max,
		    unsigned long long *v)
{
	char line[32];
	int rc = sys_line(line, sizeof line, sys, name, leaf);

	if (rc < 0)
		return rc;
	return text_uint(line, max, v) < 0 ? -EINVAL : 0;
}

static int name_ok(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL && strlen(name) < 64;
}

/*
 * blk_parent: the disk a partition is on, and its number (sda3 -> sda, 3).
 * -EINVAL when NAME is not a partition, -ENOENT when there is no NAME.
 */
int blk_parent(const char *sys, const char *name, char *disk, size_t size, unsigned *partno)
{
	char path[PATH_MAX], link[PATH_MAX], num[32];
	unsigned long long v;
	ssize_t n;
	char *slash, *prev;
	int rc;

	if (!name_ok(name))
		return -EINVAL;
	rc = sys_line(num, sizeof num, sys, name, "partition");
	if (rc == -ENOENT) {
		snprintf(path, sizeof path, "%s/class/block/%s", sys, name);
		return access(path, F_OK) == 0 ? -EINVAL : -ENOENT;
	}
	if (rc < 0)
		return rc;
	if (text_uint(num, 4096, &v) < 0 || v == 0)
		return -EINVAL;
	/* class/block/vda4 -> ../../devices/.../block/vda/vda4 */
	snprintf(path, sizeof path, "%s/class/block/%s", sys, name);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	prev = strrchr(link, '/');
	prev = prev != NULL ? prev + 1 : link;
	if (!name_ok(prev) || text_copy(disk, size, prev) < 0)
		return -EINVAL;
	if (partno != NULL)
		*partno = (unsigned)v;
	return 0;
}

/* blk_dev_name: the kernel's name of block device DEV (dm-0, vda4). */
int blk_dev_name(const char *sys, dev_t dev, char *name, size_t size)
{
	char rel[PATH_MAX], link[PATH_MAX], *base;
	ssize_t n;

	snprintf(rel, sizeof rel, "%s/dev/block/%u:%u", sys, major(dev), minor(dev));
	n = readlink(rel, link, sizeof link - 1);
	if (n < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base != NULL ? base + 1 : link;
	if (!name_ok(base))
		return -EINVAL;
	return text_copy(name, size, base);
}

/*
 * blk_dev_disk: the disk under block device DEV, through device-mapper
 * (dm-verity's data device) and partitions: "vda" for dm-0 over vda2.
 * -ENODEV when it ends on a loop device: a file (the netbooted root's
 * image in RAM), on no disk.
 */
int blk_dev_disk(const char *sys, dev_t dev, char *disk, size_t size)
{
	char name[64], rel[PATH_MAX];
	struct dirent *d;
	int depth, rc;
	DIR *dir;

	rc = blk_dev_name(sys, dev, name, sizeof name);
	if (rc < 0)
		return rc;
	/* Down through stacked devices while each has one slave. */
	for (depth = 0; depth < 8; depth++) {
		char only[64] = "";
		int count = 0;

		snprintf(rel, sizeof rel, "%s/class/block/%s/slaves", sys, name);
		dir = opendir(rel);
		if (dir == NULL)
			break;
		while ((d = readdir(dir)) != NULL) {
			if (!name_ok(d->d_name))
				continue;
			count++;
			memcpy(only, d->d_name, strlen(d->d_name) + 1);	/* under 64: name_ok */
		}
		closedir(dir);
		if (count == 0)
			break;
		if (count > 1)
			return -ENOTUNIQ;
		memcpy(name, only, sizeof name);
	}
	snprintf(rel, sizeof rel, "%s/class/block/%s/loop", sys, name);
	if (access(rel, F_OK) == 0)
		return -ENODEV;
	rc = blk_parent(sys, name, disk, size, NULL);
	if (rc != -EINVAL)
		return rc;
	return text_copy(disk, size, name);
}

/* blk_root_disk: the disk under the file system PATH is on; -ENODEV when
 * it is on none (an initramfs). */
int blk_root_disk(const char *sys, const char *path, char *disk, size_t size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (major(st.st_dev) == 0)
		return -ENODEV;
	return blk_dev_disk(sys, st.st_dev, disk, size);
}

/*
 * blk_by_label: the partition whose GPT name is LABEL.  Where several
 * disks have one, the one on NEAR (a disk name; NULL: none) is taken.
 * -ENOENT: none; -ENOTUNIQ: several and none of them (or more than one)
 * on NEAR.
 */
int blk_by_label(const char *sys, const char *label, const char *near, char *name, size_t size)
{
	char path[PATH_MAX], uevent[1024] = "", disk[64], first[64] = "", onnear[64] = "";
	int all = 0, nearcount = 0;
	struct dirent *d;
	DIR *dir;

	if (label[0] == '\0' || strlen(label) > 72)
		return -EINVAL;
	snprintf(path, sizeof path, "%s/class/block", sys);
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		const char *p;
		size_t len = strlen(label);

		if (!name_ok(d->d_name) || sys_read(uevent, sizeof uevent, sys, d->d_name, "uevent") < 0)
			continue;
		for (p = uevent; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ? p + 1 : NULL)
			if (strncmp(p, "PARTNAME=", 9) == 0 && strncmp(p + 9, label, len) == 0 &&
			    (p[9 + len] == '\n' || p[9 + len] == '\0'))
				break;
		if (p == NULL || *p == '\0')
			continue;
		/* Names under 64 bytes (name_ok). */
		if (all++ == 0)
			memcpy(first, d->d_name, strlen(d->d_name) + 1);
		if (near != NULL && blk_parent(sys, d->d_name, disk, sizeof disk, NULL) == 0 &&
		    strcmp(disk, near) == 0 && nearcount++ == 0)
			memcpy(onnear, d->d_name, strlen(d->d_name) + 1);
	}
	closedir(dir);
	if (all == 0)
		return -ENOENT;
	if (nearcount == 1)
		memcpy(first, onnear, sizeof first);
	else if (all > 1)
		return -ENOTUNIQ;
	return text_copy(name, size, first);
}

static int pread_all(int fd, void *buf, size_t len, unsigned long long off)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ENODATA;
		got += (size_t)r;
	}
	return 0;
}

static unsigned long long le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/*
 * blk_partuuid: partition NAME's unique GUID from its disk's GPT (sysfs
 * does not show it; DEV/DISK is read), as text the way the boot loader
 * reports it, lowercase.  -ENODATA: no GPT, or no such entry in it.
 */
int blk_partuuid(const char *sys, const char *dev, const char *name, char uuid[37])
{
	unsigned char hdr[92], e[32] = { 0 };
	unsigned long long lba, count, esize;
	char disk[64], path[PATH_MAX];
	unsigned partno = 0, bs = 0;
	int fd, rc, i, zero = 1;

	rc = blk_parent(sys, name, disk, sizeof disk, &partno);
	if (rc == 0)
		rc = blk_block_size(sys, disk, &bs);
	if (rc < 0)
		return rc;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dev, disk) >= sizeof path)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = pread_all(fd, hdr, sizeof hdr, bs);
	if (rc == 0 && memcmp(hdr, "EFI PART", 8) != 0)
		rc = -ENODATA;
	if (rc == 0) {
		lba = le(hdr + 72, 8);
		count = le(hdr + 80, 4);
		esize = le(hdr + 84, 4);
		/* The spec's entry sizes are 128 * 2^n; anything else is no GPT. */
		if (partno > count || esize < 128 || esize > 4096 || (esize & (esize - 1)) != 0 ||
		    lba < 2 || lba > (1ULL << 48))
			rc = -ENODATA;
		else
			rc = pread_all(fd, e, sizeof e, lba * bs + (partno - 1) * esize);
	}
	close(fd);
	if (rc < 0)
		return rc;
	for (i = 0; i < 16; i++)
		zero &= e[i] == 0;
	if (zero)
		return -ENODATA;	/* an unused entry: no partition type */
	/* The first three fields are little-endian, the rest bytes in order. */
	snprintf(uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 e[19], e[18], e[17], e[16], e[21], e[20], e[23], e[22], e[24], e[25], e[26], e[27],
		 e[28], e[29], e[30], e[31]);
	return 0;
}

/*
 * blk_by_partuuid: the partition whose GPT GUID is UUID (any case).
 * -ENOENT: none; -ENOTUNIQ: several (a GUID is only as unique as whoever
 * wrote the table: a copied stick carries the same).
 */
int blk_by_partuuid(const char *sys, const char *dev, const char *uuid, char *name, size_t size)
{
	char path[PATH_MAX], got[37], first[64] = "";
	struct dirent *d;
	int all = 0;
	DIR *dir;

	snprintf(path, sizeof path, "%s/class/block", sys);
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		if (!name_ok(d->d_name) || blk_partuuid(sys, dev, d->d_name, got) < 0 ||
		    strcasecmp(got, uuid) != 0)
			continue;
		if (all++ == 0)
			memcpy(first, d->d_name, strlen(d->d_name) + 1);	/* under 64: name_ok */
	}
	closedir(dir);
	if (all == 0)
		return -ENOENT;
	if (all > 1)
		return -ENOTUNIQ;
	return text_copy(name, size, first);
}

/* blk_extent: NAME's first sector on its disk (0 for a disk) and size, in
 * 512-byte sectors. */
int blk_extent(const char *sys, const char *name, unsigned long long *start, unsigned long long *sectors)
{
	int rc;

	if (!name_ok(name))
		return -EINVAL;
	rc = sys_uint(sys, name, "size", ~0ULL >> 9, sectors);
	if (rc < 0)
		return rc;
	rc = sys_uint(sys, name, "start", ~0ULL >> 9, start);
	if (rc == -ENOENT)
		*start = 0;
	return rc == -ENOENT ? 0 : rc;
}

/* blk_block_size: NAME's logical block size in bytes (512, 4096): the
 * unit sfdisk's "sectors" are in on that device. */
int blk_block_size(const char *sys, const char *name, unsigned *bytes)
{
	unsigned long long v;
	int rc;

	if (!name_ok(name))
		return -EINVAL;
	rc = sys_uint(sys, name, "queue/logical_block_size", 65536, &v);
	if (rc < 0)
		return rc;
	if (v < 512 || v % 512 != 0)
		return -EINVAL;
	*bytes = (unsigned)v;
	return 0;
}

/* blk_is_last: 1 when no partition of DISK starts after partition NAME,
 * 0 when one does, or -errno. */
int blk_is_last(const char *sys, const char *disk, const char *name)
{
	unsigned long long start, size, s2, z2;
	char path[PATH_MAX], parent[64];
	struct dirent *d;
	int last = 1;
	DIR *dir;

	if (blk_extent(sys, name, &start, &size) < 0)
		return -ENOENT;
	snprintf(path, sizeof path, "%s/class/block", sys);
	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL)
		if (name_ok(d->d_name) && strcmp(d->d_name, name) != 0 &&
		    blk_parent(sys, d->d_name, parent, sizeof parent, NULL) == 0 && strcmp(parent, disk) == 0 &&
		    blk_extent(sys, d->d_name, &s2, &z2) == 0 && s2 > start)
			last = 0;
	closedir(dir);
	return last;
}

/*
 * blk_probe: what the device open at FD holds at its start: an ext2/3/4
 * superblock (its magic at 1080), nothing (its first MiB, or all of a
 * smaller one, zeroes), or something else: someone's data.
 */
int blk_probe(int fd, int *kind)
{
	unsigned char *buf = malloc(BLK_PROBE_BYTES);
	size_t n = 0, i;
	int rc = 0;

	if (buf == NULL)
		return -ENOMEM;
	while (n < BLK_PROBE_BYTES) {
		ssize_t r = pread(fd, buf + n, BLK_PROBE_BYTES - n, (off_t)n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (rc == 0) {
		for (i = 0; i < n && buf[i] == 0; i++)
			;
		*kind = n >= 1082 && buf[1080] == 0x53 && buf[1081] == 0xef ? BLK_EXT4 :
			i == n ? BLK_EMPTY : BLK_OTHER;
	}
	free(buf);
	return rc;
}
