"""casemgr for Python: the C library through the standard library's ctypes.

    import casemgr
    with casemgr.Store() as store:
        client = store.new_client()
        client.family, client.given = "Rivera", "Ana"
        with store.transaction("jordan.lee") as txn:
            client.save(txn)

The library is found through CASEMGR_LIB (a path), else pkg-config's libdir,
else the default loader path (libcasemgr.so.1). Every CM_E* code is raised as
its own CasemgrError subclass carrying .code and the store's message.
"""
from ctypes import byref, c_int32, create_string_buffer

from . import _ffi
from .errors import *  # noqa: F401,F403 - the exception classes
from .errors import CasemgrError, ERRORS, error_for
from .store import (DATE_NONE, TIME_NONE, Allocator, AuditEntry, Caseload, ClientSummary,
                    ContactRow, CountingAllocator, EventRow, MemoryStorage, Measure, Storage,
                    StatusChange, Store, Transaction, WorkItem, check, from_days,
                    from_seconds, lib, to_days, to_seconds)
from .records import (Assessment, Client, Element, Event, Goal, Intervention, Plan, Problem,
                      Provider, Service)

__version__ = "0.1.0"


def version():
    """The loaded library's version string, e.g. "0.1.0"."""
    return lib().version_string().decode()


def version_number():
    return lib().version()


def strerror(code):
    return lib().strerror(code).decode()


def error_name(code):
    raw = lib().error_name(code)
    return raw.decode() if raw else None


def parse_date(text):
    """"YYYY-MM-DD" -> datetime.date (strict, by the library)."""
    return from_days(to_days(str(text)))


def format_date(value):
    buf = create_string_buffer(11)
    check(lib().date_format(buf, 11, to_days(value)))
    return buf.value.decode()


def parse_time(text):
    return from_seconds(to_seconds(str(text)))


def format_time(value):
    buf = create_string_buffer(21)
    check(lib().time_format(buf, 21, to_seconds(value)))
    return buf.value.decode()


def date_from_ymd(year, month, day):
    out = c_int32()
    check(lib().date_from_ymd(byref(out), year, month, day))
    return from_days(out.value)


def utf8_check(text, max_bytes):
    check(lib().utf8_check(text if isinstance(text, bytes) else text.encode(), max_bytes))


def crc32c(data, crc=0):
    return lib().crc32c(crc, data, len(data))


def time_to_date(value):
    """The UTC calendar date of an instant."""
    out = c_int32()
    check(lib().time_to_date(byref(out), to_seconds(value)))
    return from_days(out.value)


def task_status_side(status):
    """Which side ("requester" or "provider") may set a referral status."""
    from .records import SIDE, TASK_STATUS, code_of
    return SIDE.get(lib().task_status_side(code_of(TASK_STATUS, status)))
