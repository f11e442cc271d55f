/* SPDX-License-Identifier: LGPL-2.0-or-later
 * unit-main.h: the main() every unit test shares: run one check suite,
 * report as TAP on stdout (meson's protocol 'tap'), exit 1 on failure. */
#pragma once

#include <check.h>
#include <stdlib.h>

static inline int
unit_run_suite (Suite *suite)
{
  SRunner *sr = srunner_create (suite);
  int failed;

  srunner_set_tap (sr, "-");
  srunner_run_all (sr, CK_SILENT);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
