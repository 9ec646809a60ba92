/**
 * Policy checks on manifests rendered by `helm template` (run by
 * scripts/helm-check.sh): what kubeconform's schemas cannot say.
 *
 *   node scripts/helm-check/policy.ts RENDERED.yaml...
 *
 * Every container has CPU/memory requests and limits, runs as non-root on a
 * read-only root filesystem (with a writable /tmp) and without privilege
 * escalation; long-running containers have readiness and liveness probes; the
 * agent's terminationGracePeriodSeconds covers its drain timeout; the HPA's
 * targets stay below the worker's own limits (CPU load, calls per worker); a
 * SQLite database lives on a writable volume; the routing ConfigMap is a valid
 * routing file (contracts/routing.ts); livekit-sip's config holds no
 * credentials; Prometheus scrape annotations and ServiceMonitors point at real
 * metrics ports, no Ingress routes /metrics, and the Grafana dashboard
 * ConfigMap holds JSON. Exits 1 when anything fails.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { parseRouting } from '../../contracts/routing.ts';
import { CALL_CPU_BUDGET, CALL_CPU_CORES, defaultMaxCalls } from '../../agent/src/capacity.ts';

/** The worker's defaults (agent/src/config.ts) when the env does not set them. */
const DEFAULT_CPU_LOAD_LIMIT = 0.9;
const DEFAULT_MAX_CALLS = defaultMaxCalls(1);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const SECRET_ENV = /SECRET|PASSWORD|API_KEY|TOKEN/;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Walks a path of keys; undefined when any step is missing. */
function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** A CPU quantity ("1", "1.5", "500m", 2) in millicores. */
export function millicores(q: unknown): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

export class Report {
  passed = 0;
  readonly failures: string[] = [];
  check(ok: boolean, what: string): void {
    if (ok) this.passed++;
    else this.failures.push(what);
  }
}

type Resource = Readonly<{ kind: string; name: string; doc: Obj }>;

function checkLabels(r: Resource, report: Report): void {
  const labels = obj(at(r.doc, 'metadata', 'labels'));
  for (const key of [
    'app.kubernetes.io/name',
    'app.kubernetes.io/instance',
    'app.kubernetes.io/component',
    'app.kubernetes.io/managed-by',
    'helm.sh/chart',
  ]) {
    report.check(typeof labels[key] === 'string', `${r.kind}/${r.name}: label ${key}`);
  }
}

function checkContainer(r: Resource, pod: Obj, c: Obj, init: boolean, report: Report): void {
  const where = `${r.kind}/${r.name} ${init ? 'initContainer' : 'container'} ${str(c.name)}`;
  for (const side of ['requests', 'limits']) {
    for (const res of ['cpu', 'memory']) {
      report.check(
        at(c, 'resources', side, res) !== undefined,
        `${where}: resources.${side}.${res}`,
      );
    }
  }
  const sc = obj(c.securityContext);
  const nonRoot = sc.runAsNonRoot ?? at(pod, 'securityContext', 'runAsNonRoot');
  report.check(nonRoot === true, `${where}: runAsNonRoot`);
  report.check(sc.readOnlyRootFilesystem === true, `${where}: readOnlyRootFilesystem`);
  report.check(sc.allowPrivilegeEscalation === false, `${where}: allowPrivilegeEscalation false`);
  report.check(
    arr(at(sc, 'capabilities', 'drop')).includes('ALL'),
    `${where}: capabilities drop ALL`,
  );
  const mounts = arr(c.volumeMounts).map(obj);
  const tmp = mounts.find((m) => m.mountPath === '/tmp');
  const tmpVolume = arr(pod.volumes)
    .map(obj)
    .find((v) => tmp !== undefined && v.name === tmp.name);
  report.check(
    tmpVolume !== undefined && isObj(tmpVolume.emptyDir),
    `${where}: writable /tmp (emptyDir)`,
  );
  const image = str(c.image) ?? '';
  report.check(
    /@sha256:[a-f0-9]{64}$/.test(image) || /:[^/:]+$/.test(image),
    `${where}: image ${image} has a tag or digest`,
  );
  report.check(!image.endsWith(':latest'), `${where}: image ${image} is not :latest`);
  if (!init && LONG_RUNNING_KINDS.has(r.kind)) {
    report.check(isObj(c.readinessProbe), `${where}: readinessProbe`);
    report.check(isObj(c.livenessProbe), `${where}: livenessProbe`);
  }
  for (const e of arr(c.env).map(obj)) {
    const name = str(e.name) ?? '';
    if (SECRET_ENV.test(name)) {
      report.check(e.value === undefined, `${where}: ${name} comes from a Secret, not a literal`);
    }
  }
}

