// Builds the Fastify application without listening: routes, body parsing and limits. The
// process entry (serve.ts) and the tests both start from here.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js';
import type { Services } from './services.js';
import type { Registry } from './rpc/registry.js';
import { registerRpcApi } from './routes/rpc-api.js';
import { registerPackageRoutes } from './routes/packages.js';
import { registerGetReq } from './routes/get-req.js';
import { registerUploadRoutes } from './routes/upload.js';
import { registerXmlRpcClient } from './routes/xmlrpc-client.js';
import { createClientService, type ClientHandlerTable } from '../client-shim/index.js';

export interface AppOptions {
  services: Services;
  registry: Registry;
  logger?: FastifyServerOptions['logger'];
  https?: { cert: Buffer; key: Buffer } | null;
  /** the /XMLRPC handlers (default: the client-shim table) */
  clientHandlers?: ClientHandlerTable;
}

type Logger = FastifyBaseLogger;
const LEVELS = ['info', 'error', 'debug', 'fatal', 'warn', 'trace'] as const;

/** A request's logger that creates pino's child (with the request id) only when something is logged. */
class LazyChildLogger {
  private made: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private get real(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.opts));
  }

  get level(): string {
    return this.made ? this.made.level : (this.opts.level ?? this.parent.level);
  }

  set level(level: string) {
    this.real.level = level;
  }

  child(bindings: Bindings, opts?: ChildLoggerOptions): Logger {
    return this.real.child(bindings, opts);
  }

  silent(): void {}
}
for (const level of LEVELS) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value(this: { real: Logger }, ...args: unknown[]) {
      const real = this.real;
      return (real[level] as (...a: unknown[]) => void).apply(real, args);
    },
  });
}

function lazyChildLogger(logger: Logger, bindings: Bindings, opts: ChildLoggerOptions): Logger {
  return new LazyChildLogger(logger, bindings, opts) as unknown as Logger;
}

export function buildApp(opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Per-request lines would double the cost of small API calls; faults are logged by the routes.
    logController: new LogController({ disableRequestLogging: true }),
    // Most requests log nothing: their child logger (request id binding) is made on first use.
    childLoggerFactory: lazyChildLogger,
    bodyLimit: 1024 * 1024,
    // Older yum/dnf plugins send the empty X-RHN-Auth-User-Id header followed by a bare LF, which
    // Node's strict parser answers with 400 (client-protocol.md 1.2).
    ...(opts.https ? { https: { ...opts.https, insecureHTTPParser: true } } : { http: { insecureHTTPParser: true } }),
    // a serverURL with a trailing slash makes /XMLRPC//GET-REQ/...
    routerOptions: { ignoreDuplicateSlashes: true },
  } as FastifyServerOptions) as unknown as FastifyInstance;

  // XML-RPC clients label their bodies text/xml, Perl's Frontier sometimes nothing useful:
  // take every body as raw bytes and let each route decide what it accepts.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerRpcApi(app, opts.services, opts.registry);
  registerPackageRoutes(app, opts.services);
  registerUploadRoutes(app, opts.services);
  registerXmlRpcClient(app, opts.services, opts.clientHandlers ?? clientHandlers(app, opts.services));
  registerGetReq(app, opts.services);
  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}

/** The client-shim table over the services; its buffered check-ins are written when the app closes. */
function clientHandlers(app: FastifyInstance, services: Services): ClientHandlerTable {
  const client = createClientService({
    stores: services.stores,
    authKey: services.clientAuthKey,
    // the server log is attached after the app is built
    log: { warn: (obj, msg) => services.log?.warn(obj, msg) },
  });
  // onClose runs once in-flight requests are done, before serve.ts closes the stores
  app.addHook('onClose', async () => client.close());
  return client.handlers;
}
