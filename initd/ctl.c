/* ctl.c: parse one control request.  Everything in it comes from outside
 * PID 1, so every byte is checked before it is used. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

enum { NAME_NONE, NAME_OPTIONAL, NAME_REQUIRED };

static const struct {
	const char *word;
	int name;
} verbs[] = {
	[CTL_STATUS] = { "status", NAME_OPTIONAL },
	[CTL_START] = { "start", NAME_REQUIRED },
	[CTL_STOP] = { "stop", NAME_REQUIRED },
	[CTL_RESTART] = { "restart", NAME_REQUIRED },
	[CTL_LOG] = { "log", NAME_REQUIRED },
	[CTL_RELOAD] = { "reload", NAME_NONE },
	[CTL_TIMELINE] = { "timeline", NAME_NONE },
	[CTL_POWEROFF] = { "poweroff", NAME_NONE },
	[CTL_REBOOT] = { "reboot", NAME_NONE },
	[CTL_HALT] = { "halt", NAME_NONE },
};

const char *ctl_verb_name(enum ctl_verb verb)
{
	return (unsigned)verb < sizeof verbs / sizeof verbs[0] ? verbs[verb].word : "?";
}

/*
 * ctl_parse: "VERB" or "VERB NAME", one optional trailing newline.
 * Returns 0, or -EINVAL with the reason in err.
 */
int ctl_parse(const char *buf, size_t len, struct ctl_req *req, char *err, size_t errsize)
{
	char text[CTL_REQ_MAX + 1], *sp, *name = NULL;
	size_t i;

	memset(req, 0, sizeof *req);
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0) {
		snprintf(err, errsize, "empty request");
		return -EINVAL;
	}
	if (len > CTL_REQ_MAX) {
		snprintf(err, errsize, "request longer than %d bytes", CTL_REQ_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x21 && c != ' ') {
			snprintf(err, errsize, "request has a control byte (0x%02x) at %zu", c, i);
			return -EINVAL;
		}
		if (c >= 0x7f) {
			snprintf(err, errsize, "request is not ASCII (byte %zu)", i);
			return -EINVAL;
		}
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	sp = strchr(text, ' ');
	if (sp != NULL) {
		*sp = '\0';
		name = sp + 1;
		if (strchr(name, ' ') != NULL || *name == '\0') {
			snprintf(err, errsize, "'%s' takes at most one name, separated by one space",
				 text);
			return -EINVAL;
		}
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(text, verbs[i].word) == 0)
			break;
	if (i == sizeof verbs / sizeof verbs[0]) {
		snprintf(err, errsize, "unknown request '%.32s'", text);
		return -EINVAL;
	}
	req->verb = (enum ctl_verb)i;
	if (name == NULL && verbs[i].name == NAME_REQUIRED) {
		snprintf(err, errsize, "'%s' needs a service name", text);
		return -EINVAL;
	}
	if (name != NULL && verbs[i].name == NAME_NONE) {
		snprintf(err, errsize, "'%s' takes no name", text);
		return -EINVAL;
	}
	if (name != NULL) {
		if (!svc_name_ok(name)) {
			snprintf(err, errsize, "'%.40s' is not a service name", name);
			return -EINVAL;
		}
		memcpy(req->name, name, strlen(name) + 1);
	}
	return 0;
}
