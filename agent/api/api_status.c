/*
 * api_status.c: GET /v1/status, the one answer a fleet tool needs of a
 * node (cairnctl status): its name, OS version and slot, the update it
 * holds (being written, staged, armed or on trial), a rollback held,
 * health with the checks that failed, GPUs seen and expected, an
 * operator's drain, uptime, the cluster profile, the last line of the OS
 * log and of what the last update started through the API said (its
 * last line "cairn: os-update ended: ..." once it has).  One request a node, so a thousand nodes
 * cost a thousand requests.  What needs root (the health checks) is the
 * helper's; the rest is read here from files any user may read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_priv.h"
#include "api/api_routes.h"
#include "fileio.h"
#include "health/health.h"
#include "health/inventory.h"
#include "osstate.h"

/* FILE under the root: its first line, or JSON null when there is no FILE. */
static json_t *first_line(const struct api_conn *c, const char *file)
{
	char path[512], text[512];
	size_t len = 0;
	json_t *j;

	snprintf(path, sizeof path, "%s%s", c->o->root, file);
	if (file_read_head(path, text, sizeof text, &len) < 0)
		return json_null();
	text[strcspn(text, "\n")] = '\0';
	j = json_string(text);
	return j != NULL ? j : json_string("(not UTF-8)");
}

/* FILE's last line (of its last 4 KiB), or JSON null. */
static json_t *last_line(const struct api_conn *c, const char *file)
{
	char path[512], text[4096], *start;
	size_t len = 0;
	json_t *j;

	snprintf(path, sizeof path, "%s%s", c->o->root, file);
	if (file_read_tail(path, text, sizeof text, &len) < 0)
		return json_null();
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	start = strrchr(text, '\n');
	start = start != NULL ? start + 1 : text;
	if (*start == '\0')
		return json_null();
	start[strlen(start) > 512 ? 512 : strlen(start)] = '\0';
	j = json_string(start);
	return j != NULL ? j : json_string("(not UTF-8)");
}

/*
 * The update this node holds, as the OS state files say: "writing" (cut
 * off, or being written), "staged" (os reboot starts it), "armed" (it
 * boots next), "trial" (it runs, not yet good); null for none.
 */
static json_t *update_of(const struct api_conn *c, char running)
{
	static const char *const files[] = { "update", "staged", "pending" };
	char path[512];
	struct os_pending p;
	const char *state;
	size_t i;
	int fd;

	snprintf(path, sizeof path, "%s%s", c->o->root, OS_STATE_DIR);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return json_null();
	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		if (osstate_get(fd, files[i], &p) == 0)
			break;
	close(fd);
	if (i == sizeof files / sizeof files[0])
		return json_null();
	state = i == 0 ? "writing" : i == 1 ? "staged" : p.slot == running ? "trial" : "armed";
	return json_pack("{s:s, s:s, s:s#, s:i}", "state", state, "version", p.version, "slot", &p.slot, 1,
			 "tries", p.tries);
}

static json_t *uptime(const struct api_conn *c)
{
	char path[512], text[64], *end;
	size_t len = 0;
	double up;

	snprintf(path, sizeof path, "%s/proc/uptime", c->o->root);
	if (file_read(path, text, sizeof text, &len) < 0)
		return json_null();
	text[len < sizeof text ? len : sizeof text - 1] = '\0';
	up = strtod(text, &end);
	if (end == text || up < 0 || up > 1e12)
		return json_null();
	return json_integer((json_int_t)up);
}

int route_status(const struct api_conn *c, const struct http_req *r, struct reply *out)
{
	static struct health h;
	static struct inventory inv;
	char path[512], version[OS_VERSION_MAX], host[64], slot = 0;
	const struct nodeconf *conf = c->o->conf;
	json_t *failed, *top;
	struct perr e;
	int i, seen = -1;

	(void)r;
	if (route_health(c, &h, out) < 0)
		return 0;
	failed = json_array();
	for (i = 0; i < h.n; i++)
		if (h.checks[i].ok == 0)
			json_array_append_new(failed, json_pack("{s:s, s:s}", "name", h.checks[i].name, "detail",
								h.checks[i].detail));
	if (inventory_read(c->o->root, &inv, &e) == 0)
		seen = inv.ngpus;
	snprintf(path, sizeof path, "%s/etc/os-release", c->o->root);
	if (osrel_get(path, "IMAGE_VERSION", version, sizeof version) < 0)
		snprintf(version, sizeof version, "?");
	snprintf(path, sizeof path, "%s/proc/cmdline", c->o->root);
	if (os_slot_running(path, &slot) < 0)
		slot = 0;
	if (conf != NULL && conf->hostname[0] != '\0' && strcmp(conf->hostname, "auto") != 0)
		snprintf(host, sizeof host, "%s", conf->hostname);
	else if (gethostname(host, sizeof host - 1) < 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	top = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:{s:o, s:o}, s:o, s:o, s:o, s:o}",
			"node", host, "version", version,
			"profile", conf != NULL ? nodeconf_profile_name(conf->profile) : "standalone",
			"slot", slot != 0 ? json_stringn(&slot, 1) : json_null(),
			"update", update_of(c, slot),
			"held", first_line(c, OS_HOLD_FILE),
			"healthy", h.healthy, "failed", failed,
			"gpus", "seen", seen >= 0 ? json_integer(seen) : json_null(),
			"expected", conf != NULL && conf->gpu_count > 0 ? json_integer(conf->gpu_count) : json_null(),
			"drained", first_line(c, API_DRAIN_FILE),
			"uptime_s", uptime(c),
			"os_log", last_line(c, OS_STATE_DIR "/log"),
			"os_update_said", last_line(c, API_OS_UPDATE_OUT));
	return route_json(out, top);
}
