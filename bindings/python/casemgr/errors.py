"""Exceptions: one class per CM_E* code, all subclasses of CasemgrError."""


class CasemgrError(Exception):
    """A casemgr call failed. code is the negative CM_E* value, name its
    symbol ("CM_ENOTFOUND") and message the store's detailed message (or
    the code's fixed text when there is no store to ask)."""

    code = None
    name = None

    def __init__(self, message, code=None, name=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if name is not None:
            self.name = name

    def __str__(self):
        return f"{self.name or self.code}: {self.message}"


def _make(clsname, code, name, doc):
    return type(clsname, (CasemgrError,), {"code": code, "name": name, "__doc__": doc})


InvalidArgumentError = _make("InvalidArgumentError", -1, "CM_EINVAL", "an argument is NULL, empty or malformed")
NoMemoryError = _make("NoMemoryError", -2, "CM_ENOMEM", "an allocation failed; nothing changed")
NotFoundError = _make("NotFoundError", -3, "CM_ENOTFOUND", "no record with that id or identifier")
ExistsError = _make("ExistsError", -4, "CM_EEXIST", "id or identifier already taken")
ConflictError = _make("ConflictError", -5, "CM_ECONFLICT", "the record changed since this handle was read")
TransitionError = _make("TransitionError", -6, "CM_ETRANSITION", "status change not allowed from current status")
Utf8Error = _make("Utf8Error", -7, "CM_EUTF8", "text is not valid UTF-8")
TooLongError = _make("TooLongError", -8, "CM_ETOOLONG", "text longer than the field allows")
DateError = _make("DateError", -9, "CM_EDATE", "impossible or out-of-range date or time")
RangeError = _make("RangeError", -10, "CM_ERANGE", "a number or enumeration value out of range")
StateError = _make("StateError", -11, "CM_ESTATE", "call not valid in the current state")
VersionError = _make("VersionError", -12, "CM_EVERSION", "unknown options / table version")
StorageError = _make("StorageError", -13, "CM_ESTORAGE", "the storage callbacks reported a failure")
CorruptError = _make("CorruptError", -14, "CM_ECORRUPT", "stored data failed its checksum or decoding")
BusyError = _make("BusyError", -15, "CM_EBUSY", "resource held (e.g. this thread's open txn)")
LockedError = _make("LockedError", -16, "CM_ELOCKED", "held by another process (file lock)")
PoisonedError = _make("PoisonedError", -17, "CM_EPOISONED", "an earlier durability failure: writes refused")
IncompleteError = _make("IncompleteError", -18, "CM_EINCOMPLETE", "a required field or answer is missing")
IoError = _make("IoError", -19, "CM_EIO", "an operating-system I/O call failed")
UnsupportedError = _make("UnsupportedError", -20, "CM_EUNSUPPORTED", "the operation is not supported here")
ClockError = _make("ClockError", -21, "CM_ECLOCK", "the clock callback failed")

ERRORS = {cls.code: cls for cls in (
    InvalidArgumentError, NoMemoryError, NotFoundError, ExistsError, ConflictError,
    TransitionError, Utf8Error, TooLongError, DateError, RangeError, StateError,
    VersionError, StorageError, CorruptError, BusyError, LockedError, PoisonedError,
    IncompleteError, IoError, UnsupportedError, ClockError)}


def error_for(code, message, name=None):
    """The exception for a code (CasemgrError itself for a code this binding
    does not know)."""
    cls = ERRORS.get(code)
    if cls is None:
        return CasemgrError(message, code, name)
    return cls(message)