function envValue(c: Obj, name: string): string | undefined {
  return str(
    arr(c.env)
      .map(obj)
      .find((e) => e.name === name)?.value,
  );
}

function checkWorkload(r: Resource, all: readonly Resource[], report: Report): void {
  const pod = obj(at(r.doc, 'spec', 'template', 'spec'));
  const containers = arr(pod.containers).map(obj);
  report.check(containers.length > 0, `${r.kind}/${r.name}: has containers`);
  report.check(
    at(pod, 'securityContext', 'runAsNonRoot') === true,
    `${r.kind}/${r.name}: pod runAsNonRoot`,
  );
  report.check(
    pod.automountServiceAccountToken === false,
    `${r.kind}/${r.name}: no service account token`,
  );
  for (const c of containers) checkContainer(r, pod, c, false, report);
  for (const c of containers) checkDatabasePath(r, c, report);
  for (const c of arr(pod.initContainers).map(obj)) checkContainer(r, pod, c, true, report);

  const mountsRouting = arr(pod.volumes)
    .map(obj)
    .some((v) => str(at(v, 'configMap', 'name'))?.endsWith('-routing'));
  if (mountsRouting) {
    const sum = str(at(r.doc, 'spec', 'template', 'metadata', 'annotations', 'checksum/routing'));
    report.check(
      /^[a-f0-9]{64}$/.test(sum ?? ''),
      `${r.kind}/${r.name}: checksum/routing annotation rolls pods on routing changes`,
    );
  }

  checkScrapeAnnotations(r, pod, report);
  const component = str(at(r.doc, 'metadata', 'labels', 'app.kubernetes.io/component'));
  if (r.kind === 'Deployment' && component === 'agent') checkAgent(r, pod, all, report);
  if (r.kind === 'Deployment' && component === 'sip') checkSip(r, pod, report);
}

function checkAgent(r: Resource, pod: Obj, all: readonly Resource[], report: Report): void {
  const agent = arr(pod.containers)
    .map(obj)
    .find((c) => c.name === 'agent');
  const drain = Number(agent ? envValue(agent, 'AGENT_DRAIN_TIMEOUT_SECONDS') : NaN);
  const grace = Number(pod.terminationGracePeriodSeconds);
  report.check(Number.isInteger(drain) && drain > 0, `${r.name}: AGENT_DRAIN_TIMEOUT_SECONDS set`);
  report.check(
    grace >= drain,
    `${r.name}: terminationGracePeriodSeconds (${grace}) >= drain timeout (${drain})`,
  );

  const metricsPort = containerPorts(pod).get('metrics');
  report.check(
    metricsPort !== undefined &&
      String(metricsPort) === (agent ? envValue(agent, 'AGENT_METRICS_PORT') : undefined),
    `${r.name}: AGENT_METRICS_PORT is the "metrics" container port`,
  );

  const selector = obj(at(r.doc, 'spec', 'selector', 'matchLabels'));
  const selects = (x: Resource) =>
    JSON.stringify(at(x.doc, 'spec', 'selector', 'matchLabels')) === JSON.stringify(selector);
  report.check(
    all.some((x) => x.kind === 'PodDisruptionBudget' && selects(x)),
    `${r.name}: a PodDisruptionBudget covers the agent pods`,
  );

  const hpa = all.find(
    (x) =>
      x.kind === 'HorizontalPodAutoscaler' &&
      at(x.doc, 'spec', 'scaleTargetRef', 'name') === r.name,
  );
  if (hpa === undefined) {
    report.check(at(r.doc, 'spec', 'replicas') !== undefined, `${r.name}: fixed replicas`);
    return;
  }
  report.check(
    at(r.doc, 'spec', 'replicas') === undefined,
    `${r.name}: no replicas field (the HPA owns it)`,
  );
  const metrics = arr(at(hpa.doc, 'spec', 'metrics')).map(obj);
  const cpu = metrics.find((m) => at(m, 'resource', 'name') === 'cpu');
  const target = Number(at(cpu, 'resource', 'target', 'averageUtilization'));
  const container = agent ?? {};
  const load =
    (target * millicores(at(container, 'resources', 'requests', 'cpu'))) /
    millicores(at(container, 'resources', 'limits', 'cpu'));
  const cpuLimit = Number(envValue(container, 'AGENT_CPU_LOAD_LIMIT') ?? DEFAULT_CPU_LOAD_LIMIT);
  report.check(
    cpuLimit === 0 || load < cpuLimit * 100,
    `${hpa.name}: CPU target ${target}% of the request is ${load.toFixed(0)}% of the limit, ` +
      `below the worker's CPU load limit ${cpuLimit * 100}%`,
  );
  const maxCalls = Number(envValue(container, 'AGENT_MAX_CALLS') ?? DEFAULT_MAX_CALLS);
  const cores = millicores(at(container, 'resources', 'limits', 'cpu')) / 1000;
  report.check(
    maxCalls * CALL_CPU_CORES <= cores * CALL_CPU_BUDGET + 1e-9,
    `${r.name}: ${maxCalls} calls at the measured ${CALL_CPU_CORES} cores each fit in ` +
      `${CALL_CPU_BUDGET * 100}% of the ${cores}-core CPU limit`,
  );
  const calls = metrics.find((m) => m.type === 'Pods');
  if (calls !== undefined) {
    const perPod = Number(at(calls, 'pods', 'target', 'averageValue'));
    report.check(
      perPod < maxCalls,
      `${hpa.name}: active-calls target ${perPod} per pod is below the worker's ${maxCalls} calls`,
    );
  }
}

