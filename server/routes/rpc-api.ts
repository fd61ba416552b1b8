// POST /rpc/api: the admin XML-RPC endpoint. Every answer is HTTP 200 text/xml, faults included;
// a body that is not acceptable XML-RPC gets a fault too, and the server carries on.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { dispatch } from '../rpc/dispatch.js';
import { fault } from '../rpc/faults.js';
import type { Registry } from '../rpc/registry.js';
import { decodeCall } from '../xmlrpc/decode.js';
import { encodeFault } from '../xmlrpc/encode.js';
import { EncodedResponse, XmlDecodeError, type MethodCall } from '../xmlrpc/types.js';

export const RPC_BODY_LIMIT = 32 * 1024 * 1024;

export function registerRpcApi(app: FastifyInstance, services: Services, registry: Registry): void {
  app.post('/rpc/api', { bodyLimit: RPC_BODY_LIMIT }, async (request, reply) => {
    reply.header('Content-Type', 'text/xml; charset=UTF-8');
    let call: MethodCall;
    try {
      call = decodeCall(request.body as Buffer, services.zone);
    } catch (err) {
      const message = err instanceof XmlDecodeError ? err.message : 'unreadable request';
      request.log.warn({ err: message }, 'rejected malformed XML-RPC request');
      return encodeFault(fault(-1, `Malformed XML-RPC request: ${message}`));
    }
    const result = await dispatch(call, services, registry);
    if (result.ok) {
      if (result.value instanceof EncodedResponse) return result.value.body;
      try {
        return services.encoder.response(result.value);
      } catch (err) {
        request.log.error({ err, method: call.methodName }, 'could not encode an answer');
        return encodeFault(fault(-1, 'unhandled internal exception: Internal server error (logged on the server)'));
      }
    }
    if (result.error) request.log.error({ err: result.error, method: call.methodName }, 'unexpected error in an API call');
    else request.log.info({ method: call.methodName, faultCode: result.fault!.faultCode }, 'API call faulted');
    return encodeFault(result.fault!);
  });

  // Spacewalk redirects browsers to its API docs; Skylab has none to show.
  app.get('/rpc/api', async (_request, reply) => {
    reply.code(405).header('Allow', 'POST').type('text/plain');
    return 'The Spacewalk admin API takes XML-RPC calls by POST.\n';
  });
}
