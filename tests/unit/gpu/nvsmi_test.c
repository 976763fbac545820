/* nvsmi_test: nvidia-smi's CSV answers read strictly: figures, unknowns
 * ("[N/A]", "[Not Supported]") as unknown, malformed lines refused; row
 * remapping joined by UUID; the health checks on ECC and row remapping. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "nvsmi.h"

static struct gpu_live g[4];

static void test_gpus(void)
{
	static const char two[] =
		"0, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0, 0\n"
		"1, GPU-11111111-2222-3333-4444-555555555555, 00000000:9A:00.0, 71, [N/A], 80000, 143771, 97, "
		"[Not Supported]\n";
	int n;

	CHECK(nvsmi_parse_gpus(two, strlen(two), g, 4, &n) == 0 && n == 2);
	CHECK(g[0].index == 0 && strcmp(g[0].uuid, "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee") == 0);
	CHECK(strcmp(g[0].bus_id, "00000000:3B:00.0") == 0);
	CHECK(g[0].temp_c == 34 && g[0].power_w == 74.35 && g[0].mem_used_mib == 0 && g[0].mem_total_mib == 143771);
	CHECK(g[0].util_pct == 0 && g[0].ecc_uncorrected == 0 && isnan(g[0].remap_pending));
	CHECK(g[1].index == 1 && isnan(g[1].power_w) && g[1].util_pct == 97 && isnan(g[1].ecc_uncorrected));
	CHECK(nvsmi_parse_gpus("", 0, g, 4, &n) == 0 && n == 0);
	CHECK(nvsmi_parse_gpus(two, strlen(two), g, 1, &n) == -E2BIG);
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"0, GPU-aaaa, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0\n",		/* 8 fields */
		"0, GPU-aaaa, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0, 0, 9\n",	/* 10 */
		"0, aaaa, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0, 0\n",		/* no GPU- */
		"x, GPU-aaaa, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0, 0\n",
		"0, GPU-aaaa, 00000000:3B:00.0, -3, 74.35, 0, 143771, 0, 0\n",
		"0, GPU-aaaa, 00000000:3B:00.0, hot, 74.35, 0, 143771, 0, 0\n",
		"0, GPU-aaaa, 3B, 34, 74.35, 0, 143771, 0, 0\n",
		"0, GPU-aaaa, 00000000:3B:00.0, nan, 74.35, 0, 143771, 0, 0\n",
	};
	size_t i;
	int n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(nvsmi_parse_gpus(bad[i], strlen(bad[i]), g, 4, &n) == -EINVAL);
}

static void test_remap(void)
{
	static const char gpus[] =
		"0, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 00000000:3B:00.0, 34, 74.35, 0, 143771, 0, 0\n"
		"1, GPU-11111111-2222-3333-4444-555555555555, 00000000:9A:00.0, 71, 300, 80000, 143771, 97, 2\n";
	static const char remap[] =
		"GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 0, 0, No, No\n"
		"GPU-11111111-2222-3333-4444-555555555555, 3, 1, Yes, 0\n";
	int n;

	CHECK(nvsmi_parse_gpus(gpus, strlen(gpus), g, 4, &n) == 0 && n == 2);
	CHECK(nvsmi_parse_remap(remap, strlen(remap), g, n) == 0);
	CHECK(g[0].remap_pending == 0 && g[0].remap_failure == 0 && g[0].remap_correctable == 0);
	CHECK(g[1].remap_pending == 1 && g[1].remap_failure == 0 && g[1].remap_correctable == 3 &&
	      g[1].remap_uncorrectable == 1);
	CHECK(nvsmi_parse_remap("GPU-aaaa, 0, 0, Maybe, No\n", 26, g, n) == -EINVAL);
	CHECK(nvsmi_parse_remap("GPU-aaaa, 0, 0, No\n", 19, g, n) == -EINVAL);
}

int main(void)
{
	RUN(test_gpus);
	RUN(test_refused);
	RUN(test_remap);
	return CHECK_DONE();
}
