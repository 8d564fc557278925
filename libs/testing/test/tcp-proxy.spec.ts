import net from 'node:net';
import { TcpProxy, waitFor } from '../src';

function roundTrip(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.length >= payload.length) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after "${received}"`)));
    socket.write(payload);
  });
}

describe('TcpProxy', () => {
  const echo = net.createServer((socket) => socket.pipe(socket));
  let proxy: TcpProxy;

  beforeAll(async () => {
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy({ targetHost: '127.0.0.1', targetPort: (echo.address() as net.AddressInfo).port });
    await proxy.start();
  });

  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('forwards, refuses while cut, and recovers after restore', async () => {
    expect(await roundTrip(proxy.port, 'ping')).toBe('ping');
    proxy.cut();
    await expect(roundTrip(proxy.port, 'ping')).rejects.toThrow();
    proxy.restore();
    expect(await waitFor(() => roundTrip(proxy.port, 'pong'), { timeoutMs: 2000, description: 'proxy recovery' })).toBe('pong');
  });

  it('waitFor reports the description and the last error on timeout', async () => {
    await expect(
      waitFor(() => {
        throw new Error('still red');
      }, { timeoutMs: 50, description: 'the light to turn green' }),
    ).rejects.toThrow(/the light to turn green.*still red/);
  });
});
