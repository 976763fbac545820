/*
 * api.c: the node's control API (doc/cairn-agent.md, API): HTTPS with
 * mutual TLS through OpenSSL, one request per connection, one connection
 * at a time.  A client must present a certificate that chains to the
 * cluster CA of the node config's [trust]; what it may do is its role,
 * named by the certificate's OU: `cairn-monitor` reads (inventory, health,
 * metrics, services), `cairn-operator` also reads logs, the kernel log and
 * the support bundle, and reboots.  Any other certificate (a node's own)
 * may do nothing.  There is no default credential: without an [api]
 * section nothing listens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <jansson.h>

#include "api.h"
#include "bootent.h"
#include "clock.h"
#include "fileio.h"
#include "health.h"
#include "httpreq.h"
#include "inventory.h"
#include "metrics.h"
#include "nvsmi.h"
#include "osboot.h"
#include "osstate.h"
#include "runcap.h"
#include "setup.h"
#include "util.h"

#define IO_SECONDS 10			/* for a client to finish its handshake and request */
#define COMMAND_SECONDS 60		/* for initctl, tar, nvidia-smi to answer */
#define OS_UPDATE_SECONDS 3600		/* for pkg os-update to write a slot */
#define OUTPUT_MAX (32 << 20)		/* what a command may answer with */

enum role { ROLE_NONE, ROLE_MONITOR, ROLE_OPERATOR };
static const char *const role_names[] = { "none", "cairn-monitor", "cairn-operator" };

struct reply {
	int status;
	const char *type;
	char *body;
	size_t len;
	const char *extra;		/* one more header line, or NULL */
};

struct route {
	const char *method, *path;
	enum role need;
	int (*run)(const struct api_opts *o, const struct http_req *r, struct reply *out);
};

static int text_reply(struct reply *out, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int text_reply(struct reply *out, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&out->body, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out->body = NULL;
		return -ENOMEM;
	}
	out->status = status;
	out->type = "text/plain; charset=utf-8";
	out->len = (size_t)n;
	return 0;
}

static int command_reply(struct reply *out, char *const *argv)
{
	char *buf;
	size_t len;
	int rc = run_capture(argv, OUTPUT_MAX, COMMAND_SECONDS, &buf, &len);

	if (rc < 0)
		return text_reply(out, 502, "%s failed: %s\n", argv[0],
				  rc == -EIO ? "it exited with an error" : strerror(-rc));
	out->status = 200;
	out->type = "text/plain; charset=utf-8";
	out->body = buf;
	out->len = len;
	return 0;
}

static int json_reply(struct reply *out, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;

	json_decref(o);
	if (text == NULL)
		return -ENOMEM;
	out->status = 200;
	out->type = "application/json";
	out->body = text;
	out->len = strlen(text);
	return 0;
}

/* Where an operator's drain is kept: the reason, in /run (gone at boot). */
static void drain_path(const struct api_opts *o, char *path, size_t size)
{
	snprintf(path, size, "%s%s", o->root, API_DRAIN_FILE);
}

static void run_health(const struct api_opts *o, struct health *h, const char *kmsg, size_t kmsg_len)
{
	static const char *const disks[] = { "/", "/var", NULL };
	char drain[400];
	struct health_opts ho = {
		.root = o->root, .conf = o->conf, .kmsg = kmsg, .kmsg_len = kmsg_len, .disks = disks,
		.min_free_pct = 10, .containerd_sock = "/run/containerd/containerd.sock", .time_synced = -1,
		.nvidia_smi = "nvidia-smi", .drain_file = drain,
	};

	drain_path(o, drain, sizeof drain);
	health_run(&ho, h);
}

static int get_health(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	static struct health h;
	json_t *checks = json_array(), *top;
	int i;

	(void)r;
	run_health(o, &h, o->kmsg, o->kmsg_len);
	for (i = 0; i < h.n; i++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:s}", "name", h.checks[i].name, "status",
						       h.checks[i].ok > 0 ? "ok" : h.checks[i].ok == 0 ? "fail" : "skip",
						       "detail", h.checks[i].detail));
	top = json_pack("{s:b, s:o}", "healthy", h.healthy, "checks", checks);
	return json_reply(out, top);
}

