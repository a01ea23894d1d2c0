"""Helpers shared by the oracle modules: walking otsensor's records."""


def messages(rec):
    """The messages of one EVE protocol record: request and response of a
    paired record, or the record itself."""
    if "request" in rec or "response" in rec:
        return [m for m in (rec.get("request"), rec.get("response")) if m is not None]
    return [rec]
