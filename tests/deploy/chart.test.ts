// The Helm chart, rendered offline for each party's values and checked by machines: schema
// validation (Kubernetes, Strimzi, prometheus-operator), the pod security every container must
// have, NetworkPolicies, what each party installs, and Kafka topics/ACLs against the topics the
// services declare in code. What cannot be checked without a cluster is listed in
// charts/silta/README.md.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONSENT_TOPIC, consumedBy, deployedTopics, producedBy } from "@silta/contracts/events";
import { allAreaCodes } from "@silta/platform";
import { beforeAll, describe, expect, it } from "vitest";
import {
  chartDir,
  checkValuesSet,
  helmTemplate,
  kubeconform,
  type Manifest,
  parseManifests,
  render,
  renderNotes,
  root,
  toolsMissing,
  validateCustomResources,
  valuesSets,
} from "./chart-kit.ts";

const file = (set: string) => (valuesSets.find((s) => s.name === set) as (typeof valuesSets)[number]).files;
const ofKind = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind);
const byName = (objects: Manifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as Manifest;

// The topics declared in @silta/contracts: the one source of truth the chart must follow.
const declaredTopics = new Map(deployedTopics(allAreaCodes()).map((t) => [t.name, t]));
const producedTopics = (service: string) => producedBy(service, allAreaCodes());
const consumedTopics = (service: string) => consumedBy(service, allAreaCodes());

beforeAll(() => {
  const missing = toolsMissing();
  if (missing.length > 0) throw new Error(`chart tools missing: ${missing.join(", ")} (make test builds them: scripts/tools.sh helm kubeconform k8s-schemas)`);
});

describe("validation (what `make chart-check` runs)", () => {
  for (const set of valuesSets) {
    it(`${set.name}: helm lint --strict passes and every rendered object is valid against its schema`, () => {
      const r = checkValuesSet(set);
      expect(r.problems).toEqual([]);
      if (set.name !== "defaults") expect(r.objects).toBeGreaterThan(5);
    });
  }

  it("refuses an unknown key or a wrong type in values, naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "silta-values-"));
    const typo = join(dir, "typo.yaml");
    writeFileSync(typo, "services:\n  referrals:\n    enabled: true\n    replicaCount: 3\n");
    const r1 = helmTemplate([typo]);
    expect(r1.status).not.toBe(0);
    expect(r1.stderr).toMatch(/services\/referrals.*additional properties 'replicaCount' not allowed/);
    const r2 = helmTemplate([], ["services.consent.pdb.maxUnavailable=one"]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/services\/consent\/pdb\/maxUnavailable.*want integer/);
    const r3 = helmTemplate([], ["global.kafka.strimzi.topicz=true"]);
    expect(r3.stderr).toMatch(/global\/kafka\/strimzi.*'topicz' not allowed/);
  });

  it("refuses an enabled service whose required setting is empty, naming the variable", () => {
    const r = helmTemplate([], ["services.gateway.enabled=true"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("services.gateway.env.SILTA_JWT_ISSUER is empty");
    const r2 = helmTemplate([], ["services.referrals.enabled=true"]);
    expect(r2.stderr).toContain("services.referrals.env.SILTA_AREA_CODE");
  });

  it("the validators catch what they are there for: an unknown field, a wrong type, a misspelt ACL field", () => {
    const objects = render(file("wellbeing-area"));
    const deployment = structuredClone(byName(objects, "Deployment", "silta-consent"));
    deployment.spec.template.spec.containers[0].readinessProbez = deployment.spec.template.spec.containers[0].readinessProbe;
    const typed = structuredClone(byName(objects, "Service", "silta-consent"));
    typed.spec.ports[0].port = "grpc-port";
    const kc = kubeconform([deployment, typed].map((o) => JSON.stringify(o)).join("\n---\n"));
    expect(kc.problems.join("\n")).toMatch(/Deployment silta-consent is invalid.*readinessProbez/s);
    expect(kc.problems.join("\n")).toMatch(/Service silta-consent is invalid/);

    const user = structuredClone(ofKind(objects, "KafkaUser")[0] as Manifest);
    user.spec.authorization.acls[0].operation = "Read";
    const topic = structuredClone(ofKind(objects, "KafkaTopic")[0] as Manifest);
    topic.spec.partitions = "six";
    const problems = validateCustomResources([user, topic]).join("\n");
    expect(problems).toMatch(/KafkaUser .*acls\[0\]\.operation: unknown field/);
    expect(problems).toMatch(/KafkaTopic .*partitions must be integer/);
  });
});

describe("alerts", () => {
  it("ship as a PrometheusRule whose every expression reads metrics the services define", () => {
    const [rule] = ofKind(render(file("all-enabled")), "PrometheusRule");
    if (!rule) throw new Error("no PrometheusRule rendered");
    const rules = (rule.spec.groups as { rules: { alert: string; expr: string }[] }[]).flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(["SiltaMustDeliverFailed", "SiltaDeadLettersGrowing", "SiltaOutboxStale", "SiltaOutboxDeadRows"]);
    const sources = ["packages/events/src/consumer.ts", "packages/postgres/src/outbox-relay.ts", "services/notifications/src/service.ts"]
      .map((f) => readFileSync(join(root, f), "utf8"))
      .join("\n");
    for (const r of rules)
      for (const metric of r.expr.match(/silta_[a-z_]+/g) ?? []) expect(sources, `${r.alert}: ${metric}`).toContain(`"${metric.replace(/_total$/, "")}"`);
    // Off unless asked for.
    expect(ofKind(render(file("wellbeing-area")), "PrometheusRule")).toEqual([]);
  });
});

describe("pods", () => {
  const all = () => render(file("all-enabled"));

  it("every container, init containers included, runs as non-root on a read-only root filesystem with no capabilities", () => {
    const deployments = ofKind(all(), "Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      "silta-consent",
      "silta-consultations",
      "silta-gateway",
      "silta-meetings",
      "silta-notifications",
      "silta-referrals",
    ]);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(c.securityContext, `${d.metadata.name}/${c.name}`).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources?.requests?.memory, `${d.metadata.name}/${c.name} memory request`).toBeTruthy();
        expect(c.resources?.limits?.memory, `${d.metadata.name}/${c.name} memory limit`).toBeTruthy();
      }
    }
  });

  it("every service starts and is kept ready on /readyz and alive on /healthz, on its admin port", () => {
    for (const d of ofKind(all(), "Deployment")) {
      const [c] = d.spec.template.spec.containers;
      expect(c.startupProbe.httpGet).toEqual({ path: "/readyz", port: "admin" });
      expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "admin" });
      expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "admin" });
      expect(c.ports.map((p: { name: string }) => p.name)).toContain("admin");
    }
  });

  it("a service with a database migrates it in an init container before it serves, with the URL from a Secret", () => {
    const objects = all();
    for (const name of ["silta-consent", "silta-referrals"]) {
      const pod = byName(objects, "Deployment", name).spec.template.spec;
      expect(pod.initContainers[0].command).toEqual(["node", "src/migrate.ts"]);
      expect(pod.initContainers[0].env.find((e: { name: string }) => e.name === "SILTA_DATABASE_URL").valueFrom.secretKeyRef.name).toBe(`${name}-db`);
    }
    expect(byName(objects, "Deployment", "silta-gateway").spec.template.spec.initContainers).toBeUndefined();
  });

  it("each service has its own ServiceAccount without a token, a Service, a PDB, an HPA when autoscaled, selectors on name+instance", () => {
    const objects = all();
    for (const d of ofKind(objects, "Deployment")) {
      const name = d.metadata.name;
      const selector = { "app.kubernetes.io/name": name.replace("silta-", ""), "app.kubernetes.io/instance": "silta" };
      expect(d.spec.selector.matchLabels).toEqual(selector);
      expect(d.spec.template.metadata.labels).toMatchObject({ ...selector, "app.kubernetes.io/part-of": "silta" });
      expect(d.spec.template.spec.serviceAccountName).toBe(name);
      expect(byName(objects, "ServiceAccount", name).automountServiceAccountToken).toBe(false);
      expect(byName(objects, "Service", name).spec.selector).toEqual(selector);
      expect(byName(objects, "PodDisruptionBudget", name).spec.selector.matchLabels).toEqual(selector);
      expect(byName(objects, "HorizontalPodAutoscaler", name).spec.scaleTargetRef.name).toBe(name);
      expect(d.spec.replicas, "an autoscaled Deployment leaves replicas to the HPA").toBeUndefined();
    }
  });

  it("no secret value is rendered: credentials come from Secrets by reference only", () => {
    const text = helmTemplate(file("all-enabled")).stdout;
    expect(ofKind(parseManifests(text), "Secret")).toEqual([]);
    for (const cm of ofKind(parseManifests(text), "ConfigMap")) {
      for (const k of Object.keys(cm.data ?? {})) expect(k).not.toMatch(/KEY$|PASSWORD|SECRET|DATABASE_URL|REDIS_URL/);
    }
  });
});

