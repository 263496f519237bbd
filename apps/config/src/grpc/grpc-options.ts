import { ReflectionService } from '@grpc/reflection';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { CONFIG_PROTO_PACKAGE, CONFIG_PROTO_PATH, PROTO_LOADER_OPTIONS } from '@hookpost/contracts';
import type { ConfigEnv } from '../env';

/** `host:port` for gRPC's bind (IPv6 literals in brackets). */
export function grpcAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The config service's gRPC server: hookpost.config.v1 on GRPC_HOST (default HTTP_HOST):GRPC_PORT, with reflection. */
export function configGrpcOptions(
  env: Pick<ConfigEnv, 'GRPC_HOST' | 'GRPC_PORT' | 'HTTP_HOST'>,
): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: grpcAddress(env.GRPC_HOST ?? env.HTTP_HOST, env.GRPC_PORT),
      package: CONFIG_PROTO_PACKAGE,
      protoPath: CONFIG_PROTO_PATH,
      loader: { ...PROTO_LOADER_OPTIONS },
      onLoadPackageDefinition: (pkg, server) => new ReflectionService(pkg).addToServer(server),
    },
  };
}
