/* nodeconf_check.c: what a node config value may be: host names, paths,
 * addresses, tokens.  Each nc_check_* says what is wrong in the words that
 * follow "key: 'VALUE'" in the parser's message, or NULL for a good value. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf/nodeconf_keys.h"
#include "text.h"

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"

int nc_all_of(const char *s, const char *set)
{
	return *s != '\0' && strspn(s, set) == strlen(s);
}

/* hostname: one RFC 1123 label, lower case. */
int nc_label_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && nc_all_of(s, LOWER_DIGITS "-") && s[0] != '-' && s[n - 1] != '-';
}

/* host: a DNS name (labels of letters, digits and '-') or an IP address. */
int nc_host_ok(const char *s)
{
	unsigned char a[16];
	char label[64];
	const char *dot;

	if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
		return 1;
	if (strlen(s) >= NC_HOST || *s == '\0')
		return 0;
	for (; *s != '\0'; s = *dot ? dot + 1 : dot) {
		dot = strchrnul(s, '.');
		if ((size_t)(dot - s) >= sizeof(label))
			return 0;
		memcpy(label, s, (size_t)(dot - s));
		label[dot - s] = '\0';
		for (char *c = label; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		if (!nc_label_ok(label, 63))
			return 0;
	}
	return 1;
}

int nc_ifname_ok(const char *s)
{
	return strlen(s) < NC_IFNAME && nc_all_of(s, LOWER_DIGITS "_.-") && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

/* path_ok: absolute, no '..' component. */
int nc_path_ok(const char *s)
{
	size_t n = strlen(s);

	return s[0] == '/' && n < NC_PATH && strstr(s, "/../") == NULL &&
	       !(n >= 3 && strcmp(s + n - 3, "/..") == 0);
}

/* addr_ok: ADDRESS/PREFIX, v4 or v6. */
static int addr_ok(const char *v)
{
	char a[50];
	unsigned char bin[16];
	unsigned long long prefix;
	const char *slash = strchr(v, '/');
	int family;

	if (slash == NULL || (size_t)(slash - v) >= sizeof(a))
		return 0;
	memcpy(a, v, (size_t)(slash - v));
	a[slash - v] = '\0';
	if (inet_pton(AF_INET, a, bin) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, a, bin) == 1)
		family = 6;
	else
		return 0;
	return text_uint(slash + 1, family == 4 ? 32 : 128, &prefix) == 0;
}

/* The two digits at S as a number; -1 when they are not two digits. */
static int two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "HH:MM-HH:MM" into minutes of the day; the two differ. */
int nc_window_parse(const char *v, int *start, int *end)
{
	int h1, m1, h2, m2;

	if (strlen(v) != 11 || v[2] != ':' || v[5] != '-' || v[8] != ':')
		return -1;
	h1 = two_digits(v);
	m1 = two_digits(v + 3);
	h2 = two_digits(v + 6);
	m2 = two_digits(v + 9);
	if (h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0 || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 ||
	    h1 * 60 + m1 == h2 * 60 + m2)
		return -1;
	*start = h1 * 60 + m1;
	*end = h2 * 60 + m2;
	return 0;
}

static int token_ok(const char *v)
{
	return strlen(v) == 23 && v[6] == '.' && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") == 6 &&
	       strspn(v + 7, "abcdefghijklmnopqrstuvwxyz0123456789") == 16;
}

/* controller: HOST or HOST:PORT ([v6]:PORT). */
static int hostport_ok(const char *v)
{
	char h[NC_HOST];
	const char *colon = strrchr(v, ':');
	unsigned long long port;
	unsigned char bin[16];

	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || (size_t)(close - v - 1) >= sizeof(h))
			return 0;
		memcpy(h, v + 1, (size_t)(close - v - 1));
		h[close - v - 1] = '\0';
		if (inet_pton(AF_INET6, h, bin) != 1)
			return 0;
		return close[1] == '\0' ||
		       (close[1] == ':' && text_uint(close + 2, 65535, &port) == 0 && port > 0);
	}
	if (colon == NULL || inet_pton(AF_INET6, v, bin) == 1)
		return nc_host_ok(v);
	if ((size_t)(colon - v) >= sizeof(h))
		return 0;
	memcpy(h, v, (size_t)(colon - v));
	h[colon - v] = '\0';
	return nc_host_ok(h) && text_uint(colon + 1, 65535, &port) == 0 && port > 0;
}