static int get_inventory(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	static struct inventory inv;
	char err[512];

	(void)r;
	static struct gpu_live live[GPU_MAX];
	json_t *top;
	int nlive = 0;

	if (inventory_read(o->root, &inv, err, sizeof err) < 0)
		return text_reply(out, 500, "inventory: %s\n", err);
	top = inventory_json(&inv);
	if (top != NULL && inv.ngpus > 0 && nvsmi_read("nvidia-smi", live, GPU_MAX, &nlive, err, sizeof err) == 0)
		inventory_add_live(top, live, nlive);
	return json_reply(out, top);
}

static int get_metrics(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	static struct inventory inv;
	static struct health h;
	struct xid x[XID_MAX];
	char err[512], *log = NULL;
	const char *kmsg = o->kmsg;
	size_t kmsg_len = o->kmsg_len, nx = 0;
	FILE *f;
	int rc;

	(void)r;
	if (inventory_read(o->root, &inv, err, sizeof err) < 0)
		return text_reply(out, 500, "inventory: %s\n", err);
	if (kmsg == NULL && kernel_log(&log, &kmsg_len) == 0)
		kmsg = log;
	run_health(o, &h, kmsg, kmsg_len);
	if (kmsg != NULL)
		xid_scan(kmsg, kmsg_len, x, XID_MAX, &nx);
	free(log);
	f = open_memstream(&out->body, &out->len);
	if (f == NULL)
		return -ENOMEM;
	rc = metrics_write(f, &inv, &h, x, nx);
	if (fclose(f) != 0 || rc < 0)
		return -ENOMEM;
	out->status = 200;
	out->type = "text/plain; version=0.0.4; charset=utf-8";
	return 0;
}

static int get_services(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char *argv[] = { (char *)"initctl", (char *)"status", NULL };

	(void)o;
	(void)r;
	return command_reply(out, argv);
}

static int name_ok(const char *s)
{
	return *s != '\0' && strlen(s) < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s) &&
	       s[0] != '.' && s[0] != '-';
}

static int get_logs(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char name[64], *argv[] = { (char *)"initctl", (char *)"log", name, NULL };

	(void)o;
	if (http_query(r->query, "service", name, sizeof name) < 0 || !name_ok(name))
		return text_reply(out, 400, "logs: ?service=NAME, a service's name\n");
	return command_reply(out, argv);
}

static int get_kmsg(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	(void)r;
	if (o->kmsg != NULL) {
		out->body = malloc(o->kmsg_len + 1);
		if (out->body == NULL)
			return -ENOMEM;
		memcpy(out->body, o->kmsg, o->kmsg_len);
		out->len = o->kmsg_len;
	} else if (kernel_log(&out->body, &out->len) < 0) {
		return text_reply(out, 500, "the kernel log cannot be read\n");
	}
	out->status = 200;
	out->type = "text/plain; charset=utf-8";
	return 0;
}

/* One file of the bundle: dir/name holding len bytes of data. */
static int bundle_put(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return file_write_atomic(path, data, len, 0600);
}

/*
 * The support bundle: one tar.gz of the inventory, health, services,
 * every service's log, the kernel log, and the config as `config show`
 * gives it (no secret).  Built in a private directory under /run,
 * removed when sent.
 */
