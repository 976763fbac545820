/* api_peers.h: the control API's open connections, counted by where they come from. */
#ifndef CAIRN_API_PEERS_H
#define CAIRN_API_PEERS_H

#include <sys/socket.h>
#include <sys/types.h>

#define API_CONN_MAX 64		/* connections open at once, from anywhere */
#define API_PEER_MAX 8		/* from one address (IPv4) or one /64 (IPv6) */
#define PEER_KEY 16

struct api_peers {
	struct {
		pid_t pid;		/* the connection's process; 0: a free slot */
		unsigned char key[PEER_KEY];
		unsigned long age;	/* when it came, in connections */
		int fd;			/* where its process says it is verified; -1: said */
	} slot[API_CONN_MAX];
	int n;
	unsigned long count;
};

void peers_key(const struct sockaddr_storage *ss, unsigned char *key);
int peers_count(const struct api_peers *p, const unsigned char *key);
int peers_add(struct api_peers *p, pid_t pid, const unsigned char *key, int fd);
int peers_remove(struct api_peers *p, pid_t pid);
pid_t peers_unverified(struct api_peers *p);

#endif
