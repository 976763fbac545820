/*
 * api_peers.c: who holds the API's connections.  Each source gets at
 * most API_PEER_MAX of them, so that one client opening connections and
 * sending nothing cannot take the places of everyone else.  A source is
 * an IPv4 address, or an IPv6 /64: the least a site hands one host, and
 * a host holding a /64 has all its addresses.
 *
 * Many sources together can still fill every place with connections
 * that never finish their handshake.  A connection's process says on a
 * pipe when its client's certificate is verified; until then it may be
 * ended to make room, the oldest first, so an operator gets in at once
 * and one verified is never cut off.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "api/api_peers.h"

/* peers_key: where SS comes from, as 16 bytes: an IPv4 address as
 * IPv6 writes it (::ffff:a.b.c.d, so both spellings are one source),
 * an IPv6 address cut to its /64. */
void peers_key(const struct sockaddr_storage *ss, unsigned char *key)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(key, 0, PEER_KEY);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(key, mapped, sizeof mapped);
		memcpy(key + 12, &s4->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		if (memcmp(s6->sin6_addr.s6_addr, mapped, sizeof mapped) == 0)
			memcpy(key, s6->sin6_addr.s6_addr, PEER_KEY);
		else
			memcpy(key, s6->sin6_addr.s6_addr, 8);
	}
}

/* peers_count: the connections open from KEY's source. */
int peers_count(const struct api_peers *p, const unsigned char *key)
{
	int i, n = 0;

	for (i = 0; i < API_CONN_MAX; i++)
		if (p->slot[i].pid != 0 && memcmp(p->slot[i].key, key, PEER_KEY) == 0)
			n++;
	return n;
}

/* peers_add: PID serves a connection from KEY and writes a byte on the
 * pipe FD reads (-1: none, it is taken as verified) once its client is
 * verified; FD is the table's then.  -ENOSPC when API_CONN_MAX are open. */
int peers_add(struct api_peers *p, pid_t pid, const unsigned char *key, int fd)
{
	int i;

	for (i = 0; i < API_CONN_MAX; i++)
		if (p->slot[i].pid == 0) {
			p->slot[i].pid = pid;
			memcpy(p->slot[i].key, key, PEER_KEY);
			p->slot[i].age = ++p->count;
			p->slot[i].fd = fd;
			p->n++;
			return 0;
		}
	return -ENOSPC;
}

/* peers_remove: PID's connection is over; -ENOENT when PID served none. */
int peers_remove(struct api_peers *p, pid_t pid)
{
	int i;

	for (i = 0; i < API_CONN_MAX; i++)
		if (p->slot[i].pid == pid && pid != 0) {
			if (p->slot[i].fd >= 0)
				close(p->slot[i].fd);
			p->slot[i].pid = 0;
			p->slot[i].fd = -1;
			p->n--;
			return 0;
		}
	return -ENOENT;
}

/* Has slot I's process said its client is verified?  Its pipe is
 * non-blocking: a byte is yes, nothing yet is no, and the end of the
 * pipe without a byte (the process ending) is no. */
static int verified(struct api_peers *p, int i)
{
	char c;

	if (p->slot[i].fd < 0)
		return 1;
	if (read(p->slot[i].fd, &c, 1) != 1)
		return 0;
	close(p->slot[i].fd);
	p->slot[i].fd = -1;
	return 1;
}

/* peers_unverified: the oldest connection whose client is not verified
 * yet, to be ended for a new one; 0 when every one is. */
pid_t peers_unverified(struct api_peers *p)
{
	int i, oldest = -1;

	for (i = 0; i < API_CONN_MAX; i++)
		if (p->slot[i].pid != 0 && !verified(p, i) &&
		    (oldest < 0 || p->slot[i].age < p->slot[oldest].age))
			oldest = i;
	return oldest < 0 ? 0 : p->slot[oldest].pid;
}