static int get_bundle(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	static const struct { const char *name; int (*run)(const struct api_opts *, const struct http_req *,
							   struct reply *); } parts[] = {
		{ "inventory.json", get_inventory }, { "health.json", get_health },
		{ "services.txt", get_services }, { "kernel.log", get_kmsg },
	};
	char dir[256], host[64] = "node", stamp[32], *tar[] = { (char *)"tar", (char *)"-czf", (char *)"-",
								  (char *)"-C", dir, (char *)".", NULL };
	char *argv_rm[] = { (char *)"rm", (char *)"-rf", dir, NULL }, *services = NULL, *line, *save = NULL;
	static char disposition[160];
	struct reply part;
	size_t i, len;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/support.XXXXXX", o->scratch);
	if (mkdtemp(dir) == NULL)
		return text_reply(out, 500, "support bundle: %s: %s\n", o->scratch, strerror(errno));
	for (i = 0; i < sizeof parts / sizeof parts[0] && rc == 0; i++) {
		memset(&part, 0, sizeof part);
		rc = parts[i].run(o, r, &part);
		if (rc == 0 && part.body != NULL)
			rc = bundle_put(dir, parts[i].name, part.body, part.len);
		if (i == 2 && part.status == 200)
			services = part.body, part.body = NULL;
		free(part.body);
	}
	if (rc == 0 && o->conf != NULL) {
		char *text = NULL;

		f = open_memstream(&text, &len);
		if (f == NULL || nodeconf_show(o->conf, f) < 0 || fclose(f) != 0)
			rc = -ENOMEM;
		else
			rc = bundle_put(dir, "node.conf", text, len);
		free(text);
	}
	/* Each service's log: the first word of each `initctl status` line. */
	if (rc == 0 && services != NULL) {
		char logs[300];

		snprintf(logs, sizeof logs, "%s/logs", dir);
		mkdir(logs, 0700);
		for (line = strtok_r(services, "\n", &save); line != NULL && rc == 0;
		     line = strtok_r(NULL, "\n", &save)) {
			char name[64], file[80];
			struct http_req q;

			if (sscanf(line, "%63s", name) != 1 || !name_ok(name))
				continue;
			memset(&q, 0, sizeof q);
			snprintf(q.query, sizeof q.query, "service=%s", name);
			memset(&part, 0, sizeof part);
			if (get_logs(o, &q, &part) == 0 && part.status == 200) {
				snprintf(file, sizeof file, "%s.log", name);
				rc = bundle_put(logs, file, part.body, part.len);
			}
			free(part.body);
		}
	}
	free(services);
	if (rc == 0)
		rc = command_reply(out, tar);
	run_capture(argv_rm, 4096, COMMAND_SECONDS, &services, &len);
	free(services);
	if (rc < 0)
		return text_reply(out, 500, "support bundle: %s\n", strerror(-rc));
	if (out->status != 200)
		return 0;
	gethostname(host, sizeof host - 1);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(disposition, sizeof disposition, "Content-Disposition: attachment; filename=\"support-%s-%s.tar.gz\"",
		 name_ok(host) ? host : "node", stamp);
	out->type = "application/gzip";
	out->extra = disposition;
	return 0;
}

/* Said first; serve_one reboots once the answer is sent. */
static int post_reboot(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	(void)o;
	(void)r;
	return text_reply(out, 202, "rebooting\n");
}

/*
 * POST /v1/drain?reason=TEXT: the node reports itself unhealthy with the
 * operator's reason (the health check "drain"), so a scheduler's health
 * check (slurm-health) drains it; POST /v1/resume takes it back.  The
 * reason: letters, digits and . _ ~ : - with + for a space.
 */
