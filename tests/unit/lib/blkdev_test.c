/* blkdev_test.c: block devices in a fake sysfs (two disks that both have
 * a partition named cairn-data, a dm-verity root over vda2), and what the
 * data partition's first boot reads of a device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "blkdev.h"
#include "check.h"
#include "os/datapart.h"
#include "faketree.h"

static char root[64], sys[96];

static void part(const char *disk, int n, const char *name, const char *start, const char *size)
{
	char rel[256], target[256], uevent[256], num[8];

	snprintf(num, sizeof num, "%d", n);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/%s%d/partition", disk, disk, disk, n);
	tree_put(root, rel, num);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/%s%d/start", disk, disk, disk, n);
	tree_put(root, rel, start);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/%s%d/size", disk, disk, disk, n);
	tree_put(root, rel, size);
	snprintf(uevent, sizeof uevent, "MAJOR=253\nMINOR=%d\nDEVNAME=%s%d\nDEVTYPE=partition\nPARTN=%d\nPARTNAME=%s\n",
		 n, disk, n, n, name);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/%s%d/uevent", disk, disk, disk, n);
	tree_put(root, rel, uevent);
	snprintf(target, sizeof target, "../../devices/pci/%s/block/%s/%s%d", disk, disk, disk, n);
	snprintf(rel, sizeof rel, "sys/class/block/%s%d", disk, n);
	CHECK(tree_link(root, target, rel) == 0);
}

static void disk(const char *name, const char *size)
{
	char rel[256], target[256];

	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/size", name, name);
	tree_put(root, rel, size);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/uevent", name, name);
	tree_put(root, rel, "MAJOR=253\nMINOR=0\nDEVTYPE=disk\n");
	snprintf(target, sizeof target, "../../devices/pci/%s/block/%s", name, name);
	snprintf(rel, sizeof rel, "sys/class/block/%s", name);
	CHECK(tree_link(root, target, rel) == 0);
}

static void setup(void)
{
	char rel[128];
	struct stat st;

	tree_new(root, sizeof root, "blkdev_test");
	snprintf(sys, sizeof sys, "%s/sys", root);
	tree_put(root, "sys/class/block/.keep", "");
	tree_put(root, "sys/dev/block/.keep", "");
	disk("vda", "8388608\n");
	tree_put(root, "sys/devices/pci/vda/block/vda/queue/logical_block_size", "512\n");
	part("vda", 1, "ESP", "2048\n", "131072\n");
	part("vda", 2, "cairn-a", "133120\n", "1048576\n");
	part("vda", 3, "cairn-b", "1181696\n", "1048576\n");
	part("vda", 4, "cairn-data", "2230272\n", "524288\n");
	disk("vdb", "4194304\n");
	tree_put(root, "sys/devices/pci/vdb/block/vdb/queue/logical_block_size", "4096\n");
	part("vdb", 1, "cairn-data", "2048\n", "4190208\n");
	/* dm-0 (the verity root) over vda2; the test's own directory plays
	 * the root, so its device number is dm-0's. */
	tree_put(root, "sys/devices/virtual/block/dm-0/size", "1000\n");
	tree_put(root, "sys/devices/virtual/block/dm-0/slaves/vda2", "");
	CHECK(tree_link(root, "../../devices/virtual/block/dm-0", "sys/class/block/dm-0") == 0);
	CHECK(stat(root, &st) == 0);
	snprintf(rel, sizeof rel, "sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	CHECK(tree_link(root, "../../devices/virtual/block/dm-0", rel) == 0);
}

