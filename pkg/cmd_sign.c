/* cmd_sign.c: `pkg sign --key REF FILE`: a signature added to a root or release document. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "key.h"
#include "text.h"
#include "fileio.h"

static int sign(const char *file, const char *ref)
{
	struct pubkey k;
	struct doc d;
	struct perr e = { "" };
	uint8_t sig[KEY_SIG_MAX];
	char *text, *out, err[256];
	size_t len, siglen;
	int i, rc;

	if (file_read_at(AT_FDCWD, file, DOC_MAX, &text, &len, &e) < 0)
		cmd_fail(&e);
	if (doc_parse(text, len, &d, err, sizeof err) < 0)
		cmd_die(1, "%s: %s", file, err);
	if (key_load_private(ref, &k, &e) < 0)
		cmd_fail(&e);
	for (i = 0; i < d.nsigs; i++)
		if (strcmp(d.sigs[i].id, k.id) == 0)
			cmd_die(1, "%s: already signed by key %.16s...", file, k.id);
	if (key_sign(&k, text, d.signed_len, sig, &siglen) < 0)
		cmd_die(1, "%s: signing with %s failed", file, ref);
	out = malloc(len + 2 * siglen + 96);
	if (out == NULL)
		cmd_die(111, "%s", strerror(ENOMEM));
	memcpy(out, text, len);
	len += (size_t)sprintf(out + len, "signature %s ", k.id);
	text_hex(sig, siglen, out + len);
	len += 2 * siglen;
	out[len++] = '\n';
	rc = file_write_at(AT_FDCWD, file, out, len, 0644);
	if (rc < 0)
		cmd_die(111, "%s: %s", file, strerror(-rc));
	fprintf(stderr, "pkg: %s: signed by %s key %.16s...\n", file, k.alg, k.id);
	key_free(&k);
	doc_free(&d);
	free(text);
	free(out);
	return 0;
}

int cmd_sign(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	const char *ref = NULL;
	struct cmd_args a;
	int c;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1)
		if (c == 'k')
			ref = optarg;
	if (a.n != 1)
		cmd_wrong_args(argv[0]);
	if (ref == NULL)
		cmd_die(100, "sign needs --key REF");
	return sign(argv[1], ref);
}
