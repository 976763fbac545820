/*
 * api.c: the node's control API (doc/cairn-agent.md, API), started as
 * root and split in two the way OpenBSD's daemons are.  The network side
 * (api_tls.c, api_routes.c: TLS, the HTTP parser, roles) runs as its own
 * unprivileged user with no capability, no_new_privs and no way back; it
 * holds the node's TLS key, read before the drop, and none of the
 * cluster's secrets.  This process stays root as the privileged helper
 * (api_priv.c), which does the few things of its fixed request set and
 * nothing else.  A bug in the parser gives the user cairn-api, not root.
 * There is no default credential: without an [api] section nothing
 * listens.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "api/api.h"
#include "api/api_priv.h"
#include "api/api_tls.h"
#include "api/api_trust.h"
#include "fileio.h"

/* The network side's user: from /etc/passwd, never root. */
static int user_ids(const char *name, uid_t *uid, gid_t *gid, struct perr *e)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL)
		return perr(e, -EINVAL, "user %s: not in /etc/passwd (the API's network side runs as it)", name);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		return perr(e, -EINVAL, "user %s: uid or gid 0: the API's network side must not be root", name);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* Become UID:GID with no capability, none in the bounding set, and no
 * way to gain one; checked after, not assumed. */
static int drop_to(uid_t uid, gid_t gid, struct perr *e)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;	/* past the kernel's last capability */
			return perr(e, -EINVAL, "dropping capability %d: %s", cap, strerror(errno));
		}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return perr(e, -EINVAL, "becoming uid %u: %s", (unsigned)uid, strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return perr(e, -EINVAL, "no_new_privs: %s", strerror(errno));
	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return perr(e, -EINVAL, "capget: %s", strerror(errno));
	if ((data[0].effective | data[0].permitted | data[0].inheritable | data[1].effective | data[1].permitted |
	     data[1].inheritable) != 0 || getuid() != uid || geteuid() != uid || setuid(0) == 0)
		return perr(e, -EINVAL, "privileges left after becoming uid %u", (unsigned)uid);
	return 0;
}

/* BASE/api, the network side's own directory (0700), for the support bundle. */
static int scratch_make(const char *base, uid_t uid, gid_t gid, int chown_it, char *dir, size_t size,
			struct perr *e)
{
	int fd, rc = 0;

