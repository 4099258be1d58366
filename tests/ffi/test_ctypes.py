"""Proof that the C API is callable through FFI: Python's ctypes (standard
library only) loads the shared library, opens a store, saves and reads a
client, and sees an error code and message for bad input."""
import ctypes as C
import os
import unittest

lib = C.CDLL(os.environ["CASEMGR_LIB"])


def fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = C.c_void_p
PP = C.POINTER(C.c_void_p)
store_open = fn("cm_store_open", C.c_int, PP, P)
store_close = fn("cm_store_close", None, P)
store_errmsg = fn("cm_store_errmsg", C.c_char_p, P)
strerror = fn("cm_strerror", C.c_char_p, C.c_int)
error_name = fn("cm_error_name", C.c_char_p, C.c_int)
version_string = fn("cm_version_string", C.c_char_p)
client_new = fn("cm_client_new", C.c_int, PP, P)
client_get = fn("cm_client_get", C.c_int, PP, P, C.c_char_p)
client_find = fn("cm_client_find", C.c_int, PP, P, C.c_char_p, C.c_char_p)
client_free = fn("cm_client_free", None, P)
client_id = fn("cm_client_id", C.c_char_p, P)
client_text = fn("cm_client_text", C.c_char_p, P, C.c_int32)
client_set_text = fn("cm_client_set_text", C.c_int, P, C.c_int32, C.c_char_p)
client_set_int = fn("cm_client_set_int", C.c_int, P, C.c_int32, C.c_int64)
client_get_int = fn("cm_client_get_int", C.c_int, C.POINTER(C.c_int64), P, C.c_int32)
client_set_identifier = fn("cm_client_set_identifier", C.c_int, P, C.c_char_p, C.c_char_p)
client_set_status = fn("cm_client_set_status", C.c_int, P, C.c_int32, C.c_char_p)
client_status = fn("cm_client_status", C.c_int32, P)
client_revision = fn("cm_client_revision", C.c_int64, P)
client_save = fn("cm_client_save", C.c_int, P, P)
txn_begin = fn("cm_txn_begin", C.c_int, PP, P, C.c_char_p)
txn_commit = fn("cm_txn_commit", C.c_int, P)
date_parse = fn("cm_date_parse", C.c_int, C.POINTER(C.c_int32), C.c_char_p)

CM_OK, CM_ENOTFOUND, CM_ETRANSITION, CM_EUTF8, CM_EDATE = 0, -3, -6, -7, -9
FAMILY, GIVEN, BIRTH_DATE, ACTIVE, PLANNED = 1, 2, 1, 3, 1


class CtypesTest(unittest.TestCase):
    def setUp(self):
        self.store = C.c_void_p()
        self.assertEqual(store_open(C.byref(self.store), None), CM_OK)

    def tearDown(self):
        store_close(self.store)

    def test_save_and_read_client(self):
        c = C.c_void_p()
        self.assertEqual(client_new(C.byref(c), self.store), CM_OK)
        self.assertEqual(client_set_text(c, FAMILY, "Nguyễn".encode()), CM_OK)
        self.assertEqual(client_set_text(c, GIVEN, b"Lan"), CM_OK)
        day = C.c_int32()
        self.assertEqual(date_parse(C.byref(day), b"1951-07-04"), CM_OK)
        self.assertEqual(client_set_int(c, BIRTH_DATE, day.value), CM_OK)
        self.assertEqual(client_set_identifier(c, b"MRN", b"MRN000000042"), CM_OK)
        self.assertEqual(client_set_status(c, ACTIVE, b"enrolled"), CM_OK)
        txn = C.c_void_p()
        self.assertEqual(txn_begin(C.byref(txn), self.store, b"ffi"), CM_OK)
        self.assertEqual(client_save(txn, c), CM_OK)
        self.assertEqual(txn_commit(txn), CM_OK)
        self.assertEqual(client_revision(c), 1)
        cid = client_id(c)
        client_free(c)

        g = C.c_void_p()
        self.assertEqual(client_find(C.byref(g), self.store, b"MRN", b"MRN000000042"), CM_OK)
        self.assertEqual(client_id(g), cid)
        self.assertEqual(client_text(g, FAMILY).decode(), "Nguyễn")
        self.assertEqual(client_status(g), ACTIVE)
        v = C.c_int64()
        self.assertEqual(client_get_int(C.byref(v), g, BIRTH_DATE), CM_OK)
        self.assertEqual(v.value, day.value)
        client_free(g)

    def test_errors_have_codes_and_messages(self):
        c = C.c_void_p()
        self.assertEqual(client_new(C.byref(c), self.store), CM_OK)
        self.assertEqual(client_set_text(c, FAMILY, b"bad \xc0\xaf"), CM_EUTF8)
        self.assertIn(b"UTF-8", store_errmsg(self.store))
        self.assertIsNone(client_text(c, FAMILY))  # nothing changed
        self.assertEqual(client_set_status(c, PLANNED, b"again"), CM_ETRANSITION)
        self.assertIn(b"planned", store_errmsg(self.store))
        client_free(c)
        g = C.c_void_p()
        self.assertEqual(client_get(C.byref(g), self.store, b"no-such-id"), CM_ENOTFOUND)
        self.assertIn(b"no-such-id", store_errmsg(self.store))
        self.assertEqual(error_name(CM_ENOTFOUND), b"CM_ENOTFOUND")
        self.assertEqual(strerror(CM_ENOTFOUND), b"not found")
        day = C.c_int32()
        self.assertEqual(date_parse(C.byref(day), b"2026-02-30"), CM_EDATE)

    def test_version(self):
        self.assertRegex(version_string().decode(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
