/* api_peers_test.c: the API's connections counted by source: an IPv4
 * address and its IPv6-mapped spelling are one source, an IPv6 /64 is
 * one, and the table holds at most API_CONN_MAX; the one to end for a
 * newcomer is the oldest not verified, never one verified. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "api/api_peers.h"
#include "check.h"

static void key4(const char *a, unsigned char *key)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof ss);
	s4->sin_family = AF_INET;
	s4->sin_port = htons(40000);
	inet_pton(AF_INET, a, &s4->sin_addr);
	peers_key(&ss, key);
}

static void key6(const char *a, unsigned char *key)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof ss);
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(40001);
	inet_pton(AF_INET6, a, &s6->sin6_addr);
	peers_key(&ss, key);
}

static void test_sources(void)
{
	unsigned char a[PEER_KEY], b[PEER_KEY];

	key4("10.0.0.5", a);
	key6("::ffff:10.0.0.5", b);
	CHECK(memcmp(a, b, PEER_KEY) == 0);		/* one host, two spellings */
	key4("10.0.0.6", b);
	CHECK(memcmp(a, b, PEER_KEY) != 0);
	key6("2001:db8:1:2::1", a);
	key6("2001:db8:1:2:ffff:eeee:dddd:cccc", b);
	CHECK(memcmp(a, b, PEER_KEY) == 0);		/* one /64 */
	key6("2001:db8:1:3::1", b);
	CHECK(memcmp(a, b, PEER_KEY) != 0);
}

static void test_count(void)
{
	static struct api_peers p;
	unsigned char a[PEER_KEY], b[PEER_KEY];
	int i;

	key4("192.0.2.1", a);
	key4("192.0.2.2", b);
	for (i = 0; i < API_PEER_MAX; i++)
		CHECK(peers_add(&p, 100 + i, a, -1) == 0);
	CHECK(peers_count(&p, a) == API_PEER_MAX && peers_count(&p, b) == 0);
	CHECK(peers_add(&p, 500, b, -1) == 0 && peers_count(&p, b) == 1);
	CHECK(peers_remove(&p, 100) == 0 && peers_count(&p, a) == API_PEER_MAX - 1);
	CHECK(peers_remove(&p, 100) == -ENOENT && peers_remove(&p, 0) == -ENOENT);
	for (i = p.n; i < API_CONN_MAX; i++)
		CHECK(peers_add(&p, 1000 + i, b, -1) == 0);
	CHECK(p.n == API_CONN_MAX && peers_add(&p, 9999, b, -1) == -ENOSPC);
	CHECK(peers_remove(&p, 500) == 0 && peers_add(&p, 9999, b, -1) == 0);
}

/* Three connections, each with its pipe: the oldest unverified goes
 * first; one that said it is verified, or whose pipe ended without a
 * word, is judged as it said. */
static void test_unverified(void)
{
	static struct api_peers p;
	unsigned char a[PEER_KEY];
	int fds[3][2], i;

	key4("192.0.2.1", a);
	CHECK(peers_unverified(&p) == 0);
	for (i = 0; i < 3; i++) {
		CHECK(pipe2(fds[i], O_NONBLOCK) == 0);
		CHECK(peers_add(&p, 10 + i, a, fds[i][0]) == 0);
	}
	CHECK(peers_add(&p, 20, a, -1) == 0);		/* no pipe: taken as verified */
	CHECK(peers_unverified(&p) == 10);
	CHECK(write(fds[0][1], "v", 1) == 1);		/* 10 verified: 11 is next */
	CHECK(peers_unverified(&p) == 11);
	CHECK(peers_unverified(&p) == 11);		/* 10 stays verified, its pipe read once */
	close(fds[1][1]);				/* 11's process ended unverified */
	CHECK(peers_unverified(&p) == 11);
	CHECK(peers_remove(&p, 11) == 0 && peers_unverified(&p) == 12);
	/* 30 takes 11's place, before 12's, and is still the newest. */
	CHECK(pipe2(fds[1], O_NONBLOCK) == 0 && peers_add(&p, 30, a, fds[1][0]) == 0);
	CHECK(p.slot[1].pid == 30 && peers_unverified(&p) == 12);
	CHECK(write(fds[2][1], "v", 1) == 1 && peers_unverified(&p) == 30);
	CHECK(write(fds[1][1], "v", 1) == 1 && peers_unverified(&p) == 0);
	for (i = 0; i < 3; i++)
		close(fds[i][1]);
	CHECK(peers_remove(&p, 10) == 0 && peers_remove(&p, 12) == 0 && peers_remove(&p, 30) == 0);
}

int main(void)
{
	RUN(test_sources);
	RUN(test_count);
	RUN(test_unverified);
	return CHECK_DONE();
}
