/*
 * medium_test.c: which CAIRNCFG file systems are the node's own
 * (agent/conf/medium.c), in a fake sysfs and /dev: the boot disk vda (its ESP
 * vda1, the verity root over vda2), the installer stick sdb whose
 * partition the boot loader reports, and a stranger's stick sdc put in a
 * USB port, then a copy of the installer stick.  GPT GUIDs are read from
 * the disks' tables (lib/blkdev.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "blkdev.h"
#include "check.h"
#include "faketree.h"
#include "conf/medium.h"

#define ESP_UUID "c0ffee00-1111-4222-8333-444455556666"
#define STICK_UUID "5a5a5a5a-0b0b-4c0c-9d0d-0e0e0e0e0e0e"
#define STRANGER_UUID "deadbeef-0000-4000-8000-000000000001"

static char root[64], sys[96], dev[96], efivars[96];

/* A GUID's text as the 16 bytes a GPT holds (mixed-endian). */
static void guid_bytes(const char *text, uint8_t out[16])
{
	static const int at[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	unsigned v[16];

	sscanf(text, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1], &v[2], &v[3],
	       &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]);
	for (int i = 0; i < 16; i++)
		out[at[i]] = (uint8_t)v[i];
}

/* dev/DISK: a GPT (512-byte sectors) whose entries have the GUIDs given. */
static void gpt(const char *disk, const char *const *uuids, int n)
{
	uint8_t img[512 * 4];
	char path[256];
	FILE *f;
	int i;

	memset(img, 0, sizeof img);
	memcpy(img + 512, "EFI PART", 8);
	img[512 + 72] = 2;			/* entries at LBA 2 */
	img[512 + 80] = 4;			/* four of them */
	img[512 + 84] = 128;			/* 128 bytes each */
	for (i = 0; i < n; i++) {
		img[1024 + 128 * i] = 0x28;	/* any type: the entry is used */
		guid_bytes(uuids[i], img + 1024 + 128 * i + 16);
	}
	snprintf(path, sizeof path, "%s/%s", dev, disk);
	f = fopen(path, "w");
	CHECK(f != NULL && fwrite(img, sizeof img, 1, f) == 1);
	if (f != NULL)
		fclose(f);
}

static void disk(const char *name)
{
	char rel[256], target[256];

	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/queue/logical_block_size", name, name);
	tree_put(root, rel, "512\n");
	snprintf(target, sizeof target, "../../devices/pci/%s/block/%s", name, name);
	snprintf(rel, sizeof rel, "sys/class/block/%s", name);
	CHECK(tree_link(root, target, rel) == 0);
}

static void part(const char *disk, int n)
{
	char rel[256], target[256], num[8];

	snprintf(num, sizeof num, "%d\n", n);
	snprintf(rel, sizeof rel, "sys/devices/pci/%s/block/%s/%s%d/partition", disk, disk, disk, n);
	tree_put(root, rel, num);
	snprintf(target, sizeof target, "../../devices/pci/%s/block/%s/%s%d", disk, disk, disk, n);
	snprintf(rel, sizeof rel, "sys/class/block/%s%d", disk, n);
	CHECK(tree_link(root, target, rel) == 0);
}

/* The boot loader's variable: 4 attribute bytes, then UTF-16LE text. */
static void loader_says(const char *uuid)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", efivars, MEDIUM_LOADER_VAR);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fwrite("\x06\0\0\0", 4, 1, f);
	for (; *uuid; uuid++) {
		fputc(*uuid, f);
		fputc(0, f);
	}
	fwrite("\0\0", 2, 1, f);
	fclose(f);
}

