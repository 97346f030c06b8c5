// The rules that keep services apart, checked on the source: a service never imports another
// service's code; topic names and CloudEvents types are declared once, in @silta/contracts; and
// the one list of services (services.json) is what the Makefile, scripts, compose and
// the chart follow.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { consentService } from "@silta/consent";
import { consultationsService } from "@silta/consultations";
import { gatewayService } from "@silta/gateway";
import type { ServiceSpec } from "@silta/host";
import { meetingsService } from "@silta/meetings";
import { notificationsService } from "@silta/notifications";
import { referralsService } from "@silta/referrals";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { root } from "./chart-kit.ts";

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name === "gen") return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const serviceNames = readdirSync(join(root, "services")).filter((n) => statSync(join(root, "services", n)).isDirectory());
const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] as string);

/** Imports in `file` that reach another service's code. */
export function foreignImports(file: string, owner: string): string[] {
  return importsOf(file).filter((spec) => {
    const pkg = spec.match(/^@silta\/([a-z-]+)/)?.[1];
    if (pkg && pkg !== owner && serviceNames.includes(pkg)) return true;
    if (!spec.startsWith(".")) return false;
    const target = relative(join(root, "services"), join(file, "..", spec));
    const service = target.split("/")[0];
    return !target.startsWith("..") && service !== owner;
  });
}

describe("service boundaries", () => {
  it("no file under services/X imports services/Y (by path or package)", () => {
    const found = serviceNames.flatMap((s) =>
      tsFiles(join(root, "services", s)).flatMap((f) => foreignImports(f, s).map((i) => `${relative(root, f)} imports ${i}`)),
    );
    expect(found).toEqual([]);
  });

  it("the kit's packages import no service", () => {
    const found = tsFiles(join(root, "packages")).flatMap((f) => foreignImports(f, "(kit)").map((i) => `${relative(root, f)} imports ${i}`));
    expect(found).toEqual([]);
  });

  it("the rule is not vacuous: a relative import into another service and a package import of one are both caught", () => {
    const probe = join(root, "services", "referrals", "src", "probe.ts");
    const imports = ['import { x } from "../../consent/src/service.ts";', 'import { y } from "@silta/gateway";', 'import { z } from "./app/ports.ts";'];
    const found = imports.flatMap((line) => {
      const spec = line.match(/["']([^"']+)["']/)?.[1] as string;
      const pkg = spec.match(/^@silta\/([a-z-]+)/)?.[1];
      if (pkg) return pkg !== "referrals" && serviceNames.includes(pkg) ? [spec] : [];
      const target = relative(join(root, "services"), join(probe, "..", spec));
      return target.split("/")[0] !== "referrals" ? [spec] : [];
    });
    expect(found).toEqual(["../../consent/src/service.ts", "@silta/gateway"]);
  });
});

// A quoted topic name (`<domain>.<entity>[.…].v<major>`, also as a template with a placeholder) or
// a CloudEvents type (`fi.silta.…`) outside @silta/contracts. Comments are not code.
const TOPIC_LITERAL = /["'`]([a-z][a-z0-9-]*\.)+(\$\{[^}]+\}\.)?([a-z0-9-]+\.)*v\d+["'`]/;
const TYPE_LITERAL = /["'`]fi\.silta\.[a-z0-9.-]+["'`]/;
const stripComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

/**
 * Where literals may stand: the contracts themselves; tests (which assert what travels, by
 * name); and the inbox consumer example, written for an area's own integrators, who read the
 * topic without any Silta package.
 */
const LITERALS_ALLOWED = [/^packages\/contracts\//, /\/test\//, /^tests\//, /^services\/referrals\/examples\//];

describe("event contracts are declared once, in @silta/contracts", () => {
  it("no topic name or ce_type string literal in TypeScript outside @silta/contracts", () => {
    const files = [...tsFiles(join(root, "services")), ...tsFiles(join(root, "packages")), ...tsFiles(join(root, "scripts"))];
    const found = files
      .map((f) => relative(root, f))
      .filter((f) => !LITERALS_ALLOWED.some((a) => a.test(f)))
      .flatMap((f) =>
        stripComments(readFileSync(join(root, f), "utf8"))
          .split("\n")
          .filter((line) => TOPIC_LITERAL.test(line) || TYPE_LITERAL.test(line))
          .map((line) => `${f}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it("the patterns find what they are for", () => {
    for (const line of ['const t = "referrals.referral.v1";', "const t = `referrals.inbox.$" + "{a}.v1`;", 'type: "fi.silta.consent.granted.v1",'])
      expect(TOPIC_LITERAL.test(line) || TYPE_LITERAL.test(line)).toBe(true);
    for (const line of ['const P = "silta.referrals.v1.";', 'request: "silta.usage.v1.ListUsageLogRequest",', "x.v1"])
      expect(TOPIC_LITERAL.test(line) || TYPE_LITERAL.test(line)).toBe(false);
  });
});

interface ListedService {
  name: string;
  grpcPort?: number;
  httpPort?: number;
  adminPort: number;
  database: boolean;
}
const listed = (JSON.parse(readFileSync(join(root, "services.json"), "utf8")) as { services: ListedService[] }).services;
const specs: Record<string, ServiceSpec<never, unknown>> = {
  consent: consentService as never,
  referrals: referralsService as never,
  consultations: consultationsService as never,
  meetings: meetingsService as never,
  notifications: notificationsService as never,
  gateway: gatewayService as never,
};

describe("the one list of services (services.json)", () => {
  it("names every service that has a main.ts, and nothing else", () => {
    const withMain = serviceNames.filter((s) => existsSync(join(root, "services", s, "src", "main.ts"))).sort();
    expect(listed.map((s) => s.name).sort()).toEqual(withMain);
  });

  it("gives each service the ports its own config defaults to, and a database exactly when it has one", () => {
    for (const s of listed) {
      const shape = specs[s.name]?.config as Record<string, { parse(v: unknown): unknown }> | undefined;
      expect(shape, `a spec for ${s.name} in this test`).toBeDefined();
      if (!shape) continue;
      expect(shape.SILTA_ADMIN_PORT?.parse(undefined)).toBe(s.adminPort);
      expect(shape.SILTA_GRPC_PORT?.parse(undefined)).toBe(s.grpcPort);
      expect(shape.SILTA_HTTP_PORT?.parse(undefined)).toBe(s.httpPort);
      expect("SILTA_DATABASE_URL" in shape).toBe(s.database);
    }
  });

  it("is what docker-compose.yml and the chart's values run", () => {
    const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as { services: Record<string, unknown> };
    const values = parse(readFileSync(join(root, "charts", "silta", "values.yaml"), "utf8")) as { services: Record<string, unknown> };
    const names = listed.map((s) => s.name).sort();
    expect(Object.keys(values.services).sort()).toEqual(names);
    for (const n of names) expect(Object.keys(compose.services)).toContain(n);
  });

  it("is what make images and scripts/services.sh read", () => {
    for (const file of ["Makefile", "scripts/services.sh"]) {
      const text = readFileSync(join(root, file), "utf8");
      expect(text).toContain("services.json");
      for (const s of listed) expect(text, `${file} must not list ${s.name} by hand`).not.toMatch(new RegExp(`\\b${s.name}:${s.adminPort}\\b`));
    }
  });
});
