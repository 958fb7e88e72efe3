#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# An ExaBGP API process for the end-to-end tests: every line ExaBGP writes to
# us (one JSON message each: updates, state changes) is appended to the file
# named on the command line, flushed at once so that the test can poll it.
# ExaBGP closes our stdin when it stops; we stop then.
import sys

with open(sys.argv[1], "a", encoding="utf-8") as out:
    for line in sys.stdin:
        out.write(line)
        out.flush()
