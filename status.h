/* SPDX-License-Identifier: LGPL-2.0-or-later
 * status.h: the --info-fd and --json-status-fd documents and the mapping
 * from a wait status to bwrap's exit code.  Formatting is pure; writing
 * runs in the monitor process (outside the sandbox, no capabilities). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum status_ns
{
  STATUS_NS_CGROUP,
  STATUS_NS_IPC,
  STATUS_NS_MNT,
  STATUS_NS_NET,
  STATUS_NS_PID,
  STATUS_NS_UTS,
  STATUS_NS_COUNT,
};

/* Inode numbers of pid's namespaces that clone_flags created (0: absent
 * or unreadable). */
void status_read_ns_ids (pid_t pid, int clone_flags, uint64_t ids[STATUS_NS_COUNT]);

/* The start document: pretty (info-fd, 4-space indent, one key a line) or
 * one line (json-status-fd).  malloc'd, newline-terminated. */
char *status_format_start (pid_t child_pid, const uint64_t ids[STATUS_NS_COUNT], bool pretty);

/* "{ \"exit-code\": N }\n", malloc'd. */
char *status_format_exit (int exit_code);

/* bwrap's exit code for a wait status: n for exit(n), 128+n for a signal,
 * 255 otherwise. */
int status_exit_code (int wait_status);
