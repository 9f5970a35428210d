from ninja.renderers import JSONRenderer


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese left readable instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}
