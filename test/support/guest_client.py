# A stand-in for rhnlib in the guest tests: Python's xmlrpc.client sending the headers the real
# clients send (client-protocol.md 1.2), one new connection per call as rhnlib does, printing
# every answer as JSON with its XML-RPC type kept, the raw body and the response headers.
#
# stdin: {"url": "...", "headers": {name: value}, "calls": [{"method", "params", "headers"?, "save"?}]}
# A call's "headers" add to or (with null) remove from the defaults. In params, {"__ref__": name}
# is the answer a previous call saved under `name` ({"__ref__": name, "field": f} one member of
# it); {"__double__": x}, {"__datetime__": text} and {"__base64__": b64} are those XML-RPC types.
# stdout: [{"answer": v | "fault": {...} | "protocolError": status, "xml": body, "headers": [[k, v], ...]}]
import base64
import json
import os
import sys
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replay import decode  # noqa: E402,F401  (guest_e2e.py imports it from here too)

# What rhnlib sends on every POST besides Host, Content-Length, Content-Type and Accept-Encoding.
RHNLIB = '$Revision$'


class GuestTransport(xmlrpc.client.Transport):
    accept_gzip_encoding = False
    user_agent = 'rhn.rpclib.py/' + RHNLIB

    def __init__(self, headers):
        super().__init__()
        self.extra = headers
        self.body = b''
        self.response_headers = []

    def send_headers(self, connection, headers):
        # rhnlib sends exactly one User-Agent; ours replaces the library's default
        for name, value in headers:
            if name.lower() == 'user-agent' and any(k.lower() == 'user-agent' for k in self.extra):
                continue
            connection.putheader(name, value)
        for name, value in self.extra.items():
            connection.putheader(name, value)

    def parse_response(self, response):
        self.response_headers = [[k, v] for k, v in response.getheaders()]
        data = response.read()
        self.body = data
        parser, unmarshaller = self.getparser()
        parser.feed(data)
        parser.close()
        return unmarshaller.close()


def encode(value, saved):
    if isinstance(value, dict):
        keys = set(value)
        if '__ref__' in keys and keys <= {'__ref__', 'field'}:
            v = saved[value['__ref__']]
            return v[value['field']] if 'field' in value else v
        if keys == {'__double__'}:
            return float(value['__double__'])
        if keys == {'__datetime__'}:
            return xmlrpc.client.DateTime(value['__datetime__'])
        if keys == {'__base64__'}:
            return xmlrpc.client.Binary(base64.b64decode(value['__base64__']))
        return {k: encode(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v, saved) for v in value]
    return value


def main():
    request = json.load(sys.stdin)
    saved = {}
    out = []
    for call in request['calls']:
        headers = dict(request.get('headers', {}))
        for k, v in call.get('headers', {}).items():
            if v is None:
                headers.pop(k, None)
            else:
                headers[k] = v
        transport = GuestTransport(headers)
        proxy = xmlrpc.client.ServerProxy(request['url'], transport=transport)
        params = encode(call['params'], saved)
        entry = {}
        try:
            answer = getattr(proxy, call['method'])(*params)
            entry['answer'] = decode(answer)
            if 'save' in call:
                saved[call['save']] = answer
        except xmlrpc.client.Fault as f:
            entry['fault'] = {'faultCode': f.faultCode, 'faultString': f.faultString}
        except xmlrpc.client.ProtocolError as e:
            entry['protocolError'] = e.errcode
            transport.response_headers = [[k, v] for k, v in e.headers.items()]
        finally:
            transport.close()
        entry['xml'] = transport.body.decode('utf-8', 'replace')
        entry['headers'] = transport.response_headers
        out.append(entry)
    json.dump(out, sys.stdout)


# guest_e2e.py imports the transport and codecs from here
if __name__ == '__main__':
    main()
