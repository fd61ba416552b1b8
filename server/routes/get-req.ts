// GET /XMLRPC/GET-REQ/<channel>/repodata/<file> and .../getPackage/<file>: the yum/dnf plugins'
// repository access (client-protocol.md 5). Token headers checked first (405/401), then the
// channel subscription; faults travel in X-RHN-Fault-* headers with an empty body; files are
// served with Content-Length, Last-Modified (exact If-Modified-Since -> 304) and one Range.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkAuthHeaders, channelForSystem, ClientFault, getFaultReply, packageForRequest, parseGetPath, faultFromError } from '../../client-shim/index.js';
import { findPublishedFile, publishChannel } from '../../repo-sync/publish/index.js';
import type { Services } from '../services.js';

const CONTENT_TYPES: [RegExp, string][] = [
  [/\.xml$/, 'text/xml'],
  [/\.gz$/, 'application/x-gzip'],
  [/\.ya?ml(\.gz)?$/, 'application/x-yaml'],
];

function repodataType(name: string): string {
  if (name.endsWith('.gz')) return 'application/x-gzip';
  return CONTENT_TYPES.find(([re]) => re.test(name))?.[1] ?? 'application/octet-stream';
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within the file, else null (whole file). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, path: string, type: string, extra: Record<string, string> = {}): Promise<FastifyReply> {
  const st = await stat(path);
  const lastModified = st.mtime.toUTCString();
  reply.header('Last-Modified', lastModified).header('Accept-Ranges', 'bytes');
  for (const [k, v] of Object.entries(extra)) reply.header(k, v);
  // Spacewalk compares the strings, not the dates
  if (request.headers['if-modified-since'] === lastModified) return reply.code(304).send();
  const range = parseRange(request.headers.range, st.size);
  if (range) {
    reply
      .code(206)
      .header('Content-Type', 'application/octet-stream')
      .header('Content-Range', `bytes ${range.start}-${range.end}/${st.size}`)
      .header('Content-Length', range.end - range.start + 1);
    return reply.send(request.method === 'HEAD' ? '' : createReadStream(path, range));
  }
  reply.code(200).header('Content-Type', type).header('Content-Length', st.size);
  return reply.send(request.method === 'HEAD' ? '' : createReadStream(path));
}

function sendFault(reply: FastifyReply, fault: { faultCode: number; faultString: string }): FastifyReply {
  const r = getFaultReply(fault);
  reply.code(r.status).header('Content-Type', 'text/xml');
  for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
  return reply.send('');
}

async function handle(services: Services, request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const auth = checkAuthHeaders(request.headers as Record<string, string | string[] | undefined>, services.clientAuthKey, Date.now());
  if (!auth.ok) {
    if (auth.status === 405) return reply.code(405).header('Allow', 'POST').send('');
    return sendFault(reply, auth.fault!.toWire());
  }
  const target = parseGetPath(request.params['*']);
  if (target.kind === 'absent') return reply.code(404).send('');
  const channel = await channelForSystem(services.stores, auth.serverId, target.label, target.kind);
  if (target.kind === 'repodata') {
    if (target.file === 'repomd.xml') await publishChannel(services.stores, services.config.dataDir, channel.id);
    const path = await findPublishedFile(services.config.dataDir, channel, target.file);
    if (!path) throw new ClientFault(6, `Repodata file ${target.file} not found`);
    return sendFile(request, reply, path, repodataType(target.file));
  }
  const pkg = await packageForRequest(services.stores, channel, target);
  let sha: string;
  try {
    sha = await services.packageFiles.ensure(pkg);
  } catch (err) {
    request.log.warn({ err: (err as Error).message, file: target.file }, 'package file unavailable');
    throw new ClientFault(17, `Package ${target.file} not found`);
  }
  return sendFile(request, reply, services.blobs.pathOf(sha), 'application/octet-stream', { 'X-Package-FileName': pkg.filename });
}

export function registerGetReq(app: FastifyInstance, services: Services): void {
  app.route<{ Params: { '*': string } }>({
    method: ['GET', 'HEAD'],
    url: '/XMLRPC/*',
    handler: async (request, reply) => {
      try {
        return await handle(services, request, reply);
      } catch (err) {
        const wire = faultFromError(err);
        if (!wire) {
          request.log.error({ err, url: request.url }, 'GET-REQ failed');
          return reply.code(500).send('');
        }
        return sendFault(reply, wire);
      }
    },
  });
}
