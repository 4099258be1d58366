#!/usr/bin/env python3
"""check_bindings.py - every CM_API function of the headers must be declared,
with the same argument count and matching types, in both FFI bindings.

usage: check_bindings.py SRCROOT
       check_bindings.py SRCROOT --emit python|node   (print table rows for
                                                       every function: a
                                                       maintainer's helper)

Parses every CM_API function declaration in include/casemgr/*.h (return
type, name, each argument's C type) and compares it with
  Python  bindings/python/casemgr/_ffi.py, FUNCTIONS: (name, restype,
          argtypes) rows of ctypes types (compared as ctypes objects, so
          c_int and c_int32 are one type, as they are for the ABI);
  Node    bindings/node/ffi.js, FUNCTIONS: ['restype', 'name', [argtypes]]
          rows of koffi type strings (compared as normalised text).
Fails listing every function missing, extra or mismatched in either binding.
Python standard library only; loads no library code.
"""
import glob
import importlib.util
import os
import re
import sys

SCALARS = {  # C scalar -> (ctypes attribute, koffi type)
    "int": ("c_int", "int"),
    "int32_t": ("c_int32", "int32_t"),
    "uint32_t": ("c_uint32", "uint32_t"),
    "int64_t": ("c_int64", "int64_t"),
    "uint64_t": ("c_uint64", "uint64_t"),
    "size_t": ("c_size_t", "size_t"),
    "double": ("c_double", "double"),
}
STRUCTS = ("cm_store_options", "cm_storage", "cm_client_summary",
           "cm_contact_row", "cm_event_row")  # non-opaque structs
CALLBACKS = ("cm_change_fn", "cm_malloc_fn", "cm_realloc_fn", "cm_free_fn",
             "cm_clock_fn", "cm_storage_emit_fn")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/|//[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                  text, flags=re.S)
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", text, flags=re.M)


class CType:
    """A parsed C type: base name, const on the base, pointer depth."""

    def __init__(self, text):
        t = " ".join(text.replace("*", " * ").split())
        self.depth = t.count("*")
        words = [w for w in t.replace("*", " ").split() if w not in ("struct",)]
        self.const = "const" in words
        words = [w for w in words if w != "const"]
        if len(words) != 1:
            raise ValueError(f"cannot parse C type {text!r}")
        self.base = words[0]
        self.text = t

    def __str__(self):
        return ("const " if self.const else "") + self.base + (" " + "*" * self.depth if self.depth else "")


def parse_headers(srcroot):
    """[(name, CType ret, [CType args], header)] for every CM_API function."""
    out = []
    for path in sorted(glob.glob(os.path.join(srcroot, "include", "casemgr", "*.h"))):
        with open(path, encoding="utf-8") as f:
            text = strip_comments(f.read())
        for m in re.finditer(r"\bCM_API\b([^;{]*)\(([^;{]*)\)\s*;", text):
            head, args = m.group(1), m.group(2)
            hm = re.match(r"\s*(.*?)\b([A-Za-z_]\w*)\s*$", head, re.S)
            if not hm:
                sys.exit(f"check_bindings: cannot parse {head!r} in {path}")
            ret, name = CType(hm.group(1)), hm.group(2)
            argl = []
            a = " ".join(args.split())
            if a not in ("", "void"):
                for piece in a.split(","):
                    pm = re.match(r"(.*?)([A-Za-z_]\w*)\s*$", piece.strip())
                    argl.append(CType(pm.group(1)))
            out.append((name, ret, argl, os.path.basename(path)))
    return out


# ---- Python ----------------------------------------------------------------

def py_expect(ct, ffi, is_ret=False):
    """(ctypes object or None for void, readable name) for a C type."""
    import ctypes
    b, d = ct.base, ct.depth
    if b == "void" and d == 0:
        return None, "None"
    if b == "char" and d == 1:
        return ctypes.c_char_p, "c_char_p"
    if b == "char" and d == 2:
        return ctypes.POINTER(ctypes.c_char_p), "POINTER(c_char_p)"
    if b == "void" and d == 1:
        return ctypes.c_void_p, "c_void_p"
    if b in SCALARS:
        base = getattr(ctypes, SCALARS[b][0])
        if d == 0:
            return base, SCALARS[b][0]
        if d == 1:
            return ctypes.POINTER(base), f"POINTER({SCALARS[b][0]})"
    if b in CALLBACKS and d == 0:
        return getattr(ffi, b), b
    if b in STRUCTS and d == 1:
        return ctypes.POINTER(getattr(ffi, b)), f"POINTER({b})"
    if b.startswith("cm_") and d == 1:
        return ctypes.c_void_p, "c_void_p"
    if b.startswith("cm_") and d == 2:
        return ctypes.POINTER(ctypes.c_void_p), "POINTER(c_void_p)"
    raise ValueError(f"no ctypes mapping for {ct}")


def py_name(t):
    import ctypes
    if t is None:
        return "None"
    if hasattr(t, "_type_") and isinstance(t, type(ctypes.POINTER(ctypes.c_int))):
        return f"POINTER({py_name(t._type_)})"
    return getattr(t, "__name__", repr(t))


