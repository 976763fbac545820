/* nvsmi.h: live NVIDIA GPU figures, from nvidia-smi's query interface. */
#ifndef CAIRN_NVSMI_H
#define CAIRN_NVSMI_H

#include <stddef.h>

#define NVSMI_UUID 80

/* Each figure is NAN when the GPU or driver does not give it. */
struct gpu_live {
	int index;			/* nvidia-smi's (and NVML's) */
	char uuid[NVSMI_UUID];
	char bus_id[24];		/* 00000000:3B:00.0 */
	double temp_c, power_w, mem_used_mib, mem_total_mib, util_pct;
	double ecc_uncorrected;		/* volatile: since the driver loaded */
	double remap_correctable, remap_uncorrectable, remap_pending, remap_failure;
};

extern const char NVSMI_GPU_QUERY[], NVSMI_REMAP_QUERY[];

int nvsmi_parse_gpus(const char *text, size_t len, struct gpu_live *g, int max, int *n);
int nvsmi_parse_remap(const char *text, size_t len, struct gpu_live *g, int n);
void nvsmi_bus_id(const char *pci, char *out, size_t size);
int nvsmi_read(const char *nvsmi, struct gpu_live *g, int max, int *n, char *err, size_t errsz);

#endif
