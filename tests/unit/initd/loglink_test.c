/* loglink_test.c: service pipes handed to logd over its link, and handed
 * again later when the link was full (no pipe is left unread). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "loglink.h"
#include "sup.h"

#define N 6

static struct unit table[N];
static struct sup sup;

/* Receive every packet waiting; count "add" ones that carry an fd. */
static int drain(int fd)
{
	char buf[64], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof buf };
	struct msghdr msg;
	struct cmsghdr *cm;
	int adds = 0, got;

	for (;;) {
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof cbuf;
		if (recvmsg(fd, &msg, MSG_DONTWAIT) <= 0)
			return adds;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm != NULL && cm->cmsg_type == SCM_RIGHTS && strncmp(buf, "add ", 4) == 0) {
			memcpy(&got, CMSG_DATA(cm), sizeof got);
			close(got);
			adds++;
		}
	}
}

static void test_handover_and_retry(void)
{
	int sp[2], i, small = 1;
	char err[64];

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);	/* the kernel's minimum */
	sup_init(&sup, table, N, NULL);
	loglink_enable();
	for (i = 0; i < N; i++) {
		char name[8], text[] = "command = /bin/x\n";

		snprintf(name, sizeof name, "s%d", i);
		CHECK(sup_free_slot(&sup) == &table[i]);
		svc_parse(&table[i].svc, name, text, strlen(text), err, sizeof err);
		table[i].used = 1;
		CHECK(loglink_pipe(&table[i]) == 0 && table[i].out[0] >= 0);
		CHECK(table[i].out_pending);	/* no logd yet */
	}
	/* Fill the link first, as a logd that stopped reading would. */
	while (send(sp[0], "x", 1, MSG_DONTWAIT) == 1)
		;
	loglink_attach(&sup, sp[0]);
	for (i = 0; i < N; i++)
		CHECK(table[i].out_pending);
	CHECK(loglink_retry(&sup) == 1);	/* still full */
	/* logd reads again: the retry hands every pipe over, once. */
	drain(sp[1]);
	CHECK(loglink_retry(&sup) == 0);
	for (i = 0; i < N; i++)
		CHECK(!table[i].out_pending);
	CHECK(drain(sp[1]) == N);
	for (i = 0; i < N; i++)
		loglink_drop(&table[i]);
	loglink_detach();
	close(sp[1]);
}

int main(void)
{
	RUN(test_handover_and_retry);
	return CHECK_DONE();
}
