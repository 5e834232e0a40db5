import type { ProbeDriver } from './driver';
import { dnsDriver } from './drivers/dns.driver';
import { httpDriver } from './drivers/http.driver';
import { postgresDriver } from './drivers/postgres.driver';
import { redisDriver } from './drivers/redis.driver';
import { redisSentinelDriver } from './drivers/redis-sentinel.driver';
import { redisClusterDriver } from './drivers/redis-cluster.driver';
import { memcachedDriver } from './drivers/memcached.driver';
import { zookeeperDriver } from './drivers/zookeeper.driver';
import { mysqlDriver } from './drivers/mysql.driver';
import { tcpDriver } from './drivers/tcp.driver';
import { haproxyDriver } from './drivers/haproxy.driver';
import { nginxDriver } from './drivers/nginx.driver';
import { exporterDriver } from './drivers/exporter.driver';
import { elasticsearchDriver } from './drivers/elasticsearch.driver';
import { nagiosDriver } from './drivers/nagios.driver';
import { vipDriver } from './drivers/vip.driver';
import { rabbitmqDriver } from './drivers/rabbitmq.driver';
import { registryDriver } from './drivers/registry.driver';
import { kafkaDriver } from './drivers/kafka.driver';

/** Every driver Nines knows. A new layer is one driver file plus one line here. */
export const DRIVERS: readonly ProbeDriver[] = [httpDriver, tcpDriver, dnsDriver, postgresDriver, redisDriver, haproxyDriver, redisSentinelDriver, redisClusterDriver, memcachedDriver, zookeeperDriver, mysqlDriver, nginxDriver, exporterDriver, elasticsearchDriver, nagiosDriver, vipDriver, rabbitmqDriver, registryDriver, kafkaDriver];

const byKind = new Map(DRIVERS.map((d) => [d.kind, d]));

export function driverFor(kind: string): ProbeDriver | undefined {
  return byKind.get(kind);
}

export function knownKinds(): string[] {
  return [...byKind.keys()];
}
