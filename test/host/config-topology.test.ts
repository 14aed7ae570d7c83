/** `[redis] cluster`, `[redis.sentinel]` and `durability` in flexq.toml, as the engine gets them. */
import { describe, expect, it } from 'vitest';
import { describeRedisAddress, queueConfig } from '../../src/config/redis-target.js';
import { errorOf, parse } from './config-helpers.js';

describe('Redis topologies in flexq.toml', () => {
  it('a cluster by some of its nodes, with replicated durability, reaches the engine', () => {
    const config = parse('[redis]\ncluster = ["127.0.0.1:7001", "127.0.0.1:7002"]\ndurability = "replicated"\npassword = "pw"\n');
    expect(config.redisConfigured).toBe(true);
    expect(describeRedisAddress(config.redis)).toBe('cluster 127.0.0.1:7001,127.0.0.1:7002');
    expect(queueConfig(config.redis, config.queues[0]!)).toMatchObject({
      cluster: { nodes: ['127.0.0.1:7001', '127.0.0.1:7002'] }, durability: 'replicated', password: 'pw',
    });
  });

  it('a Sentinel-watched primary by name and sentinels reaches the engine, without its passwords in the address', () => {
    const config = parse('[redis.sentinel]\nname = "mymaster"\nnodes = ["127.0.0.1:26379"]\npassword = "sentinel-pw"\n');
    expect(describeRedisAddress(config.redis)).toBe('sentinel "mymaster" via 127.0.0.1:26379');
    expect(queueConfig(config.redis, config.queues[0]!).sentinel).toEqual({ name: 'mymaster', nodes: ['127.0.0.1:26379'], password: 'sentinel-pw' });
  });

  it('refuses two targets at once, a bad node and an unknown durability, naming the key', () => {
    expect(errorOf('[redis]\naddr = "localhost:6379"\ncluster = ["127.0.0.1:7001"]\n').message).toMatch(/give one of url, addr, cluster and sentinel/);
    expect(errorOf('[redis]\ncluster = ["nowhere"]\n').message).toMatch(/redis\.cluster\.0.*expected "host:port"/);
    expect(errorOf('[redis]\ndurability = "eventually"\n').message).toMatch(/redis\.durability/);
  });
});