static int post_drain(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char reason[128], path[400];
	size_t i;
	int rc;

	if (http_query(r->query, "reason", reason, sizeof reason) < 0 || reason[0] == '\0' ||
	    strspn(reason, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~:-+") != strlen(reason))
		return text_reply(out, 400, "drain: ?reason=TEXT (letters, digits, . _ ~ : -, + for a space; "
				  "up to %zu)\n", sizeof reason - 1);
	for (i = 0; reason[i] != '\0'; i++)
		if (reason[i] == '+')
			reason[i] = ' ';
	drain_path(o, path, sizeof path);
	rc = file_write_atomic(path, reason, strlen(reason), 0644);
	if (rc < 0)
		return text_reply(out, 500, "drain: %s: %s\n", path, strerror(-rc));
	fprintf(o->log, "api: drained: %s\n", reason);
	return text_reply(out, 200, "drained: %s\n", reason);
}

static int post_resume(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char path[400];

	(void)r;
	drain_path(o, path, sizeof path);
	if (unlink(path) < 0 && errno != ENOENT)
		return text_reply(out, 500, "resume: %s: %s\n", path, strerror(errno));
	fprintf(o->log, "api: resumed\n");
	return text_reply(out, 200, "resumed\n");
}

/* Where an update the API started writes what pkg says. */
#define OS_UPDATE_OUT "/run/cairn/os-update.out"

/*
 * GET /v1/os: cairn-agent os status (the slots, an update pending, the
 * last rollback), then what the last update started here said.
 */
static int get_os(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char sys[400], cmdline[400], osrel[400], state[400], path[400], *text = NULL;
	struct osboot_opts b = { .sys = sys, .cmdline = cmdline, .osrel = osrel, .esp = ESP_DIR, .state = state };
	struct perr e;
	size_t len;
	FILE *f;

	(void)r;
	snprintf(sys, sizeof sys, "%s/sys", o->root);
	snprintf(cmdline, sizeof cmdline, "%s/proc/cmdline", o->root);
	snprintf(osrel, sizeof osrel, "%s/etc/os-release", o->root);
	snprintf(state, sizeof state, "%s%s", o->root, OS_STATE_DIR);
	snprintf(path, sizeof path, "%s%s", o->root, OS_UPDATE_OUT);
	f = open_memstream(&out->body, &out->len);
	if (f == NULL)
		return -ENOMEM;
	os_status(&b, f);
	if (util_read_all(AT_FDCWD, path, 1 << 16, &text, &len, &e) == 0) {
		fprintf(f, "\nthe last update started through the API said:\n%s", text);
		free(text);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	out->status = 200;
	out->type = "text/plain; charset=utf-8";
	return 0;
}

/* The update's own process: pkg, then the reboot asked for.  Never returns. */
static void os_update_run(const struct api_opts *o, char *const *argv, int reboot)
{
	char path[400], *initctl[] = { (char *)"initctl", (char *)"reboot", NULL };
	int fd;

	setsid();
	snprintf(path, sizeof path, "%s%s", o->root, OS_UPDATE_OUT);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, 0);
	/* Not the client's connection nor the listening socket: those are
	 * the server's, and the client waits for the connection to close. */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	if (run_tool(argv, NULL, OS_UPDATE_SECONDS) == 0 && reboot) {
		printf("rebooting into it\n");
		fflush(stdout);
		run_tool(initctl, NULL, COMMAND_SECONDS);
	}
	_exit(0);
}

/*
 * POST /v1/os/update[?repo=URL][&tries=N][&reboot=yes]: pkg os-update
 * from URL (an https:// repository or a path on the node; node.conf
 * [update] repo when not given), started in the background: its answer
 * is 202 at once, and GET /v1/os shows how it went.  reboot=yes reboots
 * into the new OS once it is written.  One at a time (409 otherwise).
 */
static int post_os_update(const struct api_opts *o, const struct http_req *r, struct reply *out)
{
	char repo[NC_PATH], tries[8], reboot[8], lock[400];
	char *argv[] = { (char *)"pkg", (char *)"--repo", repo, (char *)"os-update", (char *)"--tries", tries, NULL };
	int rc, fd, busy;
	pid_t pid;

	rc = http_query(r->query, "repo", repo, sizeof repo);
	if (rc == -ENOENT && o->conf != NULL && o->conf->update_repo[0] != '\0')
		rc = snprintf(repo, sizeof repo, "%s", o->conf->update_repo) > 0 ? 0 : -EINVAL;
	if (rc < 0)
		return text_reply(out, 400, "os/update: ?repo=URL (https://, or a path on the node), or node.conf "
				  "[update] repo\n");
	if ((strncmp(repo, "https://", 8) != 0 && repo[0] != '/') ||
	    strspn(repo, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$'()*+,;=%") !=
		    strlen(repo))
		return text_reply(out, 400, "os/update: repo '%s' is not an https:// URL or an absolute path\n", repo);
	if (http_query(r->query, "tries", tries, sizeof tries) == -ENOENT)
		snprintf(tries, sizeof tries, "3");
	else if (tries[0] < '1' || tries[0] > '9' || tries[1] != '\0')
		return text_reply(out, 400, "os/update: tries is 1 to 9\n");
	if (http_query(r->query, "reboot", reboot, sizeof reboot) == -ENOENT)
		reboot[0] = '\0';
	else if (strcmp(reboot, "yes") != 0 && strcmp(reboot, "no") != 0)
		return text_reply(out, 400, "os/update: reboot is yes or no\n");
	/* pkg holds the lock while it writes; a second one would only be refused. */
	snprintf(lock, sizeof lock, "%s%s/lock", o->root, OS_STATE_DIR);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	busy = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (fd >= 0)
		close(fd);
	if (busy)
		return text_reply(out, 409, "os/update: an update is being written: GET /v1/os\n");
	pid = fork();
	if (pid == 0) {
		/* A grandchild, so that the API never waits for it. */
		if (fork() == 0)
			os_update_run(o, argv, strcmp(reboot, "yes") == 0);
		_exit(0);
	}
	if (pid < 0)
		return text_reply(out, 500, "os/update: fork: %s\n", strerror(errno));
	waitpid(pid, NULL, 0);
	fprintf(o->log, "api: os update from %s started (%s tries%s)\n", repo, tries,
		strcmp(reboot, "yes") == 0 ? ", then a reboot" : "");
	return text_reply(out, 202, "os update from %s started: GET /v1/os for how it goes\n", repo);
}

static const struct route routes[] = {
	{ "GET", "/v1/inventory", ROLE_MONITOR, get_inventory },
	{ "GET", "/v1/health", ROLE_MONITOR, get_health },
	{ "GET", "/metrics", ROLE_MONITOR, get_metrics },
	{ "GET", "/v1/services", ROLE_MONITOR, get_services },
	{ "GET", "/v1/logs", ROLE_OPERATOR, get_logs },
	{ "GET", "/v1/kmsg", ROLE_OPERATOR, get_kmsg },
	{ "GET", "/v1/support-bundle", ROLE_OPERATOR, get_bundle },
	{ "POST", "/v1/reboot", ROLE_OPERATOR, post_reboot },
	{ "POST", "/v1/drain", ROLE_OPERATOR, post_drain },
	{ "POST", "/v1/resume", ROLE_OPERATOR, post_resume },
	{ "GET", "/v1/os", ROLE_MONITOR, get_os },
	{ "POST", "/v1/os/update", ROLE_OPERATOR, post_os_update },
};

/* The role a client certificate's OU names; the highest if it names several. */
static enum role role_of(X509 *cert)
{
	X509_NAME *subject = X509_get_subject_name(cert);
	enum role best = ROLE_NONE;
	int i = -1;

	while ((i = X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, i)) >= 0) {
		ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
		const unsigned char *d = ASN1_STRING_get0_data(v);
		int n = ASN1_STRING_length(v);

		if (n == 14 && memcmp(d, "cairn-operator", 14) == 0)
			best = ROLE_OPERATOR;
		else if (n == 13 && memcmp(d, "cairn-monitor", 13) == 0 && best < ROLE_MONITOR)
			best = ROLE_MONITOR;
	}
	return best;
}

/* Which route answers; the reply for a refusal when none may. */
static const struct route *route_for(const struct http_req *r, enum role role, struct reply *out)
{
	const struct route *path_match = NULL;
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(r->path, routes[i].path) != 0)
			continue;
		path_match = &routes[i];
		if (strcmp(r->method, routes[i].method) != 0)
			continue;
		if (role < routes[i].need) {
			text_reply(out, 403, "%s %s needs role %s; this certificate's is %s\n", r->method, r->path,
				   role_names[routes[i].need], role_names[role]);
			return NULL;
		}
		return &routes[i];
	}
	if (path_match != NULL)
		text_reply(out, 405, "%s: %s only\n", r->path, path_match->method);
	else
		text_reply(out, 404, "%s: no such endpoint\n", r->path);
	return NULL;
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 502: return "Bad Gateway";
	default: return "Internal Server Error";
	}
}

