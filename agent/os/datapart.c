/* datapart.c: the data partition (/var) on its first boot: grown to the
 * end of its disk, then given its ext4 file system; never over data. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/blkpg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "blkdev.h"
#include "os/datapart.h"
#include "runcap.h"
#include "perr.h"
#include "text.h"

/* Past a partition's end: the backup GPT (header and 32 sectors of
 * entries) and the 1 MiB alignment sfdisk keeps. */
#define GROW_SLACK (34 + 2048)
#define TOOL_SECONDS 600

/* What DEV holds (blk_probe), by its node. */
int data_probe(const char *dev, int *kind, struct perr *e)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return perr(e, -errno, "%s: %s", dev, strerror(errno));
	rc = blk_probe(fd, kind);
	close(fd);
	return rc < 0 ? perr(e, rc, "%s: read: %s", dev, strerror(-rc)) : 0;
}

/* The kernel told of the partition's new size while the disk is in use
 * (slot A is the root): what partx and resizepart do, one partition. */
static int tell_kernel(const char *disk, unsigned partno, unsigned long long start, unsigned long long size)
{
	struct blkpg_partition bp = { .start = (long long)(start * 512), .length = (long long)(size * 512),
				      .pno = (int)partno };
	struct blkpg_ioctl_arg a = { .op = BLKPG_RESIZE_PARTITION, .datalen = sizeof bp, .data = &bp };
	int fd = open(disk, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKPG, &a) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The partition to the end of the disk, 1 MiB aligned, by sfdisk, the
 * backup table moved there first (a dd-flashed image ends where the image
 * did); then the kernel told. */
static int data_grow(const char *sys, const char *name, const char *disk, unsigned partno, struct perr *e)
{
	unsigned long long disk_s, dstart, start, size, want;
	char dev[80], num[16], script[64];
	unsigned bs;
	char *relocate[] = { "sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", "--relocate", "gpt-bak-std",
			     dev, NULL };
	char *grow[] = { "sfdisk", "--quiet", "--force", "--no-reread", "--no-tell-kernel", "-N", num, dev, NULL };
	int rc;

	if (blk_extent(sys, disk, &dstart, &disk_s) < 0 || blk_extent(sys, name, &start, &size) < 0 ||
	    blk_block_size(sys, disk, &bs) < 0)
		return perr(e, -EIO, "%s: its size, place or block size on %s is not in %s", name, disk, sys);
	/* Only into free space: a partition after it stays where it is. */
	if (blk_is_last(sys, disk, name) != 1) {
		printf("data: %s is not the last partition of %s: not grown\n", name, disk);
		return 0;
	}
	/* In 512-byte units as sysfs counts, 1 MiB aligned; the GPT's backup
	 * (33 of the device's blocks) after it. */
	want = disk_s > start + GROW_SLACK + 33ULL * (bs / 512) ?
	       (disk_s - start - 33ULL * (bs / 512) - 1) / 2048 * 2048 : 0;
	if (want <= size) {
		printf("data: %s already fills %s\n", name, disk);
		return 0;
	}
	snprintf(dev, sizeof dev, "/dev/%s", disk);
	snprintf(num, sizeof num, "%u", partno);
	/* sfdisk's sectors are the device's blocks. */
	snprintf(script, sizeof script, ",%llu\n", want / (bs / 512));
	printf("data: growing %s from %llu MiB to %llu MiB, the end of %s\n", name, size >> 11, want >> 11, disk);
	fflush(stdout);
	rc = run_tool(relocate, NULL, TOOL_SECONDS);
	if (rc == 0)
		rc = run_tool(grow, script, TOOL_SECONDS);
	if (rc < 0)
		return perr(e, rc, "sfdisk on %s: %s", dev, rc == -ENOENT ? "not found" :
			    rc == -ETIMEDOUT ? "still running after 600 s: killed" : "failed (above)");
	rc = tell_kernel(dev, partno, start, want);
	if (rc < 0)
		return perr(e, rc, "%s: the kernel did not take %s's new size: %s", dev, name, strerror(-rc));
	return 0;
}

/*
 * data_init: make DEV (a partition: /dev/NAME) the data partition.  One
 * that has an ext4 file system is left as it is; one whose first MiB is
 * zeroes (the image's, or a wiped one) is grown to the end of its disk and
 * given a file system labelled LABEL; anything else is refused (1), since
 * it may be someone's data.
 */
int data_init(const char *sys, const char *dev, const char *label, struct perr *e)
{
	char disk[64], lab[17], node[80];
	/* No discard of the whole partition: minutes on some disks, at boot. */
	char *mkfs[] = { "mke2fs", "-q", "-t", "ext4", "-E", "nodiscard", "-L", lab, node, NULL };
	unsigned long long start, size;
	unsigned partno;
	/* Set: clang's analyzer cannot see data_probe's perr return below 0. */
	int kind = BLK_OTHER, rc;

	if (strncmp(dev, "/dev/", 5) != 0 || strchr(dev + 5, '/') != NULL || text_copy(node, sizeof node, dev) < 0)
		return perr(e, -EINVAL, "%s: not a partition's node (/dev/NAME)", dev);
	if (label[0] == '\0' || text_copy(lab, sizeof lab, label) < 0)
		return perr(e, -EINVAL, "%s: a label of 1 to 16 characters (ext4's limit)", label);
	rc = blk_parent(sys, dev + 5, disk, sizeof disk, &partno);
	if (rc < 0)
		return perr(e, rc, "%s: %s", dev, rc == -EINVAL ? "not a partition" : strerror(-rc));
	rc = data_probe(dev, &kind, e);
	if (rc < 0)
		return rc;
	if (kind == BLK_EXT4) {
		printf("data: %s has its file system\n", dev);
		return 0;
	}
	if (kind == BLK_OTHER)
		return perr(e, -EEXIST, "%s: holds data that is not an ext4 file system: not formatting it "
			    "(to start afresh, zero its first MiB)", dev);
	rc = data_grow(sys, dev + 5, disk, partno, e);
	if (rc < 0)
		return rc;
	if (blk_extent(sys, dev + 5, &start, &size) == 0)
		printf("data: making an ext4 file system on %s (%llu MiB)\n", dev, size >> 11);
	fflush(stdout);
	rc = run_tool(mkfs, NULL, TOOL_SECONDS);
	if (rc < 0)
		return perr(e, rc, "mke2fs on %s: %s", dev, rc == -ENOENT ? "not found" :
			    rc == -ETIMEDOUT ? "still running after 600 s: killed" : "failed (above)");
	rc = data_probe(dev, &kind, e);
	if (rc < 0)
		return rc;
	if (kind != BLK_EXT4)
		return perr(e, -EIO, "%s: no file system after mke2fs", dev);
	return 0;
}
