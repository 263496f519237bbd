import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  CONFIG_GRPC_SERVICE,
  CONFIG_PROTO_PACKAGE,
  CONFIG_PROTO_PATH,
  PROTO_LOADER_OPTIONS,
} from '@hookpost/contracts';

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;
type UnaryMethod = (
  request: Request,
  metadata: grpc.Metadata,
  callback: (err: grpc.ServiceError | null, response?: Response) => void,
) => void;
type ServiceClient = grpc.Client & Record<string, UnaryMethod>;

function serviceConstructor(path: string, qualifiedName: string): grpc.ServiceClientConstructor {
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(path, { ...PROTO_LOADER_OPTIONS }));
  let node: unknown = definition;
  for (const part of qualifiedName.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

/** The RPC names of hookpost.config.v1.ConfigService, as the proto declares them. */
export function configRpcNames(): string[] {
  const definition = protoLoader.loadSync(CONFIG_PROTO_PATH, { ...PROTO_LOADER_OPTIONS });
  return Object.keys(definition[`${CONFIG_PROTO_PACKAGE}.${CONFIG_GRPC_SERVICE}`]);
}

/** What a failed call answered. */
export interface GrpcFailure {
  code: grpc.status;
  details: string;
}

/** A plain @grpc/grpc-js client of hookpost.config.v1.ConfigService, loaded from the shipped proto. */
export class ConfigGrpcClient {
  private readonly client: ServiceClient;

  constructor(
    address: string,
    private readonly token: string | null,
  ) {
    const Ctor = serviceConstructor(CONFIG_PROTO_PATH, `${CONFIG_PROTO_PACKAGE}.${CONFIG_GRPC_SERVICE}`);
    this.client = new Ctor(address, grpc.credentials.createInsecure()) as ServiceClient;
  }

  /** Calls `method` with the bearer token (or the `authorization` value given), resolving its answer. */
  call<T = Response>(method: string, request: Request, authorization?: string | null): Promise<T> {
    const metadata = new grpc.Metadata();
    const header = authorization === undefined ? (this.token ? `Bearer ${this.token}` : null) : authorization;
    if (header !== null) metadata.set('authorization', header);
    return new Promise((resolve, reject) => {
      this.client[method](request, metadata, (err, response) => (err ? reject(err) : resolve(response as T)));
    });
  }

  /** Calls `method` expecting it to fail; the status code and details. */
  async failure(method: string, request: Request, authorization?: string | null): Promise<GrpcFailure> {
    try {
      const response = await this.call(method, request, authorization);
      throw new Error(`${method} succeeded: ${JSON.stringify(response)}`);
    } catch (err) {
      const { code, details } = err as grpc.ServiceError;
      if (typeof code !== 'number') throw err;
      return { code, details };
    }
  }

  close(): void {
    this.client.close();
  }
}

const REFLECTION_PROTO = join(
  dirname(require.resolve('@grpc/reflection')),
  '..',
  'proto',
  'grpc',
  'reflection',
  'v1alpha',
  'reflection.proto',
);

/** One request on grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo; its one answer. */
export function reflectionRequest(address: string, request: Request): Promise<Response> {
  const Ctor = serviceConstructor(REFLECTION_PROTO, 'grpc.reflection.v1alpha.ServerReflection');
  const client = new Ctor(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    ServerReflectionInfo(): grpc.ClientDuplexStream<Request, Response>;
  };
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.on('data', (response: Response) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.on('end', () => client.close());
    stream.write(request);
  });
}