	snprintf(dir, size, "%s/api", base);
	mkdir(base, 0755);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	if ((chown_it && fchown(fd, uid, gid) < 0) || fchmod(fd, 0700) < 0)
		rc = perr(e, -EINVAL, "%s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

/* The network side never needs the cluster's secrets: wiped from its
 * memory, their presence kept for `config show` in the support bundle. */
static void secrets_wipe(struct nodeconf *c)
{
	size_t n = strlen(c->kube_token);

	OPENSSL_cleanse(c->munge_key, sizeof c->munge_key);
	OPENSSL_cleanse(c->kube_token, sizeof c->kube_token);
	memset(c->kube_token, '*', n);
}

struct side {
	uid_t uid;
	gid_t gid;
	int drop;		/* started as root: become uid:gid */
	pid_t helper;
	int lfd, priv, ready;
	SSL_CTX *ctx;
};

/* The network side, in the child: dropped, its trust loaded, then
 * serving.  Says "ok" or why not on READY.  Never returns. */
static void network_side(const struct api_opts *o, struct side *s)
{
	static struct api_trust t;
	struct perr e;
	int rc = 0;

	secrets_wipe(o->conf);
	if (s->drop)
		rc = drop_to(s->uid, s->gid, &e);
	else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		rc = perr(&e, -EINVAL, "no_new_privs: %s", strerror(errno));
	/* Its key is in this memory: no core, no ptrace by its own user. */
	if (rc == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		rc = perr(&e, -EINVAL, "not dumpable: %s", strerror(errno));
	/* Set after the drop, which clears it: the helper's end is ours. */
	if (rc == 0 && (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != s->helper))
		rc = perr(&e, -EINVAL, "the helper is gone");
	if (rc == 0) {
		trust_init(&t, o->conf);
		rc = trust_load(&t, &e);
	}
	if (rc == 0)
		snprintf(e.msg, sizeof e.msg, "ok");
	(void)!write(s->ready, e.msg, strlen(e.msg));
	close(s->ready);
	if (rc == 0)
		rc = tls_serve(o, s->ctx, &t, s->lfd, s->priv);
	fflush(o->log);
	_exit(rc == 0 ? 0 : 1);
}

/* What the network side said on READY: 0 once it listens, or -EINVAL with E. */
static int network_ready(int ready, struct perr *e)
{
	char said[600];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof said - 1 && ((r = read(ready, said + n, sizeof said - 1 - n)) > 0 ||
				       (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	said[n] = '\0';
	if (strcmp(said, "ok") == 0)
		return 0;
	return perr(e, -EINVAL, "%s", n > 0 ? said : "the network side ended before it listened");
}

/*
 * api_serve: listen on the config's [api] address and answer until
 * SIGTERM.  Returns 0 then, or -errno with e set when it cannot start
 * (a certificate, key or CA that does not load, a client CA that is the
 * cluster's or takes it in, an address in use, no user for the network
 * side) or when the network side ended by itself.
 */
int api_serve(const struct api_opts *o, struct perr *e)
{
	const struct nodeconf *c = o->conf;
	const char *user = o->user != NULL ? o->user : API_USER;
	struct api_opts net = *o;
	struct side s = { 0, 0, geteuid() == 0, getpid(), -1, -1, -1, NULL };
	char scratch[300];
	int sv[2], ready[2], port = 0, rc = 0, status;
	pid_t pid;

	if (s.drop)
		rc = user_ids(user, &s.uid, &s.gid, e);
	if (rc == 0)
		rc = scratch_make(o->scratch, s.uid, s.gid, s.drop, scratch, sizeof scratch, e);
	if (rc == 0)
		rc = tls_context(c, &s.ctx, e);
	if (rc < 0)
		return rc;
	s.lfd = tls_listen(c->api_listen, &port, e);
	if (s.lfd < 0) {
		SSL_CTX_free(s.ctx);
		return s.lfd;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = perr(e, -EINVAL, "socketpair: %s", strerror(errno));
		goto out;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		rc = perr(e, -EINVAL, "pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	net.scratch = scratch;
	fflush(o->log);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(ready[0]);
		if (o->notify >= 0)
			close(o->notify);
		s.priv = sv[1];
		s.ready = ready[1];
		network_side(&net, &s);
	}
	close(sv[1]);
	close(ready[1]);
	close(s.lfd);
	s.lfd = -1;
	/* The helper never speaks TLS: the node's key goes with the context. */
	SSL_CTX_free(s.ctx);
	s.ctx = NULL;
	if (pid < 0) {
		rc = perr(e, -EINVAL, "fork: %s", strerror(errno));
	} else if ((rc = network_ready(ready[0], e)) < 0) {
		waitpid(pid, &status, 0);
	} else {
		fprintf(o->log, "api: listening on %s (port %d); clients need a certificate from [api] client-ca %s\n",
			c->api_listen, port, c->api_client_ca);
		if (s.drop)
			fprintf(o->log, "api: the network side (pid %d) runs as %s, uid %u, with no capability\n",
				(int)pid, user, (unsigned)s.uid);
		else
			fprintf(o->log, "api: not started as root: the network side (pid %d) runs as uid %u like "
				"the helper\n", (int)pid, (unsigned)getuid());
		fflush(o->log);
		if (o->notify >= 0) {
			(void)!write(o->notify, "\n", 1);
			close(o->notify);
		}
		rc = priv_serve(o, sv[0], pid);
		if (rc < 0)
			perr(e, -EINVAL, "the network side ended by itself (the log says how)");
	}
	close(sv[0]);
	close(ready[0]);
out:
	if (s.lfd >= 0)
		close(s.lfd);
	SSL_CTX_free(s.ctx);
	return rc;
}
