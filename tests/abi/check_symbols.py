#!/usr/bin/env python3
"""check_symbols.py - the exported symbols, the version script and the headers
must name exactly the same functions (DESIGN.md section 3, items 6-7).

usage: check_symbols.py SRCROOT LIBCASEMGR.so NM

Compares three sets and fails listing every difference:
  declared  every CM_API declaration in include/casemgr.h, include/casemgr/*.h
  mapped    the global: names of every version node in src/libcasemgr.map
  exported  `nm -D --defined-only` of the built shared library
It also checks the cm_ prefix and that each exported symbol carries the
version node the map puts it in.
"""
import glob
import os
import re
import subprocess
import sys


def strip_comments(text):
    """Remove /* */ and // comments (keeping newlines) and string literals."""
    def blank(m):
        s = m.group(0)
        return s if s[0] == '"' else re.sub(r"[^\n]", " ", s)
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', blank, text, flags=re.S)


def declared_names(srcroot):
    """{name: header} for every CM_API declaration (function or data)."""
    names = {}
    headers = [os.path.join(srcroot, "include", "casemgr.h")]
    headers += sorted(glob.glob(os.path.join(srcroot, "include", "casemgr", "*.h")))
    for path in headers:
        if not os.path.exists(path):
            continue
        text = strip_comments(open(path, encoding="utf-8").read())
        # Drop preprocessor lines (with continuations): the #define CM_API itself.
        text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", text, flags=re.M)
        for m in re.finditer(r"\bCM_API\b([^;{]*)", text):
            decl = m.group(1)
            head = decl.split("(", 1)[0] if "(" in decl else re.split(r"[\[=]", decl)[0]
            idents = re.findall(r"[A-Za-z_]\w*", head)
            if not idents:
                sys.exit(f"check_symbols: cannot parse CM_API declaration in {path}: {decl.strip()!r}")
            names[idents[-1]] = os.path.relpath(path, srcroot)
    return names


def mapped_names(path):
    """{name: version node} from a GNU ld version script."""
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/|#[^\n]*|//[^\n]*", " ", text, flags=re.S)
    names, problems = {}, []
    # NODE { body } [parent] ;   (bodies of version nodes do not nest)
    for node, body in re.findall(r"([A-Za-z_][\w.]*)\s*\{([^{}]*)\}\s*[\w.]*\s*;", text):
        section = "global"
        for item in re.split(r";", body):
            for tok in re.split(r"(\w+\s*:)", item):
                tok = tok.strip()
                if not tok:
                    continue
                if tok.endswith(":"):
                    section = tok[:-1].strip()
                elif section == "global":
                    if not re.fullmatch(r"[A-Za-z_]\w*", tok):
                        problems.append(f"{node}: global entry {tok!r} is not a plain symbol name")
                    elif tok in names:
                        problems.append(f"{tok}: listed twice ({names[tok]} and {node})")
                    else:
                        names[tok] = node
    if not names:
        problems.append(f"{path}: no global symbols found in any version node")
    return names, problems


def exported_names(lib, nm):
    """{name: version} for every defined dynamic symbol (version nodes skipped)."""
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, sym = parts[-2], parts[-1]
        name, _, version = sym.partition("@")
        version = version.lstrip("@")
        if kind == "A" and version in ("", name):   # a version node itself
            continue
        names[name] = version
    return names


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    srcroot, lib, nm = sys.argv[1:]
    declared = declared_names(srcroot)
    mapped, problems = mapped_names(os.path.join(srcroot, "src", "libcasemgr.map"))
    exported = exported_names(lib, nm)

    def report(title, names, where=None):
        for n in sorted(names):
            problems.append(f"{title}: {n}" + (f" ({where[n]})" if where else ""))

    report("declared CM_API but missing from libcasemgr.map", declared.keys() - mapped.keys(), declared)
    report("in libcasemgr.map but not declared CM_API in a public header", mapped.keys() - declared.keys(), mapped)
    report("exported by the library but not declared CM_API", exported.keys() - declared.keys())
    report("declared CM_API but not exported by the library (not implemented?)", declared.keys() - exported.keys(), declared)
    report("public name without the cm_ prefix", {n for n in declared.keys() | exported.keys() if not n.startswith("cm_")})
    for n in sorted(exported.keys() & mapped.keys()):
        if exported[n] != mapped[n]:
            problems.append(f"{n}: exported with version {exported[n] or '(none)'} but listed in node {mapped[n]}")

    if problems:
        print(f"check_symbols: {len(problems)} problem(s) in {lib}:")
        print("\n".join("  " + p for p in problems))
        return 1
    print(f"check_symbols: OK, {len(declared)} declared = mapped = exported symbols")
    return 0


if __name__ == "__main__":
    sys.exit(main())