static int ssl_write_all(SSL *ssl, const char *p, size_t n)
{
	while (n > 0) {
		size_t w;

		if (SSL_write_ex(ssl, p, n, &w) != 1)
			return -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

static void send_reply(SSL *ssl, const struct reply *out)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof head,
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
		     "Cache-Control: no-store\r\n%s%s\r\n",
		     out->status, status_text(out->status), out->type, out->len, out->extra ? out->extra : "",
		     out->extra ? "\r\n" : "");
	if (ssl_write_all(ssl, head, (size_t)n) == 0 && out->len > 0)
		ssl_write_all(ssl, out->body, out->len);
}

/* Why the last handshake failed, in words. */
static void ssl_why(char *buf, size_t size, SSL *ssl)
{
	unsigned long e = ERR_peek_last_error();
	long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (v != X509_V_OK)
		snprintf(buf, size, "%s", X509_verify_cert_error_string(v));
	else if (e != 0)
		snprintf(buf, size, "%s", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "TLS error");
	else
		snprintf(buf, size, "the connection closed");
	ERR_clear_error();
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/* A client gets IO_SECONDS in all for its handshake and request, however
 * slowly it trickles them: the alarm interrupts the blocking reads. */
static volatile sig_atomic_t too_slow;

static void on_alarm(int sig)
{
	(void)sig;
	too_slow = 1;
}

/* One connection: handshake, one request, one answer. */
static void serve_one(const struct api_opts *o, SSL_CTX *ctx, int fd, const char *peer)
{
	struct reply out = { 0, NULL, NULL, 0, NULL };
	char buf[HTTP_HEAD_MAX], why[200], who[256] = "-";
	const struct route *route = NULL;
	struct http_req req;
	const char *bad = "";
	enum role role = ROLE_NONE;
	size_t have = 0;
	X509 *cert;
	SSL *ssl;
	int n = 0, reboot = 0;

	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return;
	}
	too_slow = 0;
	alarm(IO_SECONDS);
	if (SSL_accept(ssl) != 1) {
		alarm(0);
		if (too_slow)
			snprintf(why, sizeof why, "no handshake within %d s", IO_SECONDS);
		else
			ssl_why(why, sizeof why, ssl);
		fprintf(o->log, "api: %s: refused: %s\n", peer, why);
		goto out;
	}
	cert = SSL_get1_peer_certificate(ssl);
	if (cert != NULL) {
		X509_NAME_oneline(X509_get_subject_name(cert), who, sizeof who);
		role = role_of(cert);
		X509_free(cert);
	}
	while (n == 0) {
		size_t got;

		if (have == sizeof buf) {
			n = -E2BIG;
			break;
		}
		if (SSL_read_ex(ssl, buf + have, sizeof buf - have, &got) != 1)
			break;
		have += got;
		n = http_parse(buf, have, &req, &bad);
	}
	alarm(0);
	if (n == 0) {
		fprintf(o->log, "api: %s (%s): no whole request%s\n", peer, who,
			too_slow ? " within the time a client has" : "");
		goto out;
	}
	if (n == -E2BIG)
		text_reply(&out, 413, "the request head is longer than %d bytes\n", HTTP_HEAD_MAX);
	else if (n < 0)
		text_reply(&out, 400, "bad request: %s\n", bad);
	else if (req.content_length > 0)
		text_reply(&out, 413, "the API takes no request body\n");
	else if ((route = route_for(&req, role, &out)) != NULL && route->run(o, &req, &out) < 0)
		text_reply(&out, 500, "%s %s: out of memory\n", req.method, req.path);
	reboot = route != NULL && route->run == post_reboot && out.status == 202;
	if (out.status == 0)
		text_reply(&out, 500, "no answer\n");
	send_reply(ssl, &out);
	fprintf(o->log, "api: %s (%s, role %s): %s %s: %d\n", peer, who, role_names[role],
		n > 0 ? req.method : "-", n > 0 ? req.path : "-", out.status);
	SSL_shutdown(ssl);
out:
	fflush(o->log);
	SSL_free(ssl);
	free(out.body);
	if (reboot) {
		char *argv[] = { (char *)"initctl", (char *)"reboot", NULL }, *b = NULL;
		size_t l;

		fprintf(o->log, "api: reboot asked by %s\n", who);
		fflush(o->log);
		run_capture(argv, 4096, COMMAND_SECONDS, &b, &l);
		free(b);
	}
}

