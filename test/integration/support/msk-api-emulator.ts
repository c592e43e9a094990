import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the one MSK control-plane call the functions make, `GetBootstrapBrokers`
 * (`GET /v1/clusters/{clusterArn}/bootstrap-brokers`, REST-JSON), which moto does not serve. It
 * knows one cluster and answers for it with the given IAM broker string; any other ARN gets MSK's
 * NotFoundException. The functions' real KafkaClient reaches it through AWS_ENDPOINT_URL_KAFKA.
 */
export class MskApiEmulator {
  /** The cluster ARNs asked about, in order. */
  readonly asked: string[] = [];
  private server: Server | undefined;

  constructor(
    private readonly clusterArn: string,
    private readonly brokers: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const match = /^\/v1\/clusters\/(.+)\/bootstrap-brokers$/.exec(request.url ?? '');
      const arn = match ? decodeURIComponent(match[1] as string) : '';
      this.asked.push(arn);
      const known = request.method === 'GET' && arn === this.clusterArn;
      response.writeHead(known ? 200 : 404, {
        'content-type': 'application/json',
        ...(known ? {} : { 'x-amzn-errortype': 'NotFoundException' }),
      });
      response.end(
        JSON.stringify(
          known ? { bootstrapBrokerStringSaslIam: this.brokers } : { message: `cluster ${arn} not found` },
        ),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