static void test_parent(void)
{
	char d[64];
	unsigned n = 0;

	CHECK(blk_parent(sys, "vda4", d, sizeof d, &n) == 0 && strcmp(d, "vda") == 0 && n == 4);
	CHECK(blk_parent(sys, "vdb1", d, sizeof d, &n) == 0 && strcmp(d, "vdb") == 0 && n == 1);
	CHECK(blk_parent(sys, "vda", d, sizeof d, &n) == -EINVAL);
	CHECK(blk_parent(sys, "vdz9", d, sizeof d, &n) == -ENOENT);
	CHECK(blk_parent(sys, "../vda4", d, sizeof d, &n) == -EINVAL);
	CHECK(blk_parent(sys, "", d, sizeof d, &n) == -EINVAL);
	CHECK(blk_parent(sys, "vda4", d, 3, &n) == -EINVAL);	/* no room for "vda" */
}

static void test_root_disk(void)
{
	char d[64], path[256];

	CHECK(blk_root_disk(sys, root, d, sizeof d) == 0 && strcmp(d, "vda") == 0);
	/* A second slave: which disk is ambiguous. */
	tree_put(root, "sys/devices/virtual/block/dm-0/slaves/vdb1", "");
	CHECK(blk_root_disk(sys, root, d, sizeof d) == -ENOTUNIQ);
	snprintf(path, sizeof path, "%s/devices/virtual/block/dm-0/slaves/vdb1", sys);
	CHECK(unlink(path) == 0);
	CHECK(blk_root_disk(sys, "/nonexistent-path", d, sizeof d) == -ENOENT);
	/* Over a loop device (the netbooted root's image): on no disk. */
	CHECK(unlink(strcat(strcpy(path, sys), "/devices/virtual/block/dm-0/slaves/vda2")) == 0);
	tree_put(root, "sys/devices/virtual/block/dm-0/slaves/loop0", "");
	tree_put(root, "sys/devices/virtual/block/loop0/loop/backing_file", "/cairn/root.img\n");
	CHECK(tree_link(root, "../../devices/virtual/block/loop0", "sys/class/block/loop0") == 0);
	CHECK(blk_root_disk(sys, root, d, sizeof d) == -ENODEV);
	snprintf(path, sizeof path, "%s/devices/virtual/block/dm-0/slaves/loop0", sys);
	CHECK(unlink(path) == 0);
	tree_put(root, "sys/devices/virtual/block/dm-0/slaves/vda2", "");
	CHECK(blk_root_disk(sys, root, d, sizeof d) == 0 && strcmp(d, "vda") == 0);
}

static void test_by_label(void)
{
	char n[64];

	CHECK(blk_by_label(sys, "cairn-data", "vda", n, sizeof n) == 0 && strcmp(n, "vda4") == 0);
	CHECK(blk_by_label(sys, "cairn-data", "vdb", n, sizeof n) == 0 && strcmp(n, "vdb1") == 0);
	CHECK(blk_by_label(sys, "cairn-data", NULL, n, sizeof n) == -ENOTUNIQ);
	CHECK(blk_by_label(sys, "cairn-data", "sda", n, sizeof n) == -ENOTUNIQ);
	/* One on any disk is that one, near or not. */
	CHECK(blk_by_label(sys, "cairn-b", NULL, n, sizeof n) == 0 && strcmp(n, "vda3") == 0);
	CHECK(blk_by_label(sys, "cairn-b", "vdb", n, sizeof n) == 0 && strcmp(n, "vda3") == 0);
	/* Whole names only. */
	CHECK(blk_by_label(sys, "cairn", NULL, n, sizeof n) == -ENOENT);
	CHECK(blk_by_label(sys, "cairn-data-x", "vda", n, sizeof n) == -ENOENT);
	CHECK(blk_by_label(sys, "", NULL, n, sizeof n) == -EINVAL);
	CHECK(blk_by_label(sys, "ESP", NULL, n, 4) == -ENAMETOOLONG);
}

static void test_extent(void)
{
	unsigned long long start = 1, size = 0;

	CHECK(blk_extent(sys, "vda4", &start, &size) == 0 && start == 2230272 && size == 524288);
	CHECK(blk_extent(sys, "vda", &start, &size) == 0 && start == 0 && size == 8388608);
	CHECK(blk_extent(sys, "vdq", &start, &size) == -ENOENT);
	tree_put(root, "sys/devices/pci/vdb/block/vdb/size", "lots\n");
	CHECK(blk_extent(sys, "vdb", &start, &size) == -EINVAL);
}

