/* ctl_test.c: the control protocol's request parser. */
#include <string.h>

#include "check.h"
#include "ctl.h"

static struct ctl_req req;
static char err[160];

static int parse(const char *s)
{
	return ctl_parse(s, strlen(s), &req, err, sizeof err);
}

static void test_good(void)
{
	CHECK(parse("status") == 0 && req.verb == CTL_STATUS && req.name[0] == '\0');
	CHECK(parse("status mdev\n") == 0 && strcmp(req.name, "mdev") == 0);
	CHECK(parse("restart containerd") == 0 && req.verb == CTL_RESTART);
	CHECK(parse("log initd") == 0 && req.verb == CTL_LOG);
	CHECK(parse("timeline") == 0 && req.verb == CTL_TIMELINE);
	CHECK(parse("poweroff") == 0 && req.verb == CTL_POWEROFF);
	CHECK(strcmp(ctl_verb_name(CTL_RELOAD), "reload") == 0);
}

static void test_bad(void)
{
	CHECK(parse("") < 0 && strstr(err, "empty") != NULL);
	CHECK(parse("\n") < 0);
	CHECK(parse("frob") < 0 && strstr(err, "unknown request 'frob'") != NULL);
	CHECK(parse("start") < 0 && strstr(err, "needs a service name") != NULL);
	CHECK(parse("reload all") < 0 && strstr(err, "takes no name") != NULL);
	CHECK(parse("stop a b") < 0 && strstr(err, "at most one name") != NULL);
	CHECK(parse("stop ") < 0);
	CHECK(parse("stop ../etc/passwd") < 0 && strstr(err, "not a service name") != NULL);
	CHECK(parse("stop Upper") < 0);
	CHECK(ctl_parse("stop a\0b", 8, &req, err, sizeof err) < 0 && strstr(err, "control byte") != NULL);
	CHECK(parse("status \xc3\xa9") < 0 && strstr(err, "not ASCII") != NULL);
	CHECK(parse("status\tx") < 0);
}

static void test_bounds(void)
{
	char big[CTL_REQ_MAX + 8];

	memset(big, 'a', sizeof big);
	memcpy(big, "status ", 7);
	CHECK(ctl_parse(big, sizeof big, &req, err, sizeof err) < 0 && strstr(err, "longer") != NULL);
	big[7 + SVC_NAME_MAX] = '\0';	/* a name one byte too long */
	CHECK(parse(big) < 0);
	big[7 + SVC_NAME_MAX - 1] = '\0';	/* the longest name */
	CHECK(parse(big) == 0 && strlen(req.name) == SVC_NAME_MAX - 1);
}

int main(void)
{
	RUN(test_good);
	RUN(test_bad);
	RUN(test_bounds);
	return CHECK_DONE();
}