/** Named container ports of a pod, name → number. */
function containerPorts(pod: Obj): Map<string, number> {
  const ports = new Map<string, number>();
  for (const c of arr(pod.containers).map(obj)) {
    for (const p of arr(c.ports).map(obj)) {
      const name = str(p.name);
      if (name !== undefined) ports.set(name, Number(p.containerPort));
    }
  }
  return ports;
}

/** prometheus.io/port of a pod that asks to be scraped is one of its container ports. */
function checkScrapeAnnotations(r: Resource, pod: Obj, report: Report): void {
  const annotations = obj(at(r.doc, 'spec', 'template', 'metadata', 'annotations'));
  if (annotations['prometheus.io/scrape'] !== 'true') return;
  const port = Number(annotations['prometheus.io/port']);
  report.check(
    [...containerPorts(pod).values()].includes(port),
    `${r.name}: prometheus.io/port ${String(annotations['prometheus.io/port'])} is a container port`,
  );
  report.check(
    str(annotations['prometheus.io/path'])?.startsWith('/') === true,
    `${r.name}: prometheus.io/path is a path`,
  );
}

/** Every ServiceMonitor selects a rendered Service that has its endpoint ports. */
function checkServiceMonitor(r: Resource, all: readonly Resource[], report: Report): void {
  const selector = Object.entries(obj(at(r.doc, 'spec', 'selector', 'matchLabels')));
  const services = all.filter(
    (x) =>
      x.kind === 'Service' &&
      selector.length > 0 &&
      selector.every(([k, v]) => at(x.doc, 'metadata', 'labels', k) === v),
  );
  report.check(services.length === 1, `${r.name}: ServiceMonitor selects one Service of the chart`);
  for (const e of arr(at(r.doc, 'spec', 'endpoints')).map(obj)) {
    const port = str(e.port);
    report.check(
      services.every((svc) =>
        arr(at(svc.doc, 'spec', 'ports'))
          .map(obj)
          .some((p) => p.name === port),
      ),
      `${r.name}: ServiceMonitor port ${port} is a port of the Service`,
    );
    report.check(e.path === '/metrics', `${r.name}: ServiceMonitor scrapes /metrics`);
  }
}

/** dispatch's /metrics has no token: no Ingress path may route it. */
function checkIngress(r: Resource, report: Report): void {
  for (const rule of arr(at(r.doc, 'spec', 'rules')).map(obj)) {
    for (const p of arr(at(rule, 'http', 'paths')).map(obj)) {
      const path = (str(p.path) ?? '').replace(/\/+$/, '');
      report.check(
        !'/metrics'.startsWith(path),
        `${r.name}: Ingress path ${str(p.path)} does not route /metrics`,
      );
    }
  }
}