static void test_block_size_and_last(void)
{
	unsigned bs = 0;

	CHECK(blk_block_size(sys, "vda", &bs) == 0 && bs == 512);
	CHECK(blk_block_size(sys, "vdb", &bs) == 0 && bs == 4096);
	CHECK(blk_block_size(sys, "vdq", &bs) == -ENOENT);
	tree_put(root, "sys/devices/pci/vdb/block/vdb/queue/logical_block_size", "1000\n");
	CHECK(blk_block_size(sys, "vdb", &bs) == -EINVAL);
	/* The data partition is the last on its disk; slot B is not. */
	CHECK(blk_is_last(sys, "vda", "vda4") == 1);
	CHECK(blk_is_last(sys, "vda", "vda3") == 0);
	CHECK(blk_is_last(sys, "vdb", "vdb1") == 1);
	CHECK(blk_is_last(sys, "vda", "vda9") == -ENOENT);
}

static void put_bytes(const char *path, size_t len, size_t at, const unsigned char *b, size_t n)
{
	static unsigned char zero[4096];
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	CHECK(fd >= 0);
	while (done < len) {
		size_t k = len - done < sizeof zero ? len - done : sizeof zero;

		CHECK(write(fd, zero, k) == (ssize_t)k);
		done += k;
	}
	if (n > 0)
		CHECK(pwrite(fd, b, n, (off_t)at) == (ssize_t)n);
	close(fd);
}

static void test_probe(void)
{
	static const unsigned char magic[] = { 0x53, 0xef }, one[] = { 1 };
	struct perr e = { "" };
	char path[128];
	int kind = -1;

	snprintf(path, sizeof path, "%s/dev-img", root);
	put_bytes(path, 2 << 20, 0, NULL, 0);
	CHECK(data_probe(path, &kind, &e) == 0 && kind == BLK_EMPTY);
	put_bytes(path, 2 << 20, 1080, magic, 2);
	CHECK(data_probe(path, &kind, &e) == 0 && kind == BLK_EXT4);
	/* A byte anywhere in the first MiB is someone's data; past it, not looked at. */
	put_bytes(path, 2 << 20, (1 << 20) - 1, one, 1);
	CHECK(data_probe(path, &kind, &e) == 0 && kind == BLK_OTHER);
	put_bytes(path, 2 << 20, 1 << 20, one, 1);
	CHECK(data_probe(path, &kind, &e) == 0 && kind == BLK_EMPTY);
	/* A small partition is read to its end. */
	put_bytes(path, 8192, 0, NULL, 0);
	CHECK(data_probe(path, &kind, &e) == 0 && kind == BLK_EMPTY);
	CHECK(data_probe("/nonexistent-dev", &kind, &e) == -ENOENT && strstr(e.msg, "/nonexistent-dev") != NULL);
}

static void test_init_refuses(void)
{
	struct perr e = { "" };

	CHECK(data_init(sys, "vda4", "cairn-data", &e) == -EINVAL && strstr(e.msg, "/dev/NAME") != NULL);
	CHECK(data_init(sys, "/dev/../vda4", "cairn-data", &e) == -EINVAL);
	CHECK(data_init(sys, "/dev/vda", "cairn-data", &e) == -EINVAL && strstr(e.msg, "not a partition") != NULL);
	CHECK(data_init(sys, "/dev/vda4", "a-label-too-long-for-ext4", &e) == -EINVAL);
	CHECK(data_init(sys, "/dev/vda4", "", &e) == -EINVAL);
}

int main(void)
{
	setup();
	RUN(test_parent);
	RUN(test_root_disk);
	RUN(test_by_label);
	RUN(test_extent);
	RUN(test_block_size_and_last);
	RUN(test_probe);
	RUN(test_init_refuses);
	check_rmtree(root);
	return CHECK_DONE();
}
