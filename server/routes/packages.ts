// Package files over HTTP for admins: signed download URLs (packages.getPackageUrl).
// Guests fetch packages through /XMLRPC/GET-REQ instead.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { downloadSignature, type Services } from '../services.js';

interface DownloadParams {
  id: string;
  expires: string;
  sig: string;
  file: string;
}

export function registerPackageRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Params: DownloadParams }>('/download/package/:id/:expires/:sig/:file', async (request, reply) => {
    const { id, expires, sig, file } = request.params;
    if (!/^\d+$/.test(id) || !/^\d+$/.test(expires) || !/^[a-f0-9]{32}$/.test(sig)) return reply.code(404).send('Not found\n');
    const expected = Buffer.from(downloadSignature(services.downloadSecret, Number(id), Number(expires)));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return reply.code(403).send('Invalid download link\n');
    if (Number(expires) < Date.now() / 1000) return reply.code(403).send('Download link expired\n');
    const pkgs = await services.stores.packages.getMany([Number(id)]);
    const pkg = pkgs[0];
    if (!pkg || pkg.filename !== file || !pkg.blobSha256 || !services.blobs.has(pkg.blobSha256)) return reply.code(404).send('Not found\n');
    reply
      .header('Content-Type', 'application/x-rpm')
      .header('Content-Length', services.blobs.size(pkg.blobSha256))
      .header('Content-Disposition', `attachment; filename="${pkg.filename.replace(/"/g, '')}"`);
    return reply.send(services.blobs.open(pkg.blobSha256));
  });
}