/** A sqlite:<path> DATABASE_URL must point into a writable volume (read-only root). */
function checkDatabasePath(r: Resource, c: Obj, report: Report): void {
  const url = envValue(c, 'DATABASE_URL');
  if (url === undefined || !url.startsWith('sqlite:') || url === 'sqlite::memory:') return;
  const path = url.slice('sqlite:'.length);
  const mounted = arr(c.volumeMounts)
    .map(obj)
    .some((m) => m.readOnly !== true && path.startsWith(`${str(m.mountPath) ?? '?'}/`));
  report.check(mounted, `${r.name} ${str(c.name)}: SQLite file ${path} is on a writable volume`);
}

function checkSip(r: Resource, pod: Obj, report: Report): void {
  const sip = obj(arr(pod.containers)[0]);
  const body = envValue(sip, 'SIP_CONFIG_BODY');
  let config: Obj = {};
  try {
    config = obj(parseYaml(body ?? ''));
  } catch (err) {
    report.check(false, `${r.name}: SIP_CONFIG_BODY is YAML (${(err as Error).message})`);
  }
  for (const key of ['api_key', 'api_secret']) {
    report.check(!(key in config), `${r.name}: livekit-sip config has no ${key} (env instead)`);
  }
  report.check(typeof at(config, 'redis', 'address') === 'string', `${r.name}: redis.address`);
  report.check(
    /^\d+-\d+$/.test(String(config.rtp_port)),
    `${r.name}: rtp_port is a range like 10000-20000`,
  );
  report.check(
    !(config.use_external_ip === true && config.nat_1_to_1_ip !== undefined),
    `${r.name}: not both use_external_ip and nat_1_to_1_ip`,
  );
  if (pod.hostNetwork === true) {
    report.check(
      pod.dnsPolicy === 'ClusterFirstWithHostNet',
      `${r.name}: hostNetwork pods keep cluster DNS`,
    );
  }
}

/** Checks one rendered file (one value set); returns its report. */
export function checkManifests(text: string): Report {
  const report = new Report();
  const resources: Resource[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0) {
      report.check(false, `YAML: ${d.errors[0]?.message}`);
      continue;
    }
    const doc = d.toJS() as unknown;
    if (!isObj(doc)) continue;
    resources.push({
      kind: str(doc.kind) ?? '?',
      name: str(at(doc, 'metadata', 'name')) ?? '?',
      doc,
    });
  }
  report.check(resources.length > 0, 'rendered at least one object');
  for (const r of resources) {
    checkLabels(r, report);
    if (WORKLOAD_KINDS.has(r.kind)) checkWorkload(r, resources, report);
    if (r.kind === 'ServiceMonitor') checkServiceMonitor(r, resources, report);
    if (r.kind === 'Ingress') checkIngress(r, report);
    if (r.kind === 'ConfigMap' && at(r.doc, 'metadata', 'labels', 'grafana_dashboard') === '1') {
      for (const [key, json] of Object.entries(obj(at(r.doc, 'data')))) {
        let uid: unknown;
        try {
          uid = obj(JSON.parse(String(json))).uid;
        } catch {
          uid = undefined;
        }
        report.check(
          typeof uid === 'string',
          `${r.name}: ${key} is a Grafana dashboard (JSON, uid)`,
        );
      }
    }
    const routing = str(at(r.doc, 'data', 'routing.yaml'));
    if (r.kind === 'ConfigMap' && routing !== undefined) {
      try {
        parseRouting(routing, `${r.name}/routing.yaml`);
        report.check(true, `${r.name}: routing file is valid`);
      } catch (err) {
        report.check(false, (err as Error).message);
      }
    }
  }
  const kinds = new Set(resources.map((r) => r.kind));
  for (const kind of ['Deployment', 'ConfigMap', 'NetworkPolicy', 'PodDisruptionBudget']) {
    report.check(kinds.has(kind), `renders a ${kind}`);
  }
  return report;
}

function main(files: readonly string[]): number {
  if (files.length === 0) {
    console.error('usage: node scripts/helm-check/policy.ts RENDERED.yaml...');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const report = checkManifests(readFileSync(file, 'utf8'));
    const name = basename(file);
    if (report.failures.length === 0) {
      console.log(`policy ${name}: ${report.passed} checks passed`);
    } else {
      failed++;
      console.log(`policy ${name}: ${report.failures.length} FAILED, ${report.passed} passed`);
      for (const f of report.failures) console.log(`  FAIL ${f}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
