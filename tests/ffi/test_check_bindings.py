#!/usr/bin/env python3
"""The drift check catches drift: on a copy of the headers and both binding
tables, an added function, a changed argument type and a dropped row each
fail it, in the binding(s) concerned. Standard library only."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = sys.argv.pop(1) if len(sys.argv) > 1 and os.path.isdir(sys.argv[1]) else os.path.join(HERE, "..", "..")
CHECK = os.path.join(HERE, "check_bindings.py")


class DriftTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        shutil.copytree(os.path.join(SRC, "include"), os.path.join(self.tmp, "include"))
        for rel in ("bindings/python/casemgr/_ffi.py", "bindings/node/ffi.js"):
            os.makedirs(os.path.dirname(os.path.join(self.tmp, rel)), exist_ok=True)
            shutil.copy(os.path.join(SRC, rel), os.path.join(self.tmp, rel))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_check(self):
        r = subprocess.run([sys.executable, CHECK, self.tmp], capture_output=True, text=True)
        return r.returncode, r.stdout

    def edit(self, rel, old, new):
        path = os.path.join(self.tmp, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    def test_clean_copy_passes(self):
        rc, out = self.run_check()
        self.assertEqual(rc, 0, out)

    def test_added_function_fails_both(self):
        self.edit("include/casemgr/client.h", "CM_API void cm_client_free(cm_client *client);",
                  "CM_API void cm_client_free(cm_client *client);\n"
                  "CM_API int cm_client_merge(cm_txn *txn, cm_client *into, const char *from_id);")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("python: cm_client_merge (client.h) is not declared", out)
        self.assertIn("node: cm_client_merge (client.h) is not declared", out)

    def test_changed_type_fails_both(self):
        self.edit("include/casemgr/client.h",
                  "CM_API const char *cm_client_text(const cm_client *client, int32_t field);",
                  "CM_API const char *cm_client_text(const cm_client *client, int64_t field);")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"python: cm_client_text: argument 2 is c_int\w*, header says int64_t")
        self.assertRegex(out, r"node: cm_client_text: argument 2 is 'int32_t', header says int64_t")

    def test_dropped_row_and_wrong_count(self):
        self.edit("bindings/node/ffi.js", "  ['void', 'cm_client_free', ['cm_client *']],\n", "")
        self.edit("bindings/python/casemgr/_ffi.py",
                  "('cm_client_set_id', c_int, [c_void_p, c_char_p])",
                  "('cm_client_set_id', c_int, [c_void_p])")
        rc, out = self.run_check()
        self.assertEqual(rc, 1)
        self.assertIn("node: cm_client_free (client.h) is not declared", out)
        self.assertIn("python: cm_client_set_id: 1 arguments, header has 2", out)
        self.assertEqual(len(re.findall(r"^(python|node):", out, re.M)), 2, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
