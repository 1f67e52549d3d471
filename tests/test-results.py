#!/usr/bin/env python3
"""Counts the outcomes of one `dotnet test` run from its trx file, for test.sh.

Usage: test-results.py TESTS.trx EXPECTED_SKIPS

Prints every failed test, every skipped test with its reason, and whether tests/expected-skips.txt excuses the skip;
the last line is four numbers: passed failed skipped unexcused-skips. xunit reports a skipped test as a trx result
with outcome "NotExecuted" and the skip reason as its message (the trx Counters leave skips out, so they are counted
here from the results).
"""
import fnmatch
import sys
import xml.etree.ElementTree as ET

TRX = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def expected_skips(path):
    """(pattern, why) per line of PATH: `GLOB | WHY`; blank lines and lines starting with # are ignored."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            pattern, sep, why = line.partition(" | ")
            if not sep or not pattern.strip() or not why.strip():
                sys.exit(f"{path}:{number}: expected 'TEST-NAME-GLOB | why CI may skip it', got: {line}")
            entries.append((pattern.strip(), why.strip()))
    return entries


def main():
    trx, allow_path = sys.argv[1], sys.argv[2]
    allowed = expected_skips(allow_path)
    passed = failed = skipped = unexcused = 0
    results = sorted(ET.parse(trx).getroot().iter(TRX + "UnitTestResult"), key=lambda r: r.get("testName"))
    for result in results:
        name, outcome = result.get("testName"), result.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome == "NotExecuted":
            skipped += 1
            message = result.find(f"{TRX}Output/{TRX}ErrorInfo/{TRX}Message")
            reason = (message.text or "").strip() if message is not None else "no reason given"
            why = next((w for p, w in allowed if fnmatch.fnmatchcase(name, p)), None)
            if why is None:
                unexcused += 1
                print(f"  skipped: {name}: {reason}")
            else:
                print(f"  skipped: {name}: {reason} (expected: {why})")
        else:
            failed += 1
            print(f"  {outcome.lower()}: {name}")
    print(passed, failed, skipped, unexcused)


if __name__ == "__main__":
    main()
