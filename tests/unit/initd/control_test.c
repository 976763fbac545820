/* control_test.c: initd's side of the control socket, over a socketpair:
 * garbage gets a clear error, requests act on the table, replies end in
 * "ok" or "error". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "control.h"
#include "ctl.h"
#include "fake_ops.h"
#include "sup.h"

static struct unit table[4];
static struct sup sup;
static char replies[4096];

/* Send raw bytes as one request, serve it, collect the reply packets. */
static int ask(const void *req, size_t len)
{
	int sp[2], rc;
	char buf[CTL_REPLY_MAX + 1];
	ssize_t n;

	replies[0] = '\0';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		return -1;
	send(sp[0], req, len, 0);
	rc = control_serve(&sup, sp[1], 1200);
	close(sp[1]);
	while ((n = recv(sp[0], buf, sizeof buf - 1, 0)) > 0) {
		buf[n] = '\0';
		strncat(replies, buf, sizeof replies - strlen(replies) - 2);
		strcat(replies, "\n");
	}
	close(sp[0]);
	return rc;
}

static void setup(void)
{
	static const char *const names[] = { "alpha", "beta" };
	char err[128];
	size_t i;

	sup_init(&sup, table, 4, &fake_ops);
	for (i = 0; i < 2; i++) {
		struct unit *u = sup_free_slot(&sup);
		const char *text = "command = /bin/x\n";

		svc_parse(&u->svc, names[i], text, strlen(text), err, sizeof err);
		u->used = u->want_up = 1;
	}
	sup_resolve(&sup);
	sup_step(&sup);
}

static void test_garbage(void)
{
	static const char bin[] = { 's', 't', 0x01, 0x00, (char)0xff };
	char big[CTL_REQ_MAX * 2];

	CHECK(ask(bin, sizeof bin) == 0 && strncmp(replies, "error request has a control byte", 32) == 0);
	CHECK(ask("", 0) == 0 && strstr(replies, "error empty request") == replies);
	memset(big, 'a', sizeof big);
	CHECK(ask(big, sizeof big) == 0 && strstr(replies, "longer than") != NULL);
	CHECK(ask("stop ../../etc", 14) == 0 && strstr(replies, "not a service name") != NULL);
	CHECK(ask("start nosuch", 12) == 0 && strcmp(replies, "error no service 'nosuch'\n") == 0);
	CHECK(table[0].state == UNIT_UP && table[1].state == UNIT_UP);	/* untouched */
}

static void test_status_and_timeline(void)
{
	CHECK(ask("status", 6) == 0);
	CHECK(strncmp(replies, "+SERVICE ", 9) == 0);
	CHECK(strstr(replies, "\n+alpha            up        201     0.000s     0        -\n") != NULL);
	CHECK(strstr(replies, "\nok\n") != NULL);
	CHECK(ask("status beta", 11) == 0 && strncmp(replies, "+beta ", 6) == 0);
	CHECK(ask("timeline", 8) == 0);
	CHECK(strcmp(replies, "+initd 1.200s\n+alpha 6.500s\n+beta 6.500s\nok\n") == 0);
}

static void test_actions(void)
{
	CHECK(ask("stop alpha", 10) == 0 && strcmp(replies, "ok\n") == 0);
	CHECK(table[0].state == UNIT_STOPPING && !table[0].want_up);
	CHECK(ask("log beta", 8) == 0 && strcmp(replies, "+file /run/log/beta.log\nok\n") == 0);
	CHECK(ask("poweroff", 8) == RB_POWER_OFF && strcmp(replies, "ok\n") == 0);
	CHECK(ask("reboot\n", 7) == RB_AUTOBOOT);
	sup_shutdown(&sup);
	CHECK(ask("start alpha", 11) == 0 && strstr(replies, "shutting down") != NULL);
}

int main(void)
{
	setup();
	RUN(test_garbage);
	RUN(test_status_and_timeline);
	RUN(test_actions);
	return CHECK_DONE();
}
