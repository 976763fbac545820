/* oslayout_test.c: the partition table cairn-os carries (boot/gpt.sfdisk),
 * as the installer reads it before it writes anything: what disk.sh
 * writes is taken; overlaps, a partition over the GPT, names twice,
 * unknown lines and keys, bad UUIDs and a missing newline are refused. */
#include <string.h>

#include "check.h"
#include "osinstall.h"

#define HEAD "label: gpt\nlabel-id: 4503f114-ae80-4d3a-8888-188d83dae4ce\nunit: sectors\nfirst-lba: 2048\n"
#define ESP "start=2048, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, " \
	"uuid=675cbe77-b1b9-4fdd-8900-2b0495d69b28, name=\"ESP\"\n"
#define SLOTA "start=133120, size=1048576, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, " \
	"uuid=4d0cb15f-51f7-4fee-88bf-082a31114257, name=\"cairn-a\"\n"

static int parse(const char *text, struct os_layout *l, char *err)
{
	return os_layout_parse(text, strlen(text), l, err, 256);
}

static void test_good(void)
{
	struct os_layout l;
	char err[256] = "";

	CHECK(parse(HEAD ESP SLOTA, &l, err) == 0);
	CHECK(l.n == 2 && l.end == 133120 + 1048576);
	CHECK(os_layout_find(&l, "ESP") == &l.p[0] && strcmp(l.p[0].type, OS_ESP_TYPE) == 0);
	CHECK(os_layout_find(&l, "cairn-a") == &l.p[1] && l.p[1].start == 133120 && l.p[1].size == 1048576);
	CHECK(os_layout_find(&l, "cairn-b") == NULL);
	/* The uuid is optional: sfdisk makes one. */
	CHECK(parse(HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"ESP\"\n", &l, err) == 0);
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"",
		HEAD ESP SLOTA "x",					/* no final newline */
		HEAD,							/* no partitions */
		"unit: sectors\n" ESP,					/* not a GPT */
		"label: gpt\n" ESP,					/* not in sectors */
		HEAD "device: /dev/sda\n" ESP,				/* an unknown line */
		HEAD SLOTA ESP,						/* out of order */
		HEAD ESP "start=133000, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x\"\n",
		HEAD "start=33, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x\"\n",	/* over the GPT */
		HEAD ESP "start=200000, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"ESP\"\n",
		HEAD "start=2048, size=0, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x\"\n",
		HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93, name=\"x\"\n",
		HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x y\"\n",
		HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=x\n",
		HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x\", bootable\n",
		HEAD "start=2048, size=8, name=\"x\"\n",			/* no type */
		HEAD "start=2048, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, attrs=x, name=\"x\"\n",
		HEAD "start=-1, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"x\"\n",
	};
	struct os_layout l;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		CHECK(parse(bad[i], &l, err) < 0);
		CHECK(strstr(err, "gpt.sfdisk") != NULL);
	}
}

static void test_limits(void)
{
	char text[OS_LAYOUT_MAX * 2] = HEAD, line[160];
	struct os_layout l;
	char err[256];
	int i;

	for (i = 0; i <= OS_PARTS_MAX; i++) {
		snprintf(line, sizeof line, "start=%d, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"p%d\"\n",
			 2048 + 8 * i, i);
		strcat(text, line);
	}
	CHECK(parse(text, &l, err) < 0 && strstr(err, "more than") != NULL);
	memset(text, '#', sizeof text - 2);
	text[sizeof text - 2] = '\n';
	text[sizeof text - 1] = '\0';
	CHECK(parse(text, &l, err) < 0);
}

int main(void)
{
	RUN(test_good);
	RUN(test_refused);
	RUN(test_limits);
	return CHECK_DONE();
}
