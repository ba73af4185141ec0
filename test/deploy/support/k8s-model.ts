import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { readRepoFile, ROOT } from './apps';

export const K8S_DIR = 'docker/k8s';
/** Files in docker/k8s that are not applied Kubernetes objects. */
export const NOT_APPLIED = ['kustomization.yaml', 'prometheus-adapter.values.yaml'];
/** Secret shapes (keys, no values), created out of band. */
export const SECRET_TEMPLATE = 'secrets.template.yaml';

/** Kubernetes kinds the manifests may use, each with its official-schema model. */
export const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};

export const loadYamlDocs = (path: string): any[] =>
  parseAllDocuments(readRepoFile(path)).map((d) => {
    if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
    return d.toJS();
  });

export function manifestFiles(): string[] {
  return readdirSync(join(ROOT, K8S_DIR))
    .filter((f) => /\.ya?ml$/.test(f) && !NOT_APPLIED.includes(f))
    .sort();
}

export function loadManifests(): Array<{ file: string; obj: K8sObject }> {
  return manifestFiles().flatMap((file) =>
    loadYamlDocs(`${K8S_DIR}/${file}`)
      .filter(Boolean)
      .map((obj: K8sObject) => ({ file, obj })),
  );
}
