/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/report.h: one change as a line of `status` (and of `apply`,
 * which reports what it did the same way): "X path" with git's quoting,
 * "X path" NUL-terminated and unquoted (-z), or one JSON object
 * (--json).  Pure; runs in bwrap-changes' process. */
#pragma once

#include "entry.h"
#include "text.h"

enum report_format
{
  REPORT_TEXT,
  REPORT_NUL,
  REPORT_JSON,
};

/* Append c's line, with its terminator ('\n', or '\0' for REPORT_NUL).
 * JSON fields: path, change, type, old_type (type-changed), size
 * (regular files), mode (four octal digits), old_mode (a mode change),
 * what (modified), path_base64 (a path that is not UTF-8). */
void report_change (struct sbuf *b, const struct change *c, enum report_format format);
