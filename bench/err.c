// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "bench/err.h"

static __thread char msg[512];

int fl_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return -err;
}

const char *fl_errmsg(void)
{
	return msg[0] ? msg : "unknown error";
}

void fl_clear_error(void)
{
	msg[0] = '\0';
}
