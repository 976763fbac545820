/* cli_test.c: a command's options as cli_getopt reads them, and a second parse that starts afresh. */
#include <getopt.h>
#include <string.h>

#include "check.h"
#include "cli.h"

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' }, { "root", required_argument, NULL, 'r' },
	{ "render-only", no_argument, NULL, 'R' }, { NULL, 0, NULL, 0 },
};

/* The options of ARGS (argv[0] the command) as "c=VALUE R ", ending with
 * "end" or "?" where cli_getopt stopped. */
static const char *parse(int argc, char **argv)
{
	static char out[256];
	int c;

	out[0] = '\0';
	cli_getopt_start();
	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		size_t n = strlen(out);

		if (c == '?') {
			snprintf(out + n, sizeof out - n, "?");
			return out;
		}
		snprintf(out + n, sizeof out - n, "%c%s%s ", c, c == 'R' ? "" : "=", c == 'R' ? "" : optarg);
	}
	snprintf(out + strlen(out), sizeof out - strlen(out), "end");
	return out;
}

/* argv as a program gets it: argv[argc] is NULL (musl's getopt reads it). */
#define PARSE(...) parse((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)), \
			 (char *[]){ __VA_ARGS__, NULL })

static void test_options(void)
{
	CHECK(strcmp(PARSE("cmd"), "end") == 0);
	CHECK(strcmp(PARSE("cmd", "--config", "a", "--root", "b"), "c=a r=b end") == 0);
	CHECK(strcmp(PARSE("cmd", "--render-only", "--config", "a"), "R c=a end") == 0);
	CHECK(strcmp(PARSE("cmd", "--config", "a", "--config", "b"), "c=a c=b end") == 0);
	/* A value is the next argument, whatever it looks like. */
	CHECK(strcmp(PARSE("cmd", "--config", "--root"), "c=--root end") == 0);
	CHECK(strcmp(PARSE("cmd", "--config", ""), "c= end") == 0);
}

static void test_refused(void)
{
	CHECK(strcmp(PARSE("cmd", "--bogus"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "--conf", "a"), "?") == 0);		/* no abbreviation */
	CHECK(strcmp(PARSE("cmd", "--config=a"), "?") == 0);		/* no --name=value */
	CHECK(strcmp(PARSE("cmd", "--render-only=1"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "--root", "b", "--config"), "r=b ?") == 0);	/* no value */
	CHECK(strcmp(PARSE("cmd", "--"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "--", "--root", "b"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "-c", "a"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "-"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "x"), "?") == 0);			/* no operand */
	CHECK(strcmp(PARSE("cmd", ""), "?") == 0);
	/* In argv's order: glibc must not move an operand behind the options. */
	CHECK(strcmp(PARSE("cmd", "--root", "b", "x", "--config", "a"), "r=b ?") == 0);
}

/* A parse that stopped inside "-xyz" leaves getopt half through it:
 * the next starts afresh all the same (glibc needs optind 0 for that). */
static void test_again(void)
{
	CHECK(strcmp(PARSE("cmd", "-xyz"), "?") == 0);
	CHECK(strcmp(PARSE("cmd", "--root", "r"), "r=r end") == 0);
	CHECK(strcmp(PARSE("cmd", "--config", "a", "--bogus", "--root", "b"), "c=a ?") == 0);
	CHECK(strcmp(PARSE("sub", "--root", "b"), "r=b end") == 0);
}

int main(void)
{
	RUN(test_options);
	RUN(test_refused);
	RUN(test_again);
	return CHECK_DONE();
}
