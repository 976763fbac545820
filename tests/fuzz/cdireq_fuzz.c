/* cdireq_fuzz.c: a container's config.json as cairn-runtime reads its
 * device requests (cdi_requests), with the node's switch off and on: a
 * container containerd's CRI made never gets a name through, the switch
 * off never lets CDI_DEVICES through, and a refusal's message carries
 * nothing of the container's that could break a log line. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char names[64][CDI_NAME_MAX], others[64][CDI_NAME_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CDI_ERR_MAX];
	json_t *config = json_loadb((const char *)data, size, 0, NULL);
	size_t n, i;
	int on, rc, cri;

	if (config == NULL)
		return 0;
	cri = json_object_get(json_object_get(config, "annotations"), CDI_CRI_MARK) != NULL;
	for (on = 0; on <= 1; on++) {
		err[0] = '\0';
		rc = cdi_requests(config, on, names, 64, &n, err, sizeof(err));
		if (rc == 0 && cri && n > 0)
			abort();
		if (rc == -EPERM) {
			if (err[0] == '\0')
				abort();
			for (i = 0; err[i] != '\0'; i++)
				if ((unsigned char)err[i] < 0x20 || err[i] == '"' || err[i] == '\\')
					abort();
		}
		for (i = 0; rc == 0 && i < n; i++)
			if (names[i][0] == '\0' || strlen(names[i]) >= CDI_NAME_MAX)
				abort();
		/* the switch off: the same names as with no environment at all */
		if (rc == 0 && !on) {
			json_t *bare = json_deep_copy(config);
			size_t bare_n = 0;

			if (bare == NULL)
				abort();
			json_object_del(bare, "process");
			if (cdi_requests(bare, 1, others, 64, &bare_n, err, sizeof(err)) != 0 || bare_n != n)
				abort();
			json_decref(bare);
		}
	}
	json_decref(config);
	return 0;
}
