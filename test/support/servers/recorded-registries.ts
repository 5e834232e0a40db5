/**
 * Service registry answers as their API references show them: Consul's
 * GET /v1/health/service/:service example (one "redis" instance on node foobar; a second entry
 * on another node added), and Nacos' GET /nacos/v1/ns/instance/list example (an instance of
 * nacos.test.1; with healthyOnly=true Nacos returns only healthy ones, as the two here).
 */
const consulEntry = (node: string, address: string, port: number) => ({
  Node: {
    ID: '40e4a748-2192-161a-0510-9bf59fe950b5',
    Node: node,
    Address: address,
    Datacenter: 'dc1',
    TaggedAddresses: { lan: address, wan: address },
    Meta: { instance_type: 't2.medium' },
  },
  Service: {
    ID: 'redis',
    Service: 'redis',
    Tags: ['primary'],
    Address: address,
    TaggedAddresses: { lan: { address, port }, wan: { address, port } },
    Meta: { redis_version: '4.0' },
    Port: port,
    Weights: { Passing: 10, Warning: 1 },
    Namespace: 'default',
  },
  Checks: [
    { Node: node, CheckID: 'service:redis', Name: "Service 'redis' check", Status: 'passing', Notes: '', Output: '', ServiceID: 'redis', ServiceName: 'redis', ServiceTags: ['primary'], Namespace: 'default' },
    { Node: node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Notes: '', Output: '', ServiceID: '', ServiceName: '', ServiceTags: [], Namespace: 'default' },
  ],
});

export const CONSUL_REDIS_PASSING = [consulEntry('foobar', '10.1.10.12', 8000), consulEntry('foobaz', '10.1.10.13', 8000)];

const nacosHost = (ip: string, port: number) => ({
  instanceId: `${ip}#${port}#DEFAULT#DEFAULT_GROUP@@nacos.test.1`,
  ip,
  port,
  weight: 1.0,
  healthy: true,
  enabled: true,
  ephemeral: true,
  clusterName: 'DEFAULT',
  serviceName: 'DEFAULT_GROUP@@nacos.test.1',
  metadata: {},
  instanceHeartBeatInterval: 5000,
  instanceIdGenerator: 'simple',
  instanceHeartBeatTimeOut: 15000,
  ipDeleteTimeout: 30000,
});

export const NACOS_INSTANCE_LIST = {
  name: 'DEFAULT_GROUP@@nacos.test.1',
  groupName: 'DEFAULT_GROUP',
  clusters: '',
  cacheMillis: 10000,
  hosts: [nacosHost('10.10.10.10', 8888), nacosHost('10.10.10.11', 8888)],
  lastRefTime: 1528787794594,
  checksum: '',
  allIPs: false,
  reachProtectionThreshold: false,
  valid: true,
};

export const NACOS_SERVICE_NOT_FOUND = 'caused: service not found: nacos.test.404;';
