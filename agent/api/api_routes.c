/*
 * api_routes.c: the control API's endpoints (doc/cairn-agent.md, API),
 * run on the unprivileged network side for a client whose certificate
 * has been checked.  What a client may do is its role, named by its
 * certificate's OU: `cairn-monitor` reads (inventory, health, metrics,
 * services, the OS's slots), `cairn-operator` also reads logs, the
 * kernel log and the support bundle, drains, reboots and updates.  Any
 * other certificate may do nothing.  What needs root is asked of the
 * privileged helper (api_priv.c); the routes format what it answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api_priv.h"
#include "api/api_routes.h"
#include "fileio.h"
#include "health/health.h"
#include "health/inventory.h"
#include "health/metrics.h"
#include "nvsmi.h"
#include "runcap.h"

struct route {
	const char *method, *path;
	enum role need;
	int (*run)(const struct api_conn *c, const struct http_req *r, struct reply *out);
};

static const char *const role_names[] = { "none", "cairn-monitor", "cairn-operator" };

/* route_json: O (taken) as OUT's JSON body; -ENOMEM. */
int route_json(struct reply *out, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;

	json_decref(o);
	if (text == NULL)
		return -ENOMEM;
	free(out->body);
	out->status = 200;
	out->type = "application/json";
	out->body = text;
	out->len = strlen(text);
	return 0;
}

/* The helper's answer to OP with ARG, as it is. */
static int ask(const struct api_conn *c, enum priv_op op, const char *arg, struct reply *out)
{
	struct priv_req q;

	memset(&q, 0, sizeof q);
	q.op = op;
	snprintf(q.arg, sizeof q.arg, "%s", arg);
	snprintf(q.who, sizeof q.who, "%s", c->who);
	return priv_call(c->priv, &q, out);
}

/* route_health: the health checks, run by the helper as root; 0 with H,
 * or OUT holds the reply that says why not. */
int route_health(const struct api_conn *c, struct health *h, struct reply *out)
{
	int i, rc = ask(c, PRIV_HEALTH, "", out);

	if (rc < 0 || out->status != 200)
		return -EIO;
	if (out->len != sizeof *h) {
		reply_text(out, 502, "the API's helper answered health with %zu bytes, not %zu\n", out->len, sizeof *h);
		return -EIO;
	}
	memcpy(h, out->body, sizeof *h);
	reply_free(out);
	out->status = 0;
	/* Read as it is written, but bounded all the same. */
	if (h->n < 0 || h->n > HEALTH_MAX)
		h->n = 0;
	for (i = 0; i < h->n; i++) {
		h->checks[i].name[sizeof h->checks[i].name - 1] = '\0';
		h->checks[i].detail[sizeof h->checks[i].detail - 1] = '\0';
	}
	if (h->nlive > GPU_MAX)
		h->nlive = -1;
	return 0;
}

static int get_health(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	static struct health h;
	json_t *checks, *top;
	int i;

	(void)r;
	if (route_health(c, &h, out) < 0)
		return 0;
	checks = json_array();
	for (i = 0; i < h.n; i++) {
		const char *st = h.checks[i].ok > 0 ? "ok" : h.checks[i].ok == 0 ? "fail" : "skip";

		json_array_append_new(checks, json_pack("{s:s, s:s, s:s}", "name", h.checks[i].name, "status", st,
							"detail", h.checks[i].detail));
	}
	top = json_pack("{s:b, s:o}", "healthy", h.healthy, "checks", checks);
	return route_json(out, top);
}

static int get_inventory(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	static struct inventory inv;
	static struct gpu_live live[GPU_MAX];
	struct perr e;
	char err[512];
	json_t *top;
	int nlive = 0;

	(void)r;
	if (inventory_read(c->o->root, &inv, &e) < 0)
		return reply_text(out, 500, "inventory: %s\n", e.msg);
	top = inventory_json(&inv);
	if (top != NULL && inv.ngpus > 0 && nvsmi_read("nvidia-smi", live, GPU_MAX, &nlive, err, sizeof err) == 0)
		inventory_add_live(top, live, nlive);
	return route_json(out, top);
}