describe("mTLS between the services", () => {
  it("every service that serves or calls gRPC mounts its certificate and is told where it is; cert-manager issues it for its Service names", () => {
    const objects = render(file("wellbeing-area"));
    for (const d of ofKind(objects, "Deployment")) {
      const name = d.metadata.name;
      const volume = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === "grpc-tls");
      expect(volume?.secret.secretName, name).toBe(`${name}-grpc-tls`);
      const data = byName(objects, "ConfigMap", name).data ?? {};
      expect(data.SILTA_GRPC_TLS_CERT_FILE).toBe("/var/run/silta/grpc-tls/tls.crt");
      const cert = byName(objects, "Certificate", `${name}-grpc-tls`);
      expect(cert.spec.secretName).toBe(`${name}-grpc-tls`);
      expect(cert.spec.dnsNames).toContain(`${name}.silta.svc`);
      expect(cert.spec.usages).toEqual(expect.arrayContaining(["server auth", "client auth"]));
    }
    // The names a municipality's gateway dials (its SILTA_*_ADDRESS) are in the area's certificates.
    const municipality = render(file("municipality"));
    const dialled = byName(municipality, "ConfigMap", "silta-gateway").data ?? {};
    for (const [service, variable] of [
      ["consent", "SILTA_CONSENT_ADDRESS"],
      ["referrals", "SILTA_REFERRALS_ADDRESS"],
    ] as const) {
      const host = (dialled[variable] ?? "").split(":")[0];
      expect(byName(objects, "Certificate", `silta-${service}-grpc-tls`).spec.dnsNames).toContain(host);
    }
    // A municipality's gateway uses a certificate the area issued: mounted, not requested here.
    expect(ofKind(municipality, "Certificate")).toEqual([]);
    expect(byName(municipality, "ConfigMap", "silta-gateway").data?.SILTA_GRPC_TLS_CA_FILE).toBe("/var/run/silta/grpc-tls/ca.crt");
  });
});