/*
 * While the clock is unsure (setup found it behind the build and NTP has
 * not set it since), the true time is only known to be no earlier than
 * the build: a client certificate issued since is taken, an expired one
 * is not (lib/fetch.c does the same for the config's server).
 */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
	if (!ok && X509_STORE_CTX_get_error(x) == X509_V_ERR_CERT_NOT_YET_VALID &&
	    clock_unsure(SETUP_OUT "/" SETUP_CLOCK_MARK)) {
		X509_STORE_CTX_set_error(x, X509_V_OK);
		return 1;
	}
	return ok;
}

/* The cluster CA from [trust]: a file, or the config's own PEM block. */
static int load_ca(SSL_CTX *ctx, const struct nodeconf *c, char *err, size_t errsz)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_INFO) *infos;
	BIO *b;
	int i, n = 0;

	if (c->ca_file[0] != '\0') {
		if (SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1)
			return err_fail(err, errsz, "[trust] ca-file %s: not readable PEM certificates", c->ca_file);
		return 0;
	}
	b = BIO_new_mem_buf(c->ca_pem, -1);
	infos = b != NULL ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	for (i = 0; infos != NULL && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *x = sk_X509_INFO_value(infos, i);

		if (x->x509 != NULL && X509_STORE_add_cert(store, x->x509) == 1)
			n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	return n > 0 ? 0 : err_fail(err, errsz, "[trust] ca: no certificate could be used");
}

