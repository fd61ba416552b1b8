# Replays recorded admin-API calls with Python's xmlrpc.client, one ServerProxy per flow, and
# prints every answer as JSON with its XML-RPC type kept (plus the raw response body).
#
# stdin: {"url": "...", "calls": [{"method": "api.get_version", "params": [...]}, ...]}
# In params, {"__datetime__": "YYYYMMDDTHH:MM:SS"} becomes an xmlrpc.client.DateTime and
# {"__session__": true} the key the last replayed auth.login answered (so a logged-out key
# stays in use until the flow logs in again, as a client with a stale key would).
# stdout: [{"answer": v, "xml": body} | {"fault": {"faultCode", "faultString"}, "xml": body}]
# Answers: ints/bools/strings as JSON, dateTime {"__datetime__"}, double {"__double__"},
# base64 {"__base64__"}, nil {"__nil__"} (so a test can see a type Spacewalk never sends).
import base64
import gzip
import json
import re
import sys
import xmlrpc.client


class RecordingTransport(xmlrpc.client.Transport):
    """Keeps the last response body so the caller can look at the raw XML types."""

    def __init__(self):
        super().__init__()
        self.body = b''

    def parse_response(self, response):
        data = response.read()
        if response.getheader('Content-Encoding', '') == 'gzip':
            data = gzip.decompress(data)
        self.body = data
        parser, unmarshaller = self.getparser()
        parser.feed(data)
        parser.close()
        return unmarshaller.close()


def encode(value, key):
    if isinstance(value, dict):
        if set(value) == {'__datetime__'}:
            return xmlrpc.client.DateTime(value['__datetime__'])
        if set(value) == {'__session__'}:
            if key is None:
                raise SystemExit('a call needs a session key before any auth.login was replayed')
            return key
        return {k: encode(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v, key) for v in value]
    return value


def decode(value):
    if value is None:
        return {'__nil__': True}
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {'__double__': value}
    if isinstance(value, xmlrpc.client.DateTime):
        return {'__datetime__': value.value}
    if isinstance(value, xmlrpc.client.Binary):
        return {'__base64__': base64.b64encode(value.data).decode('ascii')}
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [decode(v) for v in value]
    raise TypeError('unexpected answer type %r' % type(value))


def is_login(method):
    # auth.login under any spelling the server would resolve to it
    return re.sub(r'[^A-Za-z0-9]', '', method).lower() == 'authlogin'


def main():
    request = json.load(sys.stdin)
    transport = RecordingTransport()
    proxy = xmlrpc.client.ServerProxy(request['url'], transport=transport)
    key = None
    out = []
    for call in request['calls']:
        transport.body = b''
        params = encode(call['params'], key)
        try:
            answer = getattr(proxy, call['method'])(*params)
        except xmlrpc.client.Fault as f:
            out.append({'fault': {'faultCode': f.faultCode, 'faultString': f.faultString}, 'xml': transport.body.decode('utf-8')})
            continue
        if is_login(call['method']) and isinstance(answer, str):
            key = answer
        out.append({'answer': decode(answer), 'xml': transport.body.decode('utf-8')})
    json.dump(out, sys.stdout)


# guest_client.py imports decode from here
if __name__ == '__main__':
    main()
