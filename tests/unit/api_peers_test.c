/* api_peers_test.c: the API's connections counted by source: an IPv4
 * address and its IPv6-mapped spelling are one source, an IPv6 /64 is
 * one, and the table holds at most API_CONN_MAX. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "api_peers.h"
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
		CHECK(peers_add(&p, 100 + i, a) == 0);
	CHECK(peers_count(&p, a) == API_PEER_MAX && peers_count(&p, b) == 0);
	CHECK(peers_add(&p, 500, b) == 0 && peers_count(&p, b) == 1);
	CHECK(peers_remove(&p, 100) == 0 && peers_count(&p, a) == API_PEER_MAX - 1);
	CHECK(peers_remove(&p, 100) == -ENOENT && peers_remove(&p, 0) == -ENOENT);
	for (i = p.n; i < API_CONN_MAX; i++)
		CHECK(peers_add(&p, 1000 + i, b) == 0);
	CHECK(p.n == API_CONN_MAX && peers_add(&p, 9999, b) == -ENOSPC);
	CHECK(peers_remove(&p, 500) == 0 && peers_add(&p, 9999, b) == 0);
}

int main(void)
{
	RUN(test_sources);
	RUN(test_count);
	return CHECK_DONE();
}