describe("network policies", () => {
  it("every service has one; a gRPC port admits only the services that call it", () => {
    const objects = render(file("wellbeing-area"));
    for (const d of ofKind(objects, "Deployment")) {
      const np = byName(objects, "NetworkPolicy", d.metadata.name);
      expect(np.spec.podSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
      expect(np.spec.policyTypes).toEqual(["Ingress"]);
    }
    const callersOf = (name: string) =>
      byName(objects, "NetworkPolicy", name)
        .spec.ingress.find((r: { ports: { port: string }[] }) => r.ports[0]?.port === "grpc")
        .from.map((p: { podSelector: { matchLabels: Record<string, string> } }) => p.podSelector.matchLabels["app.kubernetes.io/name"])
        .sort();
    expect(callersOf("silta-consent")).toEqual(["consultations", "gateway", "meetings", "referrals"]);
    expect(callersOf("silta-referrals")).toEqual(["gateway"]);
    expect(callersOf("silta-consultations")).toEqual(["gateway", "notifications"]);
    expect(callersOf("silta-meetings")).toEqual(["gateway", "notifications"]);
    // The gateway has no gRPC port; its HTTP port admits the ingress controller only.
    const gw = byName(objects, "NetworkPolicy", "silta-gateway").spec.ingress;
    expect(gw.map((r: { ports: { port: string }[] }) => r.ports[0]?.port)).toEqual(["http", "admin"]);
  });
});

describe("parties", () => {
  it("a municipality installs only its gateway: no referrals or consent workload, no database, no topics", () => {
    const objects = render(file("municipality"));
    const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "Job", "CronJob"].includes(o.kind)).map((o) => o.metadata.name);
    expect(workloads).toEqual(["silta-gateway"]);
    expect(objects.filter((o) => /referrals|consent/.test(o.metadata.name))).toEqual([]);
    expect(ofKind(objects, "KafkaTopic")).toEqual([]);
    expect(ofKind(objects, "KafkaUser")).toEqual([]);
    const gateway = byName(objects, "Deployment", "silta-gateway").spec.template.spec;
    expect(gateway.volumes.find((v: { name: string }) => v.name === "kafka-user").secret.secretName).toBe("silta-publisher-kuopio");
  });

  it("an NGO installs only its gateway, and no Kafka objects", () => {
    const objects = render(file("ngo"));
    expect(ofKind(objects, "Deployment").map((d) => d.metadata.name)).toEqual(["silta-gateway"]);
    expect(objects.filter((o) => o.kind.startsWith("Kafka"))).toEqual([]);
  });

  it("the install notes tell each party what was installed, which Secrets to create and how to check it", () => {
    const area = renderNotes(file("wellbeing-area"));
    for (const s of ["consent", "gateway", "referrals"]) expect(area).toContain(`- ${s}: Deployment/silta-${s}`);
    expect(area).toContain("silta-pseudonym-key (key key): SILTA_PSEUDONYM_KEY of referrals");
    expect(area).toContain("silta-referrals-db (key url): PostgreSQL URL of referrals");
    expect(area).toContain("https://silta.pohjoissavo.example/docs");
    expect(area).toContain(`Kafka topics: ${declaredTopics.size} KafkaTopic objects`);
    expect(area).toContain("silta-referrals-grpc-tls (tls.crt, tls.key, ca.crt): mTLS of referrals (cert-manager makes it)");
    const municipality = renderNotes(file("municipality"));
    expect(municipality).toContain("- gateway: Deployment/silta-gateway");
    expect(municipality).not.toContain("referrals: Deployment");
    expect(municipality).toContain("silta-publisher-kuopio (user.crt, user.key): Kafka client certificate of gateway");
    expect(renderNotes([])).toContain("No service is enabled");
  });

  it("the wellbeing area installs everything", () => {
    const objects = render(file("wellbeing-area"));
    expect(
      ofKind(objects, "Deployment")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["silta-consent", "silta-consultations", "silta-gateway", "silta-meetings", "silta-notifications", "silta-referrals"]);
    expect(byName(objects, "ConfigMap", "silta-referrals").data?.SILTA_AREA_CODE).toBe("13");
  });
});