static int listen_on(const char *addr, char *err, size_t errsz, int *port_out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[64];
	const char *colon = strrchr(addr, ':');
	int fd, one = 1, zero = 0, port = atoi(colon + 1);
	size_t n = (size_t)(colon - addr);

	memset(&ss, 0, sizeof ss);
	if (addr[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)(n - 2), addr + 1);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		sl = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		snprintf(host, sizeof host, "%.*s", (int)n, addr);
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
		sl = sizeof *s4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_fail(err, errsz, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);	/* [::] takes IPv4 too */
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		err_fail(err, errsz, "%s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * api_serve: listen on the config's [api] address and answer until
 * SIGTERM.  Returns 0 then, or -errno with err set when it cannot start
 * (a certificate, key or CA that does not load, an address in use).
 */
int api_serve(const struct api_opts *o, char *err, size_t errsz)
{
	const struct nodeconf *c = o->conf;
	struct sigaction sa = { .sa_handler = on_term };
	struct timeval tv = { IO_SECONDS + 5, 0 };	/* the alarm bounds the whole; this, each write */
	SSL_CTX *ctx;
	int lfd, port = 0, rc = 0;

	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		return err_fail(err, errsz, "TLS: out of memory");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	/* No resumption: every connection shows its certificate, checked
	 * again (an expired or revoked client is not let back in by a
	 * ticket).  The context id keeps OpenSSL from refusing a client that
	 * offers a session anyway. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"cairn-agent", 11);
	if ((long long)time(NULL) < CAIRN_BUILD_EPOCH)
		X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx), (time_t)CAIRN_BUILD_EPOCH);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->api_cert) != 1)
		rc = err_fail(err, errsz, "[api] cert-file %s: not a readable PEM certificate", c->api_cert);
	else if (SSL_CTX_use_PrivateKey_file(ctx, c->api_key, SSL_FILETYPE_PEM) != 1)
		rc = err_fail(err, errsz, "[api] key-file %s: not a readable PEM private key", c->api_key);
	else if (SSL_CTX_check_private_key(ctx) != 1)
		rc = err_fail(err, errsz, "[api] key-file %s: not the key of %s", c->api_key, c->api_cert);
	else
		rc = load_ca(ctx, c, err, errsz);
	if (rc < 0) {
		SSL_CTX_free(ctx);
		return rc;
	}
	lfd = listen_on(c->api_listen, err, errsz, &port);
	if (lfd < 0) {
		SSL_CTX_free(ctx);
		return -EADDRINUSE;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: a read in progress is cut */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(o->log, "api: listening on %s (port %d); clients need a certificate from the [trust] CA\n",
		c->api_listen, port);
	fflush(o->log);
	if (o->notify >= 0) {
		(void)!write(o->notify, "\n", 1);
		close(o->notify);
	}
	while (!stopping) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof peer;
		char who[80];
		int fd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);

		if (fd < 0)
			continue;	/* EINTR on SIGTERM; the rest are the client's */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		peer_text(&peer, who, sizeof who);
		serve_one(o, ctx, fd, who);
		close(fd);
	}
	close(lfd);
	SSL_CTX_free(ctx);
	return 0;
}