/* listen: a numeric address and a port, 10.0.0.5:7443 or [::]:7443. */
static int listen_ok(const char *v)
{
	char h[64];
	const char *colon = strrchr(v, ':');
	unsigned long long port;
	unsigned char bin[16];
	size_t n;

	if (colon == NULL || text_uint(colon + 1, 65535, &port) < 0)
		return 0;	/* port 0: any free one, said in the log (tests) */
	n = (size_t)(colon - v);
	if (v[0] == '[') {
		if (n < 2 || v[n - 1] != ']' || n - 2 >= sizeof(h))
			return 0;
		memcpy(h, v + 1, n - 2);
		h[n - 2] = '\0';
		return inet_pton(AF_INET6, h, bin) == 1;
	}
	if (n >= sizeof(h))
		return 0;
	memcpy(h, v, n);
	h[n] = '\0';
	return inet_pton(AF_INET, h, bin) == 1;
}

int nc_pem_ok(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int n = 0;

	if (b == NULL)
		return 0;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	BIO_free(b);
	return n;
}

const char *nc_check_hostname(char *v)
{
	return nc_label_ok(v, 63) ? NULL : ": letters a-z, digits and '-', up to 63";
}

const char *nc_check_ifname(char *v)
{
	return nc_ifname_ok(v) ? NULL : " is not an interface name";
}

const char *nc_check_path(char *v)
{
	return nc_path_ok(v) ? NULL : " is not an absolute path";
}

const char *nc_check_address(char *v)
{
	return addr_ok(v) ? NULL : " is not ADDRESS/PREFIX (10.0.0.5/24, fd00::5/64)";
}

const char *nc_check_ip(char *v)
{
	unsigned char bin[16];

	return inet_pton(AF_INET, v, bin) == 1 || inet_pton(AF_INET6, v, bin) == 1 ? NULL
										    : " is not an IP address";
}

const char *nc_check_domain(char *v)
{
	return nc_host_ok(v) ? NULL : " is not a domain name";
}

const char *nc_check_host(char *v)
{
	return nc_host_ok(v) ? NULL : " is not a host name or address";
}

const char *nc_check_hostport(char *v)
{
	return hostport_ok(v) ? NULL : " is not HOST or HOST:PORT";
}

const char *nc_check_features(char *v)
{
	if (!nc_all_of(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,-") || v[0] == ',' ||
	    strstr(v, ",,") != NULL || v[strlen(v) - 1] == ',')
		return " is not NAME[,NAME...] (letters, digits, _ . -)";
	return NULL;
}

const char *nc_check_listen(char *v)
{
	return listen_ok(v) ? NULL : " is not ADDRESS:PORT (10.0.0.5:7443, [::]:7443)";
}

const char *nc_check_repo(char *v)
{
	if ((strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/') && !nc_path_ok(v))
		return " is not an https:// URL or an absolute path";
	if (!nc_all_of(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		       "-._~:/?#[]@!$&'()*+,;=%"))
		return " has a character a URL or path here may not";
	return NULL;
}

/* kubernetes server: the API server's root, a path after it dropped (in V). */
const char *nc_check_kube_server(char *v)
{
	if (strncmp(v, "https://", 8) == 0)
		v[8 + strcspn(v + 8, "/")] = '\0';
	if (strncmp(v, "https://", 8) != 0 || !hostport_ok(v + 8))
		return "'https://HOST[:PORT]', the API server";
	return NULL;
}

/* A secret: the message says what it should be, never what it is. */
const char *nc_check_token(char *v)
{
	return token_ok(v) ? NULL : "not a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}; not shown)";
}
