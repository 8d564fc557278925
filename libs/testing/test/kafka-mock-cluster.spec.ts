import net from 'node:net';
import { isKcatAvailable, startKafkaMockCluster } from '../src';

const describeWithKcat = isKcatAvailable() ? describe : describe.skip;

describeWithKcat('startKafkaMockCluster', () => {
  it('starts a mock cluster whose brokers accept connections, and stops it', async () => {
    const cluster = await startKafkaMockCluster({ brokers: 3 });
    try {
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      const [host, port] = (cluster.brokers[0] as string).split(':');
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: host as string, port: Number(port) }, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
    } finally {
      await cluster.stop();
    }
    expect(() => process.kill(cluster.pid, 0)).toThrow();
  });
});
