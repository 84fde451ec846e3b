// SPDX-License-Identifier: GPL-2.0
/* Google Benchmark's JSON report read back, line by line: see gbench_read.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/measure/gbench_read.h"

/* The string value of `"key": "value",` into out; false if line is not that key. */
static bool string_member(const char *line, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key), n = 0;
	const char *p;

	if (line[0] != '"' || strncmp(line + 1, key, klen) || strncmp(line + 1 + klen, "\": \"", 4))
		return false;
	for (p = line + klen + 5; *p && *p != '"' && n + 1 < len; p++) {
		if (*p == '\\' && p[1])
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
	return true;
}

static bool number_member(const char *line, const char *key, double *out)
{
	size_t klen = strlen(key);

	if (line[0] != '"' || strncmp(line + 1, key, klen) || strncmp(line + 1 + klen, "\": ", 3))
		return false;
	*out = strtod(line + klen + 4, NULL);
	return true;
}

int fl_gb_read_iterations(const char *json, fl_gb_entry_fn fn, void *arg)
{
	struct fl_gb_entry e = { 0 };
	char type[32] = "", line[1024];
	bool in_benchmarks = false;
	int n = 0;

	while (json && *json) {
		size_t len = strcspn(json, "\n");
		const char *t;

		snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1),
			 json);
		json += len + (json[len] == '\n');
		t = line + strspn(line, " \t");
		if (!strncmp(t, "\"benchmarks\": [", 15)) {
			in_benchmarks = true;
		} else if (!in_benchmarks) {
			continue;
		} else if (t[0] == '{') {
			memset(&e, 0, sizeof(e));
			type[0] = '\0';
		} else if (t[0] == '}') {
			if (!strcmp(type, "iteration") && e.run_name[0]) {
				fn(&e, arg);
				n++;
			}
			type[0] = '\0';
		} else if (t[0] == ']') {
			in_benchmarks = false;
		} else if (!string_member(t, "run_name", e.run_name, sizeof(e.run_name)) &&
			   !string_member(t, "run_type", type, sizeof(type)) &&
			   !string_member(t, "time_unit", e.time_unit, sizeof(e.time_unit)) &&
			   !number_member(t, "real_time", &e.real_time)) {
			number_member(t, "cpu_time", &e.cpu_time);
		}
	}
	return n;
}
