// Validates Kubernetes objects against the kubernetes-models schemas, for k8s-manifests.spec.ts.
// kubernetes-models is ESM-only (its exports have only an "import" condition), which jest's
// CommonJS runtime cannot load, so the spec runs this file with plain node instead.
// stdin: JSON [{ model: 'apps/v1/Deployment', object: {...} }, ...]
// stdout: JSON [{ ok: true } | { ok: false, error: '...' }, ...], one entry per input, in order.
import { readFileSync } from 'node:fs';

const requests = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const { model, object } of requests) {
  try {
    const kind = model.slice(model.lastIndexOf('/') + 1);
    const exports = await import(`kubernetes-models/${model}`);
    const Model = exports[kind];
    if (typeof Model !== 'function') throw new Error(`kubernetes-models/${model} has no ${kind}`);
    if (`${Model.apiVersion}/${Model.kind}` !== model) {
      throw new Error(`kubernetes-models/${model} models ${Model.apiVersion}/${Model.kind}`);
    }
    new Model(object).validate();
    results.push({ ok: true });
  } catch (error) {
    results.push({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
