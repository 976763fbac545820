/* text_test.c: the shared line helpers: trimming, printable text, and strict numbers. */
#include <string.h>

#include "check.h"
#include "text.h"

static void test_trim(void)
{
	char s[] = " \tkey = value \r\n";

	CHECK(strcmp(text_trim(s), "key = value") == 0);
}

static void test_uint(void)
{
	unsigned long long v = 7;

	CHECK(text_uint("0", 10, &v) == 0 && v == 0);
	CHECK(text_uint("65535", 65535, &v) == 0 && v == 65535);
	CHECK(text_uint("65536", 65535, &v) < 0);
	CHECK(text_uint("18446744073709551615", ~0ULL, &v) == 0 && v == ~0ULL);
	CHECK(text_uint("18446744073709551616", ~0ULL, &v) < 0);	/* overflow caught */
	CHECK(text_uint("", 10, &v) < 0);
	CHECK(text_uint("-1", 10, &v) < 0);
	CHECK(text_uint("+1", 10, &v) < 0);
	CHECK(text_uint(" 1", 10, &v) < 0);
	CHECK(text_uint("1x", 10, &v) < 0);
}

static void test_printable(void)
{
	CHECK(text_printable("i6300ESB timer ~"));
	CHECK(text_printable(""));
	CHECK(!text_printable("bad\nname"));
	CHECK(!text_printable("esc\033[2J"));
	CHECK(!text_printable("del\177"));
	CHECK(!text_printable("high\xc3\xa9"));
}

int main(void)
{
	RUN(test_trim);
	RUN(test_printable);
	RUN(test_uint);
	return CHECK_DONE();
}
