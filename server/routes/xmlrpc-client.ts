// POST /XMLRPC: the guests' XML-RPC endpoint (client-protocol.md 1). Raw bodies up to 32 MiB;
// anything that is not an XML-RPC call gets HTTP 400 with no XML; X-RHN-Server-Capability on every
// dispatched answer; faults in Spacewalk's layout with HTTP 200; internal errors HTTP 500, no body.
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dispatchClientCall, parseClientCapabilities, SERVER_CAPABILITY_HEADERS, type ClientCapabilities, type ClientHandlerTable } from '../../client-shim/index.js';
import type { Services } from '../services.js';
import { decodeCall } from '../xmlrpc/decode.js';
import { encodeFault } from '../xmlrpc/encode.js';
import { XmlDecodeError, XmlRpcFault, type MethodCall } from '../xmlrpc/types.js';
import type { Zone } from '../xmlrpc/zone.js';

/** A full package profile of a few thousand packages is over 1 MB; leave ample room. */
export const CLIENT_BODY_LIMIT = 32 * 1024 * 1024;

const XML = 'text/xml';

/**
 * Python 2 clients write byte strings as they are (hardware descriptions need not be UTF-8), and
 * Spacewalk's decoder does not assume UTF-8: such a body is read with replacement characters
 * instead of being refused.
 */
function decodeBody(body: Buffer | undefined, zone: Zone): MethodCall {
  try {
    return decodeCall(body, zone);
  } catch (err) {
    if (body && err instanceof XmlDecodeError && err.message === 'the request is not valid UTF-8') {
      return decodeCall(new TextDecoder('utf-8').decode(body), zone);
    }
    throw err;
  }
}

/** HTTP 500 with no body for a call whose method was found (so the capability lines go on it). */
function internalError(request: FastifyRequest, reply: FastifyReply, err: unknown, method: string, what: string): FastifyReply {
  request.log.error({ err, method }, what);
  return reply.code(500).header('X-RHN-Server-Capability', [...SERVER_CAPABILITY_HEADERS]).send();
}

/**
 * An answer with HTTP 200, written by Node directly: the Content-Type stays exactly text/xml
 * (rhnlib reads anything else as a file; Fastify would add a charset to a string body), and a
 * string body goes out with the head in one write instead of a two-chunk writev.
 */
function sendXml(reply: FastifyReply, body: string, capabilities: boolean): FastifyReply {
  reply.hijack();
  const headers: OutgoingHttpHeaders = { 'Content-Type': XML, 'Content-Length': Buffer.byteLength(body, 'utf8') };
  if (capabilities) headers['X-RHN-Server-Capability'] = SERVER_CAPABILITY_HEADERS as string[];
  reply.raw.writeHead(200, headers);
  reply.raw.end(body, 'utf8');
  return reply;
}

/**
 * What a call learns from its HTTP request. A class, not an object literal with a getter: see
 * CallContext in client-shim/dispatch.ts (such a literal kept every request alive until the next
 * full collection).
 */
class RequestSide {
  readonly capabilities: ClientCapabilities;

  constructor(private readonly request: FastifyRequest) {
    this.capabilities = parseClientCapabilities(request.headers['x-rhn-client-capability']);
  }

  /** read only when a handler asks: getpeername() on every call shows in profiles */
  get remoteAddress(): string {
    return this.request.ip;
  }
}

export function registerXmlRpcClient(app: FastifyInstance, services: Services, table: ClientHandlerTable): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let call: MethodCall;
    try {
      call = decodeBody(request.body as Buffer | undefined, services.zone);
    } catch (err) {
      if (!(err instanceof XmlDecodeError)) throw err;
      request.log.warn({ err: err.message, bytes: (request.body as Buffer | undefined)?.length ?? 0 }, 'rejected a malformed /XMLRPC request');
      return reply.code(400).send();
    }
    const outcome = await dispatchClientCall(table, call, new RequestSide(request));
    if (outcome.kind === 'error') return internalError(request, reply, outcome.error, call.methodName, 'unexpected error in an /XMLRPC call');
    let body: string;
    if (outcome.kind === 'fault') {
      request.log.info({ method: call.methodName, faultCode: outcome.fault.faultCode }, '/XMLRPC call faulted');
      body = encodeFault(new XmlRpcFault(outcome.fault.faultCode, outcome.fault.faultString));
    } else {
      try {
        body = services.encoder.response(outcome.value);
      } catch (err) {
        return internalError(request, reply, err, call.methodName, 'could not encode an /XMLRPC answer');
      }
    }
    return sendXml(reply, body, outcome.capabilities);
  };
  app.post('/XMLRPC', { bodyLimit: CLIENT_BODY_LIMIT }, handle);
  app.post('/XMLRPC/', { bodyLimit: CLIENT_BODY_LIMIT }, handle);

  // Spacewalk answers anything but GET and POST below /XMLRPC with 405 (apacheHandler).
  app.route({
    method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/XMLRPC',
    handler: async (_request, reply) => reply.code(405).header('Allow', 'GET, POST').send(),
  });
  app.route({
    method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/XMLRPC/*',
    handler: async (_request, reply) => reply.code(405).header('Allow', 'GET, POST').send(),
  });
}
