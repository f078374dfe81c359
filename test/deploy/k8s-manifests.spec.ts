/** The deployment files against the Kubernetes schemas and against what the apps serve: every
 *  YAML document under k8s/ is validated with kubernetes-models, ports and probe paths come from
 *  @gatehouse/contracts/apps, and docker-compose.yml and the Dockerfile are checked for the same
 *  contract. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import {
  APP_NAMES,
  type AppName,
  DEFAULT_HTTP_PORTS,
  PROBE_PATHS,
} from '@gatehouse/contracts/apps';
import {
  LDAP_SYNC_MEMORY_LIMIT_MIB,
  LDAP_SYNC_NODE_OPTIONS,
} from '../../bench/ldap-sync/memory-limit';

const ROOT = resolve(__dirname, '..', '..');
const K8S_DIR = join(ROOT, 'k8s');
const VALIDATOR = join(__dirname, 'validate-k8s.mjs');
const PLACEHOLDER = /^REPLACE_ME$/;
const PART_OF = 'app.kubernetes.io/part-of';
const NAME = 'app.kubernetes.io/name';
/** Apps scaled by a HorizontalPodAutoscaler; ldap-sync is a single background worker. */
const AUTOSCALED: readonly AppName[] = ['auth-gateway', 'integration-gateway'];

/** apiVersion/kind pairs the manifests may use, each validated by the kubernetes-models class of
 *  the same path (`kubernetes-models/apps/v1/Deployment`). Anything else fails: a new kind must be
 *  added here on purpose. */
const KNOWN_MODELS: ReadonlySet<string> = new Set([
  'v1/ConfigMap',
  'v1/Namespace',
  'v1/Secret',
  'v1/Service',
  'apps/v1/Deployment',
  'batch/v1/Job',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/NetworkPolicy',
]);

// ---- narrowing helpers: YAML is unknown until checked ------------------------------------------

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  }
  return value as unknown[];
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringMap(value: unknown, what: string): Record<string, string> {
  const entries = Object.entries(obj(value, what)).map(
    ([key, item]) => [key, text(item, `${what}.${key}`)] as const,
  );
  return Object.fromEntries(entries);
}