def check_python(srcroot, decls):
    path = os.path.join(srcroot, "bindings", "python", "casemgr", "_ffi.py")
    spec = importlib.util.spec_from_file_location("casemgr_ffi_check", path)
    ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ffi)
    rows = {}
    problems = []
    for row in ffi.FUNCTIONS:
        name, restype, argtypes = row
        if name in rows:
            problems.append(f"python: {name} declared twice")
        rows[name] = (restype, list(argtypes))
    for name, ret, args, header in decls:
        if name not in rows:
            problems.append(f"python: {name} ({header}) is not declared in _ffi.py")
            continue
        restype, argtypes = rows.pop(name)
        exp_ret, exp_ret_name = py_expect(ret, ffi, True)
        if restype is not exp_ret:
            problems.append(f"python: {name}: restype {py_name(restype)}, header says {ret} -> {exp_ret_name}")
        if len(argtypes) != len(args):
            problems.append(f"python: {name}: {len(argtypes)} arguments, header has {len(args)}")
            continue
        for i, (got, ct) in enumerate(zip(argtypes, args)):
            exp, exp_name = py_expect(ct, ffi)
            if got is not exp:
                problems.append(f"python: {name}: argument {i + 1} is {py_name(got)}, header says {ct} -> {exp_name}")
    for name in sorted(rows):
        problems.append(f"python: {name} is declared but not in the headers")
    return problems


# ---- Node ------------------------------------------------------------------

def node_expect(ct, is_ret=False):
    b, d = ct.base, ct.depth
    if b == "void" and d == 0:
        return "void"
    if b == "char" and d == 1:
        return "const char *" if ct.const else "char *"
    if b == "char" and d == 2:
        return "_Out_ const char **"
    if b == "void" and d == 1:
        return "const void *" if ct.const else "void *"
    if b in SCALARS:
        if d == 0:
            return SCALARS[b][1]
        if d == 1:
            return f"_Out_ {SCALARS[b][1]} *"
    if b in CALLBACKS and d == 0:
        return f"{b} *"
    if b in STRUCTS and d == 1:
        return f"const {b} *" if ct.const else f"_Inout_ {b} *"
    if b.startswith("cm_") and d == 1:
        return f"{b} *"
    if b.startswith("cm_") and d == 2:
        return f"_Out_ {b} **"
    raise ValueError(f"no koffi mapping for {ct}")


def norm(s):
    return " ".join(s.replace("*", " * ").split()).replace("* *", "**")


def check_node(srcroot, decls):
    path = os.path.join(srcroot, "bindings", "node", "ffi.js")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"const FUNCTIONS = \[(.*?)\n\];", text, re.S)
    if not m:
        return [f"node: no `const FUNCTIONS = [...];` table in {path}"]
    rows, problems = {}, []
    for r in re.finditer(r"\[\s*'([^']*)'\s*,\s*'(\w+)'\s*,\s*\[([^\]]*)\]\s*\]", m.group(1)):
        ret, name, args = r.group(1), r.group(2), r.group(3)
        argl = [norm(a) for a in re.findall(r"'([^']*)'", args)]
        if name in rows:
            problems.append(f"node: {name} declared twice")
        rows[name] = (norm(ret), argl)
    for name, ret, args, header in decls:
        if name not in rows:
            problems.append(f"node: {name} ({header}) is not declared in ffi.js")
            continue
        got_ret, got_args = rows.pop(name)
        if got_ret != norm(node_expect(ret, True)):
            problems.append(f"node: {name}: returns '{got_ret}', header says {ret} -> '{node_expect(ret, True)}'")
        if len(got_args) != len(args):
            problems.append(f"node: {name}: {len(got_args)} arguments, header has {len(args)}")
            continue
        for i, (got, ct) in enumerate(zip(got_args, args)):
            if got != norm(node_expect(ct)):
                problems.append(f"node: {name}: argument {i + 1} is '{got}', header says {ct} -> '{node_expect(ct)}'")
    for name in sorted(rows):
        problems.append(f"node: {name} is declared but not in the headers")
    return problems


def emit(decls, lang):
    for name, ret, args, header in decls:
        if lang == "python":
            import types
            fake = types.SimpleNamespace(**{n: n for n in CALLBACKS + STRUCTS})
            names = [py_expect(a, fake)[1] for a in args]
            print(f"    ({name!r}, {py_expect(ret, fake)[1]}, [{', '.join(names)}]),")
        else:
            a = ", ".join(f"'{node_expect(x)}'" for x in args)
            print(f"  ['{node_expect(ret, True)}', '{name}', [{a}]],")


def main():
    srcroot = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    decls = parse_headers(srcroot)
    if not decls:
        sys.exit("check_bindings: no CM_API functions found")
    if len(sys.argv) > 3 and sys.argv[2] == "--emit":
        emit(decls, sys.argv[3])
        return 0
    problems = check_python(srcroot, decls) + check_node(srcroot, decls)
    for p in problems:
        print(p)
    print(f"check_bindings: {len(decls)} functions in the headers; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
