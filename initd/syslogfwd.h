/* syslogfwd.h: every logged line, as RFC 5424 over UDP, to one remote collector. */
#ifndef CAIRN_INITD_SYSLOGFWD_H
#define CAIRN_INITD_SYSLOGFWD_H

#include <stddef.h>
#include <sys/socket.h>

#include "logfile.h"

#define SYSLOGFWD_HOST_MAX 256		/* RFC 5424 HOSTNAME: 255 and the NUL */
#define SYSLOGFWD_ADDR_MAX 64		/* "[v6 address]:port" as given */
/* header (PRI, TIMESTAMP, HOSTNAME, APP-NAME, dashes) and one line */
#define SYSLOGFWD_PACKET_MAX (SYSLOGFWD_HOST_MAX + LOGFILE_STAMP_MAX + SVC_NAME_MAX + \
			      LOGFILE_LINE_MAX + 32)

struct syslogfwd {
	int fd;
	char host[SYSLOGFWD_HOST_MAX];
	struct logfile_drops drops;
};

int syslogfwd_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len);
int syslogfwd_open(struct syslogfwd *f, const char *spec);
size_t syslogfwd_format(char *buf, size_t size, const char *host, const char *stamp,
			const char *app, const char *line, size_t len);
int syslogfwd_send(struct syslogfwd *f, const char *stamp, const char *app,
		   const char *line, size_t len);
void syslogfwd_close(struct syslogfwd *f);

#endif
