import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { systemClock } from '../../../libs/common/src/clock';
import { ConfigHolder, loadConfigFile } from '../../../libs/config/src/config-holder';
import type { Settings } from '../../../libs/config/src/settings';
import { NinesMetrics } from '../../../libs/metrics/src/metrics';
import { LocationCollector } from '../../../libs/metrics/src/location-collector';
import { LocationBoardReader } from '../../../libs/probes/src/location-board';
import { StateCollector } from '../../../libs/metrics/src/state-collector';
import { IncidentCollector } from '../../../libs/metrics/src/incident-collector';
import { IncidentQuery } from '../../../libs/incidents/src/incident.query';
import { createDataSource, ensureDatabase, initializeDataSource, migrate } from '../../../libs/storage/src/database';
import { StateRepository } from '../../../libs/storage/src/state.repository';
import { TargetRepository } from '../../../libs/storage/src/target.repository';
import { isLoopbackHost, refuseToStart } from '../../../libs/access/src/authorize';
import { TokenRepository } from '../../../libs/access/src/token.repository';
import { AppModule } from './app.module';
import { AccessGate } from './access/access-gate';
import { bodyParsers } from './runtime/body-parsers';
import { RejectNul } from './runtime/no-nul.pipe';
import { PinoNestLogger } from './runtime/nest-logger';
import { Readiness } from './runtime/readiness';
import { RedisConnections } from './runtime/redis';
import type { Runtime } from './runtime/runtime';
import { LiveStates } from './runtime/live-states';
import { TargetIds } from './runtime/target-ids';

export interface RunningNines {
  app: NestExpressApplication;
  runtime: Runtime;
  url: string;
  stop(): Promise<void>;
}

/** Starts Nines with the given settings: config, database, migrations, Redis, then Nest. */
export async function startNines(settings: Settings, logger: Logger): Promise<RunningNines> {
  const config = new ConfigHolder(settings.configPath, await loadConfigFile(settings.configPath, settings.env), settings.env);
  await ensureDatabase(settings.databaseUrl);
  const dataSource = createDataSource(settings.databaseUrl, { applicationName: `nines-${[...settings.roles].join('+')}` });
  await initializeDataSource(dataSource, settings.databaseUrl);
  const readiness = new Readiness();
  const ran = await migrate(dataSource);
  if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
  readiness.migrated = true;
  if (settings.roles.has('api')) {
    // Beyond loopback, an API nobody needs a token for would put the pager in anyone's hands.
    const refusal = refuseToStart({ loopback: isLoopbackHost(settings.host), tokensExist: !!config.get().raw.auth.oidc || (await new TokenRepository(dataSource).anyUsable(new Date())) });
    if (refusal) {
      await dataSource.destroy().catch(() => undefined);
      throw Object.assign(new Error(refusal), { oneLine: true });
    }
  }
  // Ack links are always signed: without alerting.ack_secret, with the deployment's own key.
  const [{ value: ackKey }] = await dataSource.query(`select value from instance_secrets where name = 'ack'`);
  config.addDefaults((c) => {
    if (!c.raw.alerting.ack_secret) {
      c.raw.alerting.ack_secret = ackKey;
      c.secrets.push(ackKey);
    }
  });
  const redisConnections = new RedisConnections(settings.redis, `nines-${settings.instanceId}`);
  const redis = await redisConnections.main();

  // Keep the target registry in step with the config; runs before any other reload listener.
  const targetIds = new TargetIds();
  const registry = new TargetRepository(dataSource);
  targetIds.ids = await registry.sync(config.get());
  config.onChange(async (next) => {
    targetIds.ids = await registry.sync(next);
  });

  const metrics = new NinesMetrics();
  const liveStates = new LiveStates();
  metrics.follow(config.get());
  config.onChange((next) => metrics.follow(next));
  if (settings.roles.has('api')) {
    new StateCollector({ targets: () => config.get().targets, state: new StateRepository(dataSource), live: () => liveStates.lookup, clock: systemClock }, metrics.registry);
    new LocationCollector({ targets: () => config.get().targets, reader: new LocationBoardReader(redis), clock: systemClock }, metrics.registry);
    new IncidentCollector({ query: new IncidentQuery(dataSource), systems: () => config.get().systems.map((s) => s.name) }, metrics.registry);
  }
  const runtime: Runtime = { settings, config, dataSource, redis, logger, clock: systemClock, metrics, readiness, targetIds, liveStates, redisConnections };

  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime), {
    logger: new PinoNestLogger(logger),
    // Ours instead of Nest's: limits.body from the config (followed on reload) and a depth bound.
    bodyParser: false,
  });
  app.use(...bodyParsers(config));
  app.useGlobalPipes(new RejectNul());
  app.disable('x-powered-by');
  // Behind a reverse proxy on the same host, the client is the one X-Forwarded-For names.
  app.set('trust proxy', 'loopback');
  if (settings.roles.has('api')) {
    app.use('/docs', app.get(AccessGate).middleware(() => ({ public: 'docs' })));
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('Nines').setDescription('Monitoring and alerting for high-availability stacks').setVersion('0.1.0').build(),
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
  }
  // No enableShutdownHooks(): main.ts owns SIGTERM/SIGINT (and calls stop()), and Nest's default
  // signal list includes SIGHUP, which would shut Nines down instead of reloading the config.
  try {
    await app.listen(settings.port, settings.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    redisConnections.closeAll();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw Object.assign(new Error(`port ${settings.host}:${settings.port} is already in use (set NINES_PORT to another port)`), { oneLine: true });
    throw err;
  }
  const addr = app.getHttpServer().address();
  const url = typeof addr === 'object' && addr ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : `http://${settings.host}:${settings.port}`;
  logger.info({ url, roles: [...settings.roles], config: settings.configPath, instance: settings.instanceId, targets: config.get().targets.length, redis: redisConnections.describe() }, 'nines started');

  let stopped = false;
  return {
    app,
    runtime,
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      readiness.stopping = true;
      await app.close();
      await dataSource.destroy().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      redisConnections.closeAll();
    },
  };
}