static void setup(void)
{
	static const char *const vda[] = { ESP_UUID, "0a0a0a0a-0000-4000-8000-00000000000a" };
	static const char *const sdb[] = { STICK_UUID }, *const sdc[] = { STRANGER_UUID };
	char rel[128];
	struct stat st;

	tree_new(root, sizeof root, "medium_test");
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(dev, sizeof dev, "%s/dev", root);
	snprintf(efivars, sizeof efivars, "%s/efivars", root);
	tree_put(root, "dev/.keep", "");
	tree_put(root, "efivars/.keep", "");
	tree_put(root, "sys/dev/block/.keep", "");
	tree_put(root, "sys/class/block/.keep", "");
	disk("vda");
	part("vda", 1);
	part("vda", 2);
	gpt("vda", vda, 2);
	disk("sdb");
	part("sdb", 1);
	gpt("sdb", sdb, 1);
	disk("sdc");
	part("sdc", 1);
	gpt("sdc", sdc, 1);
	/* dm-0, the verity root, over vda2; the test's directory plays the
	 * root, so its device number is dm-0's. */
	tree_put(root, "sys/devices/virtual/block/dm-0/slaves/vda2", "");
	CHECK(tree_link(root, "../../devices/virtual/block/dm-0", "sys/class/block/dm-0") == 0);
	CHECK(stat(root, &st) == 0);
	snprintf(rel, sizeof rel, "sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	CHECK(tree_link(root, "../../devices/virtual/block/dm-0", rel) == 0);
}

static void test_partuuid(void)
{
	char uuid[37], name[64];

	CHECK(blk_partuuid(sys, dev, "vda1", uuid) == 0 && strcmp(uuid, ESP_UUID) == 0);
	CHECK(blk_partuuid(sys, dev, "sdb1", uuid) == 0 && strcmp(uuid, STICK_UUID) == 0);
	CHECK(blk_partuuid(sys, dev, "vda", uuid) == -EINVAL);	/* a disk, not a partition */
	CHECK(blk_by_partuuid(sys, dev, "5A5A5A5A-0B0B-4C0C-9D0D-0E0E0E0E0E0E", name, sizeof name) == 0);
	CHECK(strcmp(name, "sdb1") == 0);
	CHECK(blk_by_partuuid(sys, dev, "00000000-0000-4000-8000-000000000000", name, sizeof name) == -ENOENT);
}

static void test_list(void)
{
	static const char out[] =
		"/dev/vda1: LABEL=\"CAIRNCFG\" UUID=\"C0FF-EE00\" TYPE=\"vfat\"\n"
		"/dev/vda2: TYPE=\"squashfs\"\n"
		"/dev/sdb1: LABEL=\"CAIRNCFG\" UUID=\"5A5A-5A5A\" TYPE=\"vfat\"\n"
		"/dev/sdc1: LABEL=\"CAIRNCFGX\" TYPE=\"vfat\"\n"
		"/dev/sdd1: LABEL=\"cairncfg\"\n"
		"/dev/mapper/x: LABEL=\"CAIRNCFG\"\n"
		"/dev/sde: LABEL=\"CAIRNCFG\"\n"
		"/dev/sdb1: LABEL=\"CAIRNCFG\" UUID=\"5A5A-5A5A\" TYPE=\"vfat\"\n";
	struct medium m[MEDIUM_MAX];

	CHECK(medium_list(out, "CAIRNCFG", m, MEDIUM_MAX) == 3);
	CHECK(strcmp(m[0].name, "vda1") == 0 && strcmp(m[1].name, "sdb1") == 0 && strcmp(m[2].name, "sde") == 0);
	CHECK(medium_list(out, "CAIRNCFG", m, 1) == 1);
	CHECK(medium_list("", "CAIRNCFG", m, MEDIUM_MAX) == 0);
}

/* A flashed disk: no boot loader variable; its own ESP is the node's. */
static void test_boot_disk(void)
{
	struct medium_boot b;
	struct medium esp = { "vda1", 0, "" }, stick = { "sdc1", 0, "" };

	CHECK(medium_boot_read(sys, dev, efivars, root, &b) == 0);
	CHECK(strcmp(b.disk, "vda") == 0 && b.uuid[0] == '\0' && b.loader[0] == '\0');
	medium_judge(sys, &b, &esp);
	CHECK(esp.own && strstr(esp.why, "on the boot disk, vda") != NULL);
	medium_judge(sys, &b, &stick);
	CHECK(!stick.own && strstr(stick.why, "not on the boot disk (vda)") != NULL);
}

/* The installer: its root in memory, the stick the boot loader's. */
static void test_installer_stick(void)
{
	struct medium_boot b;
	struct medium stick = { "sdb1", 0, "" }, stranger = { "sdc1", 0, "" }, esp = { "vda1", 0, "" };

	loader_says("5A5A5A5A-0B0B-4C0C-9D0D-0E0E0E0E0E0E");
	CHECK(medium_boot_read(sys, dev, efivars, "/proc", &b) == 0);
	CHECK(b.disk[0] == '\0' && strcmp(b.uuid, STICK_UUID) == 0 && strcmp(b.loader, "sdb1") == 0);
	medium_judge(sys, &b, &stick);
	CHECK(stick.own && strstr(stick.why, "the boot loader started from (PARTUUID " STICK_UUID) != NULL);
	medium_judge(sys, &b, &stranger);
	CHECK(!stranger.own && strstr(stranger.why, "none: the root is in memory") != NULL);
	/* The target disk, not booted from, is no one's medium here. */
	medium_judge(sys, &b, &esp);
	CHECK(!esp.own);
}

/* A copy of the installer stick (its GUID too): neither counts as it. */
static void test_copied_stick(void)
{
	static const char *const sdc[] = { STICK_UUID };
	struct medium_boot b;
	struct medium stick = { "sdb1", 0, "" }, copy = { "sdc1", 0, "" };

	gpt("sdc", sdc, 1);
	loader_says(STICK_UUID);
	CHECK(medium_boot_read(sys, dev, efivars, "/proc", &b) == 0);
	CHECK(b.loader[0] == '\0' && strstr(b.note, "on more than one partition") != NULL);
	medium_judge(sys, &b, &stick);
	medium_judge(sys, &b, &copy);
	CHECK(!stick.own && !copy.own);
	/* Nor does a variable that is not a GUID. */
	loader_says("../../../etc/passwd");
	CHECK(medium_boot_read(sys, dev, efivars, "/proc", &b) == 0);
	CHECK(b.loader[0] == '\0' && strstr(b.note, "not a GUID") != NULL);
}

int main(void)
{
	setup();
	RUN(test_partuuid);
	RUN(test_list);
	RUN(test_boot_disk);
	RUN(test_installer_stick);
	RUN(test_copied_stick);
	check_rmtree(root);
	return CHECK_DONE();
}
