/* osstate.h: what pkg and the agent keep on /var about the OS's slots
 * (doc/update.md): the update in flight, the one written and waiting for
 * its first boot, what its tried boots found, the last rollback, and a
 * log of all of it. */
#ifndef CAIRN_OSSTATE_H
#define CAIRN_OSSTATE_H

#include <stddef.h>

#define OS_STATE_DIR "/var/lib/cairn/os"
#define OS_HOLD_FILE OS_STATE_DIR "/hold"	/* a rollback not yet acknowledged: the health check "os" fails */
#define OS_VERSION_MAX 64
/* The last line of an update the agent's API ran ("ok" or "failed" after it): cairnctl update waits for it. */
#define OS_UPDATE_END "cairn: os-update ended:"

/* An update written to a slot (the file `pending`), or being written (`update`). */
struct os_pending {
	char slot;
	char version[OS_VERSION_MAX];
	int tries;
};

int osstate_log(int statefd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int osstate_append(int statefd, const char *file, const char *line, size_t len);
int osstate_put(int statefd, const char *file, const struct os_pending *p);
int osstate_get(int statefd, const char *file, struct os_pending *p);
int osrel_get(const char *path, const char *key, char *value, size_t size);
int os_slot_running(const char *cmdline_path, char *slot);

#endif