describe("Kafka topics and ACLs follow the code", () => {
  const objects = render(file("wellbeing-area"));
  const topics = ofKind(objects, "KafkaTopic");
  type Acl = { resource: { type: string; name: string; patternType: string }; operations: string[] };
  const aclsOf = (name: string): Acl[] => byName(objects, "KafkaUser", name).spec.authorization.acls;
  const covers = (acl: Acl, topic: string) => (acl.resource.patternType === "prefix" ? topic.startsWith(acl.resource.name) : topic === acl.resource.name);

  it("one KafkaTopic per declared topic and one per .dlq, with the declared partitions, nothing else", () => {
    const expected = [...declaredTopics.keys()].flatMap((t) => [t, `${t}.dlq`]).sort();
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(expected);
    for (const t of topics) {
      const declared = declaredTopics.get(t.spec.topicName.replace(/\.dlq$/, ""));
      expect(t.spec.partitions, t.spec.topicName).toBe(declared?.partitions);
      expect(t.metadata.labels?.["strimzi.io/cluster"]).toBe("silta");
    }
  });

  it("each service's user may write what it produces and read what it consumes, and nothing more", () => {
    const write = (user: string) => aclsOf(user).filter((a) => a.resource.type === "topic" && a.operations.includes("Write"));
    const read = (user: string) => aclsOf(user).filter((a) => a.resource.type === "topic" && a.operations.includes("Read"));
    const declared = [...declaredTopics.keys()];
    // referrals: its domain topic and every area's inbox, the education topic's DLQ; reads education only.
    expect(declared.filter((t) => write("silta-referrals").some((a) => covers(a, t))).sort()).toEqual(
      producedTopics("referrals")
        .map((t) => t.name)
        .sort(),
    );
    expect(read("silta-referrals").map((a) => a.resource.name)).toEqual(consumedTopics("referrals").map((t) => t.name));
    expect(write("silta-referrals").map((a) => a.resource.name)).toContain("municipal.education.v1.dlq");
    expect(aclsOf("silta-referrals").find((a) => a.resource.type === "group")?.resource).toEqual({
      type: "group",
      name: "silta-referrals",
      patternType: "literal",
    });
    expect(write("silta-consent").map((a) => a.resource.name)).toEqual([CONSENT_TOPIC.name]);
    expect(read("silta-consent")).toEqual([]);
    expect(write("silta-gateway").map((a) => a.resource.name)).toEqual(producedTopics("gateway").map((t) => t.name));
    expect(read("silta-gateway")).toEqual([]);
  });

  it("the wellbeing area's own systems read only their own area's inbox; a municipal publisher only writes education events", () => {
    const area = aclsOf("silta-area-13-systems");
    const readable = [...declaredTopics.keys()].filter((t) => area.some((a) => a.resource.type === "topic" && a.operations.includes("Read") && covers(a, t)));
    expect(readable).toEqual(["referrals.inbox.13.v1"]);
    expect(area.flatMap((a) => a.operations)).not.toContain("Write");
    const kuopio = aclsOf("silta-publisher-kuopio");
    expect(kuopio).toEqual([{ resource: { type: "topic", name: "municipal.education.v1", patternType: "literal" }, operations: ["Write", "Describe"] }]);
  });

  it("the services are told not to create topics where Strimzi owns them", () => {
    for (const cm of ofKind(objects, "ConfigMap")) expect(cm.data?.SILTA_KAFKA_CREATE_TOPICS).toBe("false");
  });
});

it("the chart's README documents every value", async () => {
  const { parse } = await import("yaml");
  const readme = readFileSync(join(chartDir, "README.md"), "utf8");
  const paths: string[] = [];
  const walk = (v: unknown, path: string) => {
    const map = path === "topics" || /\.(env|secretEnv|labels|annotations|requests|limits)$/.test(path); // free-form maps: documented as one value
    if (v && typeof v === "object" && !Array.isArray(v) && !map) {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    } else paths.push(path.replace(/^services\.\w+\./, "services.<name>."));
  };
  walk(parse(readFileSync(join(chartDir, "values.yaml"), "utf8")), "");
  const missing = [...new Set(paths)].filter((p) => !readme.includes(`\`${p}\``));
  expect(missing).toEqual([]);
});
