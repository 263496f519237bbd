import { join } from 'node:path';

/**
 * The config service's gRPC contract. The build copies libs/contracts/proto next to the compiled
 * libs/contracts/src, so this resolves both from dist/ and from the sources.
 */
export const CONFIG_PROTO_PATH = join(__dirname, '..', 'proto', 'hookpost', 'config', 'v1', 'config.proto');
export const CONFIG_PROTO_PACKAGE = 'hookpost.config.v1';
export const CONFIG_GRPC_SERVICE = 'ConfigService';

/** proto-loader options the server and its clients share: field names as in the proto, defaults filled. */
export const PROTO_LOADER_OPTIONS = {
  /** Where config.proto's import of messages.proto is found. */
  includeDirs: [join(__dirname, '..', 'proto')] as string[],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;