static int get_metrics(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	static struct inventory inv;
	static struct health h;
	struct xid x[XID_MAX];
	struct reply kmsg = { 0, NULL, NULL, 0, NULL };
	struct perr e;
	size_t nx = 0;
	FILE *f;
	int rc;

	(void)r;
	if (inventory_read(c->o->root, &inv, &e) < 0)
		return reply_text(out, 500, "inventory: %s\n", e.msg);
	if (route_health(c, &h, out) < 0)
		return 0;
	/* The Xids from the kernel log, parsed here rather than by root. */
	if (ask(c, PRIV_KMSG, "", &kmsg) == 0 && kmsg.status == 200)
		xid_scan(kmsg.body, kmsg.len, x, XID_MAX, &nx);
	reply_free(&kmsg);
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

static int get_services(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	(void)r;
	return ask(c, PRIV_SERVICES, "", out);
}

/* ?service=NAME; the helper checks the name. */
static int get_logs(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	char name[PRIV_ARG_MAX];

	if (http_query(r->query, "service", name, sizeof name) < 0)
		name[0] = '\0';
	return ask(c, PRIV_LOG, name, out);
}

static int get_kmsg(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	(void)r;
	return ask(c, PRIV_KMSG, "", out);
}

/* One file of the bundle: dir/name holding len bytes of data. */
static int bundle_put(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return file_write_atomic(path, data, len, 0600);
}

/* Each service's log into DIR/logs: the first word of each `initctl
 * status` line names one. */
static int bundle_logs(const struct api_conn *c, const char *dir, char *services)
{
	char logs[300], *line, *save = NULL;
	int rc = 0;

	snprintf(logs, sizeof logs, "%s/logs", dir);
	if (mkdir(logs, 0700) < 0)
		return -errno;
	for (line = strtok_r(services, "\n", &save); line != NULL && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		struct reply part = { 0, NULL, NULL, 0, NULL };
		char name[64], file[80];

		if (sscanf(line, "%63s", name) != 1 || !priv_name_ok(name))
			continue;
		if (ask(c, PRIV_LOG, name, &part) == 0 && part.status == 200) {
			snprintf(file, sizeof file, "%s.log", name);
			rc = bundle_put(logs, file, part.body, part.len);
		}
		reply_free(&part);
	}
	return rc;
}

/*
 * The support bundle: one tar.gz of the inventory, health, services,
 * every service's log, the kernel log, and the config as `config show`
 * gives it (no secret: the network side never held them).  Built in a
 * private directory of the network side's, removed when sent.
 */
static int get_bundle(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	static const struct {
		const char *name;
		int (*run)(const struct api_conn *, const struct http_req *, struct reply *);
	} parts[] = {
		{ "inventory.json", get_inventory }, { "health.json", get_health },
		{ "services.txt", get_services }, { "kernel.log", get_kmsg },
	};
	char dir[256], host[64] = "node", stamp[32], *tar[] = { (char *)"tar", (char *)"-czf", (char *)"-",
								  (char *)"-C", dir, (char *)".", NULL };
	char *argv_rm[] = { (char *)"rm", (char *)"-rf", dir, NULL }, *services = NULL, *text = NULL;
	static char disposition[160];
	struct reply part;
	size_t i, len;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/support.XXXXXX", c->o->scratch);
	if (mkdtemp(dir) == NULL)
		return reply_text(out, 500, "support bundle: %s: %s\n", c->o->scratch, strerror(errno));
	for (i = 0; i < sizeof parts / sizeof parts[0] && rc == 0; i++) {
		memset(&part, 0, sizeof part);
		rc = parts[i].run(c, r, &part);
		if (rc == 0 && part.body != NULL)
			rc = bundle_put(dir, parts[i].name, part.body, part.len);
		if (parts[i].run == get_services && part.status == 200)
			services = part.body, part.body = NULL;
		reply_free(&part);
	}
	if (rc == 0 && c->o->conf != NULL) {
		f = open_memstream(&text, &len);
		if (f == NULL || nodeconf_show(c->o->conf, f) < 0 || fclose(f) != 0)
			rc = -ENOMEM;
		else
			rc = bundle_put(dir, "node.conf", text, len);
		free(text);
	}
	if (rc == 0 && services != NULL)
		rc = bundle_logs(c, dir, services);
	free(services);
	if (rc == 0)
		rc = reply_command(out, tar);
	if (run_capture(argv_rm, 4096, API_COMMAND_SECONDS, &text, &len) == 0)
		free(text);
	if (rc < 0)
		return reply_text(out, 500, "support bundle: %s\n", strerror(-rc));
	if (out->status != 200)
		return 0;
	gethostname(host, sizeof host - 1);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(disposition, sizeof disposition, "Content-Disposition: attachment; filename=\"support-%s-%s.tar.gz\"",
		 priv_name_ok(host) ? host : "node", stamp);
	out->type = "application/gzip";
	out->extra = disposition;
	return 0;
}

/* Said first; route_after asks for the reboot once the answer is sent. */
static int post_reboot(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	(void)c;
	(void)r;
	return reply_text(out, 202, "rebooting\n");
}

/*
 * POST /v1/drain?reason=TEXT: the node reports itself unhealthy with the
 * operator's reason (the health check "drain"), so a scheduler's health
 * check (slurm-health) drains it; POST /v1/resume takes it back.
 */
static int post_drain(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	char reason[PRIV_ARG_MAX];

	if (http_query(r->query, "reason", reason, sizeof reason) < 0)
		reason[0] = '\0';
	return ask(c, PRIV_DRAIN, reason, out);
}

static int post_resume(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	(void)r;
	return ask(c, PRIV_RESUME, "", out);
}

static int get_os(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	(void)r;
	return ask(c, PRIV_OS, "", out);
}

/* A yes or no of the query's NAME: 1, 0 (also when absent), or -1. */
static int query_yes(const struct http_req *r, const char *name)
{
	char v[8];

	if (http_query(r->query, name, v, sizeof v) == -ENOENT || strcmp(v, "no") == 0)
		return 0;
	return strcmp(v, "yes") == 0 ? 1 : -1;
}

/*
 * POST /v1/os/update[?repo=URL][&tries=N][&reboot=yes|&stage=yes]: pkg
 * os-update from URL (node.conf [update] repo when not given), which the
 * helper checks and starts in the background; staged, the next POST
 * /v1/reboot (or `cairn-agent os reboot`) starts it.
 */
static int post_os_update(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	char tries[8];
	struct priv_req q;
	int rc, reboot, stage;

	memset(&q, 0, sizeof q);
	q.op = PRIV_OS_UPDATE;
	snprintf(q.who, sizeof q.who, "%s", c->who);
	rc = http_query(r->query, "repo", q.arg, sizeof q.arg);
	if (rc == -ENAMETOOLONG)
		return reply_text(out, 400, "os/update: repo is longer than %zu bytes\n", sizeof q.arg - 1);
	if (http_query(r->query, "tries", tries, sizeof tries) == -ENOENT)
		q.tries = 3;
	else if (tries[0] >= '1' && tries[0] <= '9' && tries[1] == '\0')
		q.tries = (uint32_t)(tries[0] - '0');
	else
		return reply_text(out, 400, "os/update: tries is 1 to 9\n");
	reboot = query_yes(r, "reboot");
	stage = query_yes(r, "stage");
	if (reboot < 0 || stage < 0)
		return reply_text(out, 400, "os/update: reboot and stage are yes or no\n");
	if (reboot && stage)
		return reply_text(out, 400, "os/update: reboot=yes or stage=yes, not both\n");
	q.reboot = reboot ? PRIV_UPDATE_REBOOT : stage ? PRIV_UPDATE_STAGE : PRIV_UPDATE_WRITE;
	return priv_call(c->priv, &q, out);
}

static const struct route routes[] = {
	{ "GET", "/v1/inventory", ROLE_MONITOR, get_inventory },
	{ "GET", "/v1/health", ROLE_MONITOR, get_health },
	{ "GET", "/v1/status", ROLE_MONITOR, route_status },
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

/* route_role: the role a client certificate's OU names; the highest if it names several. */
enum role route_role(X509 *cert)
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

const char *route_role_name(enum role role)
{
	return role_names[role];
}

/*
 * route_answer: OUT for R from a client of ROLE: the route's answer, or
 * 403, 404, 405.  0, or -ENOMEM.
 */
int route_answer(const struct api_conn *c, const struct http_req *r, enum role role, struct reply *out)
{
	const struct route *path_match = NULL;
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(r->path, routes[i].path) != 0)
			continue;
		path_match = &routes[i];
		if (strcmp(r->method, routes[i].method) != 0)
			continue;
		if (role < routes[i].need)
			return reply_text(out, 403, "%s %s needs role %s; this certificate's is %s\n", r->method,
					  r->path, role_names[routes[i].need], role_names[role]);
		return routes[i].run(c, r, out);
	}
	if (path_match != NULL)
		return reply_text(out, 405, "%s: %s only\n", r->path, path_match->method);
	return reply_text(out, 404, "%s: no such endpoint\n", r->path);
}

/* route_after: what follows an answer once it is sent: a reboot said 202. */
void route_after(const struct api_conn *c, const struct http_req *r, const struct reply *sent)
{
	struct reply done = { 0, NULL, NULL, 0, NULL };

	if (sent->status != 202 || strcmp(r->method, "POST") != 0 || strcmp(r->path, "/v1/reboot") != 0)
		return;
	ask(c, PRIV_REBOOT, "", &done);
	reply_free(&done);
}
