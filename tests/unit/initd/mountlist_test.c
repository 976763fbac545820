/* mountlist_test.c: mountlist_parse on /proc/self/mounts text. */
#include <string.h>

#include "check.h"
#include "mountlist.h"

static void parse_in_order(void)
{
	char buf[] = "rootfs / rootfs rw 0 0\n"
		     "proc /proc proc rw,nosuid 0 0\n"
		     "devtmpfs /dev devtmpfs rw 0 0\n";
	char *t[8];

	CHECK(mountlist_parse(buf, t, 8) == 3);
	CHECK(strcmp(t[0], "/") == 0);
	CHECK(strcmp(t[1], "/proc") == 0);
	CHECK(strcmp(t[2], "/dev") == 0);
}

static void escapes_decoded(void)
{
	char buf[] = "tmpfs /mnt/a\\040b tmpfs rw 0 0\n"
		     "tmpfs /mnt/tab\\011x\\134 tmpfs rw 0 0\n";
	char *t[4];

	CHECK(mountlist_parse(buf, t, 4) == 2);
	CHECK(strcmp(t[0], "/mnt/a b") == 0);
	CHECK(strcmp(t[1], "/mnt/tab\tx\\") == 0);
}

/* More mounts than room: the newest are kept, still oldest first. */
static void bounded_keeps_newest(void)
{
	char buf[] = "a /1 t o 0 0\na /2 t o 0 0\na /3 t o 0 0\na /4 t o 0 0\na /5 t o 0 0\n";
	char buf2[] = "a /1 t o 0 0\na /2 t o 0 0\na /3 t o 0 0\n";
	char *t[3];

	CHECK(mountlist_parse(buf, t, 3) == 3);
	CHECK(strcmp(t[0], "/3") == 0);
	CHECK(strcmp(t[1], "/4") == 0);
	CHECK(strcmp(t[2], "/5") == 0);
	CHECK(mountlist_parse(buf2, t, 3) == 3);
	CHECK(strcmp(t[0], "/1") == 0 && strcmp(t[2], "/3") == 0);
	CHECK(mountlist_parse(buf2, t, 0) == 0);
}

static void malformed_lines_skipped(void)
{
	char buf[] = "\nnofields\nonly /target\nx /ok t o 0 0";
	char *t[4];

	CHECK(mountlist_parse(buf, t, 4) == 1);
	CHECK(strcmp(t[0], "/ok") == 0);
	CHECK(mountlist_parse((char[]){ "" }, t, 4) == 0);
}

int main(void)
{
	RUN(parse_in_order);
	RUN(escapes_decoded);
	RUN(bounded_keeps_newest);
	RUN(malformed_lines_skipped);
	return CHECK_DONE();
}
