#!/usr/bin/env python3
"""check_headers.py - every public header stands alone and keeps to the
boundary rules (DESIGN.md section 3, items 2 and 7).

usage: check_headers.py SRCROOT CC CXX

For include/casemgr.h and each include/casemgr/*.h:
  - a TU that only includes it (twice: include guard) compiles as
    C99  (CC  -std=c99 -pedantic -Werror -Wall -Wextra -Wstrict-prototypes)
    C++  (CXX -std=c++11 -pedantic -Werror -Wall -Wextra -x c++);
  - outside comments it uses no inline functions, no bool/_Bool, no long,
    no bit-fields and no varargs (`...`) except in variadic macros.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

C_FLAGS = ["-std=c99", "-pedantic", "-Werror", "-Wall", "-Wextra", "-Wstrict-prototypes"]
CXX_FLAGS = ["-std=c++11", "-pedantic", "-Werror", "-Wall", "-Wextra", "-x", "c++"]

# (regex, message), applied to each line of code (comments and strings blanked).
RULES = [
    (r"\binline\b|__inline", "inline function (every operation must be an exported symbol)"),
    (r"\bbool\b|\b_Bool\b|stdbool\.h", "bool at the boundary (use int32_t)"),
    (r"\blong\b", "long at the boundary (use int32_t/int64_t/uint64_t/size_t)"),
    (r"\b\w+\s*:\s*\w+\s*;", "bit-field"),
    (r"\.\.\.|\bva_list\b", "varargs (`...`, va_list) at the boundary"),
]


def strip_comments(text):
    """Blank out comments and string/char literals, keeping line numbers."""
    def blank(m):
        s = m.group(0)
        return re.sub(r"[^\n]", " ", s) if s[0] == "/" else s[0] + s[0]
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  blank, text, flags=re.S)


def lint(path, rel):
    problems = []
    code = strip_comments(open(path, encoding="utf-8").read())
    in_macro = False
    for lineno, line in enumerate(code.splitlines(), 1):
        is_pp = in_macro or line.lstrip().startswith("#")
        in_macro = is_pp and line.rstrip().endswith("\\")
        for rx, msg in RULES:
            if is_pp and msg.startswith(("varargs", "bit-field")):
                continue  # variadic macros and ?: in macros are fine
            if re.search(rx, line):
                problems.append(f"{rel}:{lineno}: {msg}: {line.strip()}")
    return problems


def compile_alone(rel, compiler, flags, incdir, tmp):
    src = os.path.join(tmp, "tu.c")
    with open(src, "w") as f:
        f.write(f'#include "{rel}"\n#include "{rel}"\nint cm_header_check_tu;\n')
    cmd = [compiler] + flags + ["-I", incdir, "-c", src, "-o", os.path.join(tmp, "tu.o")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return [f"{rel}: does not compile alone: {' '.join(cmd)}\n{r.stdout}{r.stderr}"]
    return []


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    srcroot, cc, cxx = sys.argv[1:]
    incdir = os.path.join(srcroot, "include")
    headers = [os.path.join(incdir, "casemgr.h")]
    headers += sorted(glob.glob(os.path.join(incdir, "casemgr", "*.h")))
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in headers:
            rel = os.path.relpath(path, incdir)
            if not os.path.exists(path):
                problems.append(f"{rel}: missing")
                continue
            problems += lint(path, rel)
            problems += compile_alone(rel, cc, C_FLAGS, incdir, tmp)
            problems += compile_alone(rel, cxx, CXX_FLAGS, incdir, tmp)
    if problems:
        print(f"check_headers: {len(problems)} problem(s):")
        print("\n".join("  " + p for p in problems))
        return 1
    print(f"check_headers: OK, {len(headers)} headers (C99, C++11, boundary rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
