// mTLS between Silta services (ARCHITECTURE.md: "mTLS where the deployment enables it"). One set
// of files per service: its certificate and key (presented as a server and as a client) and the
// CA that signs every Silta service's certificate. With them, a server accepts only clients that
// present a certificate of that CA, and a client accepts only servers that do; without them,
// plaintext (a laptop, a mesh that does mTLS for the pods). cert-manager's Secret keys (tls.crt,
// tls.key, ca.crt) fit as they are.
import { readFileSync } from "node:fs";
import { type ChannelCredentials, credentials, ServerCredentials } from "@grpc/grpc-js";

export interface GrpcTlsConfig {
  SILTA_GRPC_TLS_CA_FILE?: string | undefined;
  SILTA_GRPC_TLS_CERT_FILE?: string | undefined;
  SILTA_GRPC_TLS_KEY_FILE?: string | undefined;
}

export interface GrpcCredentials {
  server: ServerCredentials;
  client: ChannelCredentials;
  /** True when mutual TLS is on. */
  mutualTls: boolean;
}

export function grpcCredentials(config: GrpcTlsConfig): GrpcCredentials {
  const { SILTA_GRPC_TLS_CA_FILE: ca, SILTA_GRPC_TLS_CERT_FILE: cert, SILTA_GRPC_TLS_KEY_FILE: key } = config;
  if (!ca && !cert && !key) return { server: ServerCredentials.createInsecure(), client: credentials.createInsecure(), mutualTls: false };
  if (!ca || !cert || !key) {
    throw new Error("SILTA_GRPC_TLS_CA_FILE, SILTA_GRPC_TLS_CERT_FILE and SILTA_GRPC_TLS_KEY_FILE go together (mutual TLS needs all three)");
  }
  const caPem = readFileSync(ca);
  const certPem = readFileSync(cert);
  const keyPem = readFileSync(key);
  return {
    server: ServerCredentials.createSsl(caPem, [{ cert_chain: certPem, private_key: keyPem }], true),
    client: credentials.createSsl(caPem, keyPem, certPem),
    mutualTls: true,
  };
}