/** Follows a dotted path through mappings; undefined as soon as a step is missing. */
function get(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isObj(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** True when every label the selector asks for is on the pod with the same value. */
function selects(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  const wanted = Object.entries(matchLabels);
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

// ---- loading k8s/ ------------------------------------------------------------------------------

interface Manifest {
  /** `k8s/base/auth-gateway.yaml#0 Deployment/auth-gateway`, for test names and messages. */
  label: string;
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  object: Obj;
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFilesUnder(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

function isKustomization(file: string): boolean {
  return /^kustomization\.ya?ml$/i.test(basename(file));
}

function documentsOf(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents.flatMap((document, index) => {
    if (document.errors.length > 0) {
      const messages = document.errors.map((error) => error.message).join('; ');
      throw new Error(`${relative(ROOT, file)}#${index}: ${messages}`);
    }
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

function manifestsOf(file: string): Manifest[] {
  const where = relative(ROOT, file);
  return documentsOf(file).map((document, index) => {
    const object = obj(document, `${where}#${index}`);
    const apiVersion = text(object.apiVersion, `${where}#${index} apiVersion`);
    const kind = text(object.kind, `${where}#${index} kind`);
    const name = text(get(object, 'metadata.name'), `${where}#${index} metadata.name`);
    return { label: `${where}#${index} ${kind}/${name}`, file, apiVersion, kind, name, object };
  });
}

const yamlFiles = existsSync(K8S_DIR) ? yamlFilesUnder(K8S_DIR) : [];
const kustomizationFiles = yamlFiles.filter(isKustomization);
const manifestFiles = yamlFiles.filter((file) => !isKustomization(file));
const manifests = manifestFiles.flatMap(manifestsOf);
/** What `kubectl apply -k` deploys: everything except the *.example.yaml files. */
const deployed = manifests.filter((m) => !m.file.endsWith('.example.yaml'));

function ofKind(kind: string, from: readonly Manifest[] = deployed): Manifest[] {
  return from.filter((m) => m.kind === kind);
}

/** The object's app.kubernetes.io/name label (label keys contain dots, so not through get()). */
function nameLabelOf(m: Manifest): unknown {
  const labels = get(m.object, 'metadata.labels');
  return isObj(labels) ? labels[NAME] : undefined;
}

function appManifest(kind: string, app: AppName): Manifest {
  const found = ofKind(kind).filter((m) => nameLabelOf(m) === app);
  if (found.length !== 1) throw new Error(`expected one ${kind} for ${app}, found ${found.length}`);
  return found[0];
}

// ---- kubernetes-models, run out of process (see validate-k8s.mjs) ------------------------------

type Validation = { ok: true } | { ok: false; error: string };

function modelOf(object: Obj): string | undefined {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  return KNOWN_MODELS.has(key) ? key : undefined;
}

/** Validates each object with the kubernetes-models class for its apiVersion/kind; an object of a
 *  kind outside KNOWN_MODELS fails without being sent. */
function validateAll(objects: readonly Obj[]): Validation[] {
  const known = objects.flatMap((object) => {
    const model = modelOf(object);
    return model === undefined ? [] : [{ model, object }];
  });
  const stdout = execFileSync(process.execPath, [VALIDATOR], {
    cwd: ROOT,
    input: JSON.stringify(known),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const answers = list(JSON.parse(stdout), 'validator output').map((answer, index): Validation => {
    const result = obj(answer, `validator result ${index}`);
    return result.ok === true
      ? { ok: true }
      : { ok: false, error: text(result.error, `validator result ${index} error`) };
  });
  if (answers.length !== known.length) {
    throw new Error(`validator answered ${answers.length} of ${known.length} objects`);
  }
  let next = 0;
  return objects.map((object): Validation => {
    if (modelOf(object) === undefined) {
      return {
        ok: false,
        error: `unknown apiVersion/kind ${String(object.apiVersion)}/${String(object.kind)}`,
      };
    }
    return answers[next++];
  });
}

/** The error of a failed validation; a passing one gives a value no error pattern matches. */
function errorOf(result: Validation | undefined): string {
  return result?.ok === false ? result.error : '(validation passed)';
}

function minimalDeployment(spec: Obj): Obj {
  const labels = { app: 'probe' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'probe' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'probe', image: 'probe:1' }] },
      },
      ...spec,
    },
  };
}

// ---- workload helpers --------------------------------------------------------------------------

interface Workload {
  podSpec: Obj;
  podLabels: Record<string, string>;
  container: Obj;
}

function workloadOf(m: Manifest): Workload {
  const podSpec = obj(get(m.object, 'spec.template.spec'), `${m.label} pod spec`);
  const containers = list(podSpec.containers, `${m.label} containers`);
  if (containers.length !== 1) throw new Error(`${m.label}: expected one container`);
  return {
    podSpec,
    podLabels: stringMap(get(m.object, 'spec.template.metadata.labels'), `${m.label} pod labels`),
    container: obj(containers[0], `${m.label} container`),
  };
}

function envOf(container: Obj): Record<string, string> {
  const entries = list(container.env ?? [], 'env').map((item) => {
    const entry = obj(item, 'env entry');
    return [text(entry.name, 'env name'), text(entry.value, 'env value')] as const;
  });
  return Object.fromEntries(entries);
}

/** A probe or Service port: a number, or the name of one of the container's ports. */
function resolvePort(port: unknown, container: Obj): number | undefined {
  if (typeof port === 'number') return port;
  const named = list(container.ports ?? [], 'ports')
    .map((item) => obj(item, 'port'))
    .find((item) => item.name === port);
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}

function expectHardened({ podSpec, container }: Workload): void {
  const pod = obj(podSpec.securityContext ?? {}, 'pod securityContext');
  const own = obj(container.securityContext, 'container securityContext');
  expect(own.runAsNonRoot ?? pod.runAsNonRoot).toBe(true);
  expect(own.readOnlyRootFilesystem).toBe(true);
  expect(own.allowPrivilegeEscalation).toBe(false);
  expect(get(own, 'capabilities.drop')).toContain('ALL');
  const runAsUser = own.runAsUser ?? pod.runAsUser;
  if (runAsUser !== undefined) expect(runAsUser).not.toBe(0);
  expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(15);
}

function expectResources(container: Obj): void {
  const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter(
    (path) => !['string', 'number'].includes(typeof get(container, `resources.${path}`)),
  );
  expect(missing).toEqual([]);
}

function envFromRefs(container: Obj, ref: 'configMapRef' | 'secretRef'): string[] {
  return list(container.envFrom ?? [], 'envFrom').flatMap((item) => {
    const name = get(item, `${ref}.name`);
    return typeof name === 'string' ? [name] : [];
  });
}

// ---- the tests ---------------------------------------------------------------------------------

describe('k8s/', () => {
  let validations: ReadonlyMap<Manifest, Validation> = new Map();

  beforeAll(() => {
    const results = validateAll(manifests.map((m) => m.object));
    validations = new Map(manifests.map((m, index) => [m, results[index]]));
  });

  it('holds a kustomize base with manifests', () => {
    expect(kustomizationFiles.map((file) => relative(ROOT, file))).toContain(
      'k8s/base/kustomization.yaml',
    );
    expect(manifests.length).toBeGreaterThan(APP_NAMES.length * 2);
  });

  it('uses only apiVersion/kind pairs the schema validator knows', () => {
    const unknown = manifests.filter((m) => modelOf(m.object) === undefined).map((m) => m.label);
    expect(unknown).toEqual([]);
  });

  it.each(manifests.map((m) => [m.label, m] as const))(
    '%s passes the Kubernetes schema',
    (_, m) => {
      expect(validations.get(m)).toEqual({ ok: true });
    },
  );

  describe('the validator itself (so the schema test cannot pass vacuously)', () => {
    let results: Validation[] = [];

    beforeAll(() => {
      results = validateAll([
        minimalDeployment({}),
        minimalDeployment({ replicas: 'two' }),
        { ...minimalDeployment({}), spec: { template: {} } },
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      ]);
    });

    it('accepts a minimal valid Deployment', () => {
      expect(results[0]).toEqual({ ok: true });
    });

    it('rejects a Deployment with replicas "two"', () => {
      expect(errorOf(results[1])).toMatch(/spec\/replicas must be integer/);
    });

    it('rejects a Deployment without spec.selector', () => {
      expect(errorOf(results[2])).toMatch(/must have required property '?selector/);
    });

    it('rejects an unknown kind instead of skipping it', () => {
      expect(errorOf(results[3])).toMatch(/unknown apiVersion\/kind example\.com\/v1\/Widget/);
    });
  });

  describe('kustomization files', () => {
    /** Local paths a kustomization refers to: resources, components and patch files. */
    function referencesOf(file: string): string[] {
      const where = relative(ROOT, file);
      const [document, ...rest] = documentsOf(file);
      const kustomization = obj(document, where);
      if (rest.length > 0 || kustomization.kind !== 'Kustomization') {
        throw new Error(`${where}: expected a single Kustomization document`);
      }
      const resources = [
        ...list(kustomization.resources ?? [], 'resources'),
        ...list(kustomization.components ?? [], 'components'),
      ].map((entry) => text(entry, 'resource'));
      const patches = list(kustomization.patches ?? [], 'patches').flatMap((patch) => {
        const path = obj(patch, 'patch').path;
        return path === undefined ? [] : [text(path, 'patch path')];
      });
      return [...resources, ...patches]
        .filter((entry) => !/^[a-z]+:\/\//i.test(entry))
        .map((entry) => resolve(dirname(file), entry));
    }

    const referenced = new Set(kustomizationFiles.flatMap(referencesOf));

    it.each(kustomizationFiles.map((file) => relative(ROOT, file)))(
      '%s lists only paths that exist',
      (file) => {
        const missing = referencesOf(join(ROOT, file)).filter((path) => {
          if (!existsSync(path)) return true;
          return statSync(path).isDirectory() && !yamlFiles.some((f) => dirname(f) === path);
        });
        expect(missing.map((path) => relative(ROOT, path))).toEqual([]);
      },
    );

    it('list every manifest under k8s/ except the *.example.yaml files', () => {
      const unlisted = manifestFiles
        .filter((file) => !file.endsWith('.example.yaml') && !referenced.has(file))
        .map((file) => relative(ROOT, file));
      expect(unlisted).toEqual([]);
    });

    it('never list an *.example.yaml file (it would overwrite the real Secret)', () => {
      const listed = [...referenced].filter((path) => path.endsWith('.example.yaml'));
      expect(listed.map((path) => relative(ROOT, path))).toEqual([]);
    });
  });

  it('labels every object part-of gatehouse with a name', () => {
    const unlabelled = manifests
      .filter((m) => {
        const labels = get(m.object, 'metadata.labels');
        return (
          !isObj(labels) || labels[PART_OF] !== 'gatehouse' || typeof labels[NAME] !== 'string'
        );
      })
      .map((m) => m.label);
    expect(unlabelled).toEqual([]);
  });

  describe.each(APP_NAMES)('%s', (app) => {
    const port = DEFAULT_HTTP_PORTS[app];

    it('has exactly one Deployment and one Service', () => {
      const byApp = (m: Manifest): boolean => nameLabelOf(m) === app;
      expect(
        ofKind('Deployment')
          .filter(byApp)
          .map((m) => m.name),
      ).toEqual([app]);
      expect(
        ofKind('Service')
          .filter(byApp)
          .map((m) => m.name),
      ).toEqual([app]);
    });

    it(`listens on containerPort ${port} with APP=${app}`, () => {
      const { container } = workloadOf(appManifest('Deployment', app));
      const ports = list(container.ports, 'ports').map((item) => obj(item, 'port').containerPort);
      expect(ports).toEqual([port]);
      const env = envOf(container);
      expect(env.APP).toBe(app);
      if (env.PORT !== undefined) expect(env.PORT).toBe(String(port));
    });

    it(`probes ${PROBE_PATHS.liveness} (liveness) and ${PROBE_PATHS.readiness} (readiness) on its port`, () => {
      const { container } = workloadOf(appManifest('Deployment', app));
      const liveness = obj(get(container, 'livenessProbe.httpGet'), 'livenessProbe.httpGet');
      const readiness = obj(get(container, 'readinessProbe.httpGet'), 'readinessProbe.httpGet');
      expect(liveness.path).toBe(PROBE_PATHS.liveness);
      expect(resolvePort(liveness.port, container)).toBe(port);
      expect(readiness.path).toBe(PROBE_PATHS.readiness);
      expect(resolvePort(readiness.port, container)).toBe(port);
    });

    it('has a Service that selects its pods and targets its port', () => {
      const workload = workloadOf(appManifest('Deployment', app));
      const service = appManifest('Service', app).object;
      const selector = stringMap(get(service, 'spec.selector'), 'Service selector');
      expect(selects(selector, workload.podLabels)).toBe(true);
      const targets = list(get(service, 'spec.ports'), 'Service ports').map((item) =>
        resolvePort(obj(item, 'Service port').targetPort, workload.container),
      );
      expect(targets).toEqual([port]);
    });

    it('sets resource requests and limits', () => {
      expectResources(workloadOf(appManifest('Deployment', app)).container);
    });

    it('runs hardened: non-root, read-only root, no privilege escalation, no capabilities', () => {
      expectHardened(workloadOf(appManifest('Deployment', app)));
    });

    it('reads its environment from the ConfigMap and the Secret', () => {
      const { container } = workloadOf(appManifest('Deployment', app));
      expect(envFromRefs(container, 'configMapRef')).toEqual(
        ofKind('ConfigMap').map((m) => m.name),
      );
      expect(envFromRefs(container, 'secretRef')).toEqual(
        ofKind('Secret', manifests).map((m) => m.name),
      );
    });

    it('has a PodDisruptionBudget that selects its pods and no other app', () => {
      const deployment = appManifest('Deployment', app);
      const budget = appManifest('PodDisruptionBudget', app).object;
      const selector = stringMap(get(budget, 'spec.selector.matchLabels'), 'PDB selector');
      expect(get(budget, 'spec.selector.matchExpressions')).toBeUndefined();
      expect(selects(selector, workloadOf(deployment).podLabels)).toBe(true);
      const selector2 = stringMap(get(deployment.object, 'spec.selector.matchLabels'), 'selector');
      expect(selector).toEqual(selector2);
      const others = APP_NAMES.filter((other) => other !== app).filter((other) =>
        selects(selector, workloadOf(appManifest('Deployment', other)).podLabels),
      );
      expect(others).toEqual([]);
    });
  });

  it('gives ldap-sync the memory limit and node flags its benchmark measures it with', () => {
    const { container } = workloadOf(appManifest('Deployment', 'ldap-sync'));
    expect(get(container, 'resources.limits.memory')).toBe(`${LDAP_SYNC_MEMORY_LIMIT_MIB}Mi`);
    expect(envOf(container).NODE_OPTIONS).toBe(LDAP_SYNC_NODE_OPTIONS);
  });

  it('autoscales auth-gateway and integration-gateway with autoscaling/v2 HPAs on existing Deployments', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    const deployments = new Set(ofKind('Deployment').map((m) => m.name));
    for (const hpa of hpas) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      const target = obj(get(hpa.object, 'spec.scaleTargetRef'), `${hpa.label} scaleTargetRef`);
      expect([target.apiVersion, target.kind]).toEqual(['apps/v1', 'Deployment']);
      expect(deployments.has(text(target.name, 'scaleTargetRef.name'))).toBe(true);
      expect(get(hpa.object, 'spec.minReplicas')).toBeLessThanOrEqual(
        Number(get(hpa.object, 'spec.maxReplicas')),
      );
    }
    const targets = hpas.map((hpa) => get(hpa.object, 'spec.scaleTargetRef.name')).sort();
    expect(targets).toEqual([...AUTOSCALED].sort());
    // A fixed spec.replicas would reset the HPA's count on every apply.
    for (const app of AUTOSCALED) {
      expect(get(appManifest('Deployment', app).object, 'spec.replicas')).toBeUndefined();
    }
  });

  it('ships the Secret only as an example with placeholder values', () => {
    const secrets = ofKind('Secret', manifests);
    expect(secrets.map((m) => relative(ROOT, m.file))).toEqual(['k8s/base/secret.example.yaml']);
    for (const secret of secrets) {
      expect(readFileSync(secret.file, 'utf8')).toMatch(/out of band/);
      const values = {
        ...stringMap(secret.object.stringData ?? {}, 'stringData'),
        ...Object.fromEntries(
          Object.entries(stringMap(secret.object.data ?? {}, 'data')).map(([key, value]) => [
            key,
            Buffer.from(value, 'base64').toString('utf8'),
          ]),
        ),
      };
      expect(Object.keys(values)).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'GATEHOUSE_SECRET_KEYS']),
      );
      const real = Object.entries(values).filter(([, value]) => !PLACEHOLDER.test(value));
      expect(real).toEqual([]);
    }
  });

  it('keeps secrets out of the ConfigMap', () => {
    const secretKeys = ofKind('Secret', manifests).flatMap((m) => [
      ...Object.keys(obj(m.object.stringData ?? {}, 'stringData')),
      ...Object.keys(obj(m.object.data ?? {}, 'data')),
    ]);
    for (const configMap of ofKind('ConfigMap')) {
      const keys = Object.keys(obj(configMap.object.data ?? {}, 'data'));
      expect(keys.filter((key) => secretKeys.includes(key))).toEqual([]);
    }
  });

  it('runs migrations in a Job with APP=migrate, backoffLimit and ttlSecondsAfterFinished', () => {
    const jobs = ofKind('Job');
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    const workload = workloadOf(job);
    expect(envOf(workload.container).APP).toBe('migrate');
    expect(get(job.object, 'spec.backoffLimit')).toEqual(expect.any(Number));
    expect(get(job.object, 'spec.ttlSecondsAfterFinished')).toEqual(expect.any(Number));
    expect(envFromRefs(workload.container, 'secretRef')).toHaveLength(1);
    expectResources(workload.container);
    expectHardened(workload);
  });

  it('runs one image for every workload', () => {
    const images = [...ofKind('Deployment'), ...ofKind('Job')].map(
      (m) => workloadOf(m).container.image,
    );
    expect(new Set(images).size).toBe(1);
  });

  describe('NetworkPolicies', () => {
    const policies = ofKind('NetworkPolicy');

    function policiesFor(app: AppName): Obj[] {
      const labels = workloadOf(appManifest('Deployment', app)).podLabels;
      return policies
        .map((m) => m.object)
        .filter((policy) => {
          expect(get(policy, 'spec.podSelector.matchExpressions')).toBeUndefined();
          const matchLabels = stringMap(get(policy, 'spec.podSelector.matchLabels') ?? {}, 'sel');
          return Object.keys(matchLabels).length === 0 || selects(matchLabels, labels);
        });
    }

    function ingressRules(app: AppName): Obj[] {
      return policiesFor(app).flatMap((policy) =>
        list(get(policy, 'spec.ingress') ?? [], 'ingress').map((rule) => obj(rule, 'rule')),
      );
    }

    function rulePorts(rule: Obj): unknown[] {
      return list(rule.ports ?? [], 'ports').map((item) => obj(item, 'port').port);
    }

    it.each(APP_NAMES)('isolate %s for ingress', (app) => {
      const isolating = policiesFor(app).filter((policy) =>
        list(get(policy, 'spec.policyTypes'), 'policyTypes').includes('Ingress'),
      );
      expect(isolating.length).toBeGreaterThan(0);
    });

    it.each(['auth-gateway', 'integration-gateway'] as const)(
      'let anyone reach %s on its port',
      (app) => {
        const open = ingressRules(app).filter(
          (rule) =>
            list(rule.from ?? [], 'from').length === 0 &&
            rulePorts(rule).includes(DEFAULT_HTTP_PORTS[app]),
        );
        expect(open.length).toBeGreaterThan(0);
      },
    );

    it('let only selected peers reach ldap-sync, and only on its port', () => {
      const rules = ingressRules('ldap-sync');
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        expect(list(rule.from ?? [], 'from').length).toBeGreaterThan(0);
        expect(rulePorts(rule)).toEqual([DEFAULT_HTTP_PORTS['ldap-sync']]);
      }
    });
  });
});

describe('docker-compose.yml', () => {
  const document = parseDocument(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  });
  const compose: unknown = document.toJS();
  const services = obj(get(compose, 'services'), 'services');

  function environmentOf(service: string): Record<string, string> {
    const environment = get(services, `${service}.environment`) ?? {};
    if (!Array.isArray(environment)) return stringMap(environment, `${service}.environment`);
    const pairs = list(environment, 'environment').map((item) => {
      const [key, ...value] = text(item, 'environment entry').split('=');
      return [key, value.join('=')] as const;
    });
    return Object.fromEntries(pairs);
  }

  function containerPorts(service: string): number[] {
    return list(get(services, `${service}.ports`) ?? [], `${service}.ports`).map((item) => {
      if (isObj(item)) return Number(item.target);
      const parts = String(item).split(':');
      const [published, target] = parts.slice(-2);
      expect(published).toBe(target);
      return Number(target);
    });
  }

  it('parses without errors', () => {
    expect(document.errors).toEqual([]);
  });

  it.each(APP_NAMES)('runs %s with APP set and its default port published', (app) => {
    expect(environmentOf(app).APP).toBe(app);
    expect(containerPorts(app)).toEqual([DEFAULT_HTTP_PORTS[app]]);
    const port = environmentOf(app).PORT;
    if (port !== undefined) expect(port).toBe(String(DEFAULT_HTTP_PORTS[app]));
  });

  it.each(APP_NAMES)('starts %s after the migration and healthy data stores', (app) => {
    const dependsOn = obj(get(services, `${app}.depends_on`), `${app}.depends_on`);
    expect(get(dependsOn, 'migrate.condition')).toBe('service_completed_successfully');
    expect(get(dependsOn, 'postgres.condition')).toBe('service_healthy');
    expect(get(dependsOn, 'redis.condition')).toBe('service_healthy');
    expect(get(services, `${app}.healthcheck.test`)).toBeDefined();
  });

  it('has a one-shot migrate service on the same image', () => {
    expect(environmentOf('migrate').APP).toBe('migrate');
    expect(get(services, 'migrate.image')).toBe(get(services, 'auth-gateway.image'));
    expect(get(services, 'migrate.ports')).toBeUndefined();
  });

  it('runs Redis with maxmemory-policy noeviction', () => {
    const command = get(services, 'redis.command');
    const words = Array.isArray(command) ? command.map(String) : String(command).split(/\s+/);
    expect(words).toContain('--maxmemory-policy');
    expect(words[words.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });

  it('marks its placeholder secrets change-me', () => {
    const env = environmentOf('auth-gateway');
    expect(env.GATEHOUSE_ADMIN_PASSWORD).toMatch(/change-me/);
    expect(env.GATEHOUSE_SECRET_KEYS).toMatch(/change-me/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = (name: string): string[] =>
    [...dockerfile.matchAll(new RegExp(`^${name}\\s+(.+)$`, 'gim'))].map((match) => match[1]);

  it('builds in several stages', () => {
    expect(instructions('FROM').length).toBeGreaterThanOrEqual(2);
  });

  it('runs as a non-root user', () => {
    const users = instructions('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].trim().split(':')[0];
    expect(['root', '0']).not.toContain(user);
  });

  it('defaults to auth-gateway in production and exposes every app port', () => {
    expect(dockerfile).toMatch(/\bAPP=auth-gateway\b/);
    expect(dockerfile).toMatch(/\bNODE_ENV=production\b/);
    const exposed = instructions('EXPOSE').flatMap((line) => line.trim().split(/\s+/).map(Number));
    expect(exposed).toEqual(expect.arrayContaining(APP_NAMES.map((a) => DEFAULT_HTTP_PORTS[a])));
  });

  it('starts the app APP names, or the migration CLI for APP=migrate', () => {
    expect(dockerfile).toContain('dist/apps/$APP/src/main.js');
    expect(dockerfile).toContain('dist/libs/persistence/src/migrate.cli.js');
  });

  it('keeps node_modules, dist and .git out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.tmp']));
  });
});
