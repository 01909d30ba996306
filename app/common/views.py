"""One view style: services hand the edge domain objects or plain views, and the edge renders
them with the schema registered for their type; a conflict's `current` record included."""
import functools

_SCHEMAS = {}


def renders(view_type):
    """Class decorator on a schema: it is how `view_type` is shown wherever it appears."""
    def register(schema_cls):
        _SCHEMAS[view_type] = schema_cls
        return schema_cls
    return register


@functools.cache
def _instance(schema_cls):
    return schema_cls()


def render(obj):
    """A JSON-ready value for a domain object or view; plain data passes through."""
    if obj is None or isinstance(obj, (str, int, float, bool, list)) or type(obj) is dict:
        return obj
    for cls in type(obj).__mro__:
        if cls in _SCHEMAS:
            return _instance(_SCHEMAS[cls]).dump(obj)
    raise TypeError(f"no schema renders {type(obj).__name__}")
