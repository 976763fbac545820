/* httpreq.h: one HTTP/1.x request head, read from an untrusted client. */
#ifndef CAIRN_HTTPREQ_H
#define CAIRN_HTTPREQ_H

#include <stddef.h>

#define HTTP_HEAD_MAX 8192		/* a longer head is refused */
#define HTTP_HEADERS_MAX 64
#define HTTP_TARGET_MAX 256

struct http_req {
	char method[8];			/* GET, POST... upper case */
	char path[HTTP_TARGET_MAX];	/* the target up to '?' */
	char query[HTTP_TARGET_MAX];	/* after '?', "" when none */
	unsigned long long content_length;
	size_t head_len;		/* bytes of the head, CRLF CRLF included */
};

int http_parse(const char *buf, size_t len, struct http_req *r, const char **why);
int http_query(const char *query, const char *key, char *value, size_t size);

#endif
