// A throwaway PKI for mTLS tests, made with the openssl CLI: a CA and certificates it signs for
// 127.0.0.1/localhost, plus a certificate from a second, untrusted CA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  caFile: string;
  /** Issues a certificate of the trusted CA (server and client use) named `name`. */
  issue(name: string): { certFile: string; keyFile: string };
  /** A certificate of another CA, which the services must refuse. */
  rogue: { certFile: string; keyFile: string };
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", key, "-out", cert],
    dir,
  );
  return { cert, key };
}

function issueFrom(dir: string, ca: { cert: string; key: string }, name: string): { certFile: string; keyFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${name}`, "-keyout", keyFile, "-out", csr], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", certFile], dir);
  return { certFile, keyFile };
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "silta-pki-"));
  const ca = makeCa(dir, "silta-test-ca");
  const other = makeCa(dir, "other-ca");
  return { dir, caFile: ca.cert, issue: (name) => issueFrom(dir, ca, name), rogue: issueFrom(dir, other, "rogue") };
}
