// POST /api/packages?channel=LABEL: package upload for `skylab package push` (rhnpush's role,
// not its protocol). The body streams into the blob store's staging area; repo-sync imports it.
import { PassThrough, Readable, finished } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BlobTooLarge, Conflict, InvalidArgument, PermissionDenied, type Channel, type StagedBlob, type User } from '../../channels/index.js';
import { pushStagedRpm, type PushedPackage } from '../../repo-sync/index.js';
import { requireChannelAdmin } from '../rpc/ns/lookup.js';
import type { Services } from '../services.js';

/** Largest package accepted; the biggest RPMs in the wild (firmware, texlive) stay well below. */
export const UPLOAD_LIMIT = 2 * 1024 ** 3;
export const SESSION_HEADER = 'x-skylab-session';
const RPM_TYPES = ['application/x-rpm', 'application/octet-stream'];

/** A refusal: the status and the message the client prints. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Caller {
  user: User;
  sessionId: number;
}

function authenticate(services: Services, request: FastifyRequest): Caller {
  const key = request.headers[SESSION_HEADER];
  if (typeof key !== 'string' || key === '') throw new Refusal(401, `missing session key: log in with auth.login and send it in ${SESSION_HEADER}`);
  const check = services.sessions.check(key);
  if (!check.ok) throw new Refusal(401, 'invalid or expired session key: log in again');
  if (check.user.readOnly) throw new Refusal(403, 'read-only API users cannot upload packages');
  return { user: check.user, sessionId: check.sessionId };
}

async function targetChannel(services: Services, user: User, label: unknown): Promise<Channel> {
  if (typeof label !== 'string' || label === '') throw new Refusal(400, 'missing ?channel=LABEL');
  const channel = await services.stores.channels.getByLabel(label, user.orgId);
  if (!channel) throw new Refusal(404, `no such channel: ${label}`);
  try {
    requireChannelAdmin({ user }, channel);
  } catch (err) {
    if (err instanceof PermissionDenied) throw new Refusal(403, `you may not change channel ${label}: it needs the channel_admin role in the channel's organization`);
    throw err;
  }
  return channel;
}

function checkBody(request: FastifyRequest): Readable {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!RPM_TYPES.includes(type)) throw new Refusal(415, 'send the package as the request body with Content-Type: application/x-rpm');
  if (Number(request.headers['content-length']) > UPLOAD_LIMIT) throw new Refusal(413, `package too big: the limit is ${UPLOAD_LIMIT} bytes`);
  if (!(request.body instanceof Readable)) throw new Refusal(400, 'empty upload: the request body must be the .rpm file');
  return request.body;
}

// Staging reads through a PassThrough: when the limit trips, pipeline destroys what it was given,
// and destroying the request itself would kill the socket before the 413 goes out.
async function stage(services: Services, body: Readable): Promise<StagedBlob> {
  const pass = new PassThrough({ highWaterMark: 1 << 20 });
  finished(body, (err) => err && pass.destroy(err));
  body.pipe(pass);
  try {
    return await services.blobs.stage(pass, UPLOAD_LIMIT);
  } catch (err) {
    body.unpipe(pass);
    if (err instanceof BlobTooLarge) throw new Refusal(413, `package too big: the limit is ${UPLOAD_LIMIT} bytes`);
    if (body.destroyed) throw new Refusal(400, 'the upload was cut off before the end of the file');
    throw err;
  }
}

function answer(p: PushedPackage, channel: Channel): Record<string, unknown> {
  const r = p.package;
  return {
    id: p.id,
    name: r.name,
    epoch: r.epoch,
    version: r.version,
    release: r.release,
    arch: r.arch,
    checksum: r.checksum,
    checksumType: r.checksumType,
    filename: r.filename,
    channel: channel.label,
    new: p.isNew,
    addedToChannel: p.addedToChannel,
  };
}

function refuse(request: FastifyRequest, reply: FastifyReply, err: unknown, context: Record<string, unknown>): FastifyReply {
  let refusal: Refusal;
  if (err instanceof Refusal) refusal = err;
  else if (err instanceof InvalidArgument) refusal = new Refusal(400, err.message);
  else if (err instanceof Conflict) refusal = new Refusal(409, err.message);
  else {
    request.log.error({ err, ...context }, 'package upload failed');
    return reply.code(500).send({ error: 'internal error while storing the package (logged on the server)' });
  }
  request.log.warn({ status: refusal.status, reason: refusal.message, ...context }, 'package upload refused');
  // Refused before the body was read: closing beats draining up to gigabytes nobody wants.
  if (!request.raw.complete) reply.header('Connection', 'close');
  return reply.code(refusal.status).send({ error: refusal.message });
}

export function registerUploadRoutes(app: FastifyInstance, services: Services): void {
  // Encapsulated, so the raw-stream parser applies here only and /rpc/api keeps its buffers.
  // Every type passes through unread: checkBody answers a wrong one without buffering it.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post<{ Querystring: { channel?: string } }>('/api/packages', async (request, reply) => {
      const context: Record<string, unknown> = { channel: request.query.channel };
      let caller: Caller | undefined;
      try {
        caller = authenticate(services, request);
        context['login'] = caller.user.login;
        const channel = await targetChannel(services, caller.user, request.query.channel);
        const staged = await stage(services, checkBody(request));
        const pushed = await pushStagedRpm(services, staged, caller.user.orgId, channel);
        request.log.info({ ...context, id: pushed.id, file: pushed.package.filename, new: pushed.isNew }, 'package pushed');
        return answer(pushed, channel);
      } catch (err) {
        return refuse(request, reply, err, context);
      } finally {
        if (caller) services.sessions.touch(caller.sessionId);
      }
    });
  });
}
