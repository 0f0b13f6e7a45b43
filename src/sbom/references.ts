// What the CycloneDX JSON schema cannot say: every bom-ref is unique in the document, and every
// reference to one (dependencies, compositions, vulnerability affects) names one that exists.
// A consumer that builds the dependency graph from a BOM with a dangling or doubled bom-ref
// silently loses or merges packages, so `sbom validate` reports both, with JSON pointers (built
// from array indices and fixed keys only, so no RFC 6901 escaping is needed).
import { isRecord } from './graph.js';
import type { SchemaError } from './validate.js';

/** References of the form urn:cdx:… point into another BOM (BOM-Link): not checked here. */
function isBomLink(ref: string): boolean {
  return ref.startsWith('urn:cdx:');
}

export function checkBomReferences(document: unknown): SchemaError[] {
  if (!isRecord(document)) return [];
  const errors: SchemaError[] = [];
  const defined = new Map<string, string>();

  const define = (item: unknown, pointer: string): void => {
    if (!isRecord(item)) return;
    const ref = item['bom-ref'];
    if (typeof ref === 'string') {
      const first = defined.get(ref);
      if (first !== undefined) {
        errors.push({
          pointer: `${pointer}/bom-ref`,
          keyword: 'duplicateBomRef',
          message: `bom-ref ${JSON.stringify(ref)} is already the bom-ref of ${first || '/'}`,
        });
      } else {
        defined.set(ref, pointer);
      }
    }
  };
  // Components and services nest (components[i].components, services[i].services).
  const walk = (list: unknown, pointer: string, child: 'components' | 'services'): void => {
    if (!Array.isArray(list)) return;
    list.forEach((item, index) => {
      const here = `${pointer}/${index}`;
      define(item, here);
      if (isRecord(item)) walk(item[child], `${here}/${child}`, child);
    });
  };

  const metadata = isRecord(document.metadata) ? document.metadata : {};
  if (isRecord(metadata.component)) {
    define(metadata.component, '/metadata/component');
    walk(metadata.component.components, '/metadata/component/components', 'components');
  }
  walk(document.components, '/components', 'components');
  walk(document.services, '/services', 'services');
  if (Array.isArray(document.vulnerabilities)) {
    document.vulnerabilities.forEach((v, i) => define(v, `/vulnerabilities/${i}`));
  }

  const use = (ref: unknown, pointer: string, what: string): void => {
    if (typeof ref !== 'string' || isBomLink(ref) || defined.has(ref)) return;
    errors.push({
      pointer,
      keyword: 'danglingBomRef',
      message: `${what} ${JSON.stringify(ref)} is not the bom-ref of any component or service`,
    });
  };
  const useAll = (list: unknown, pointer: string, what: string): void => {
    if (Array.isArray(list)) list.forEach((ref, i) => use(ref, `${pointer}/${i}`, what));
  };

  if (Array.isArray(document.dependencies)) {
    const seen = new Map<string, number>();
    document.dependencies.forEach((dependency, i) => {
      if (!isRecord(dependency)) return;
      const pointer = `/dependencies/${i}`;
      use(dependency.ref, `${pointer}/ref`, 'dependency ref');
      if (typeof dependency.ref === 'string') {
        const first = seen.get(dependency.ref);
        if (first !== undefined) {
          errors.push({
            pointer: `${pointer}/ref`,
            keyword: 'duplicateDependency',
            message: `${JSON.stringify(dependency.ref)} already has its dependencies at /dependencies/${first}`,
          });
        } else {
          seen.set(dependency.ref, i);
        }
      }
      useAll(dependency.dependsOn, `${pointer}/dependsOn`, 'dependsOn');
      useAll(dependency.provides, `${pointer}/provides`, 'provides');
    });
  }
  if (Array.isArray(document.compositions)) {
    document.compositions.forEach((composition, i) => {
      if (!isRecord(composition)) return;
      useAll(composition.assemblies, `/compositions/${i}/assemblies`, 'composition assembly');
      useAll(composition.dependencies, `/compositions/${i}/dependencies`, 'composition dependency');
    });
  }
  if (Array.isArray(document.vulnerabilities)) {
    document.vulnerabilities.forEach((vulnerability, i) => {
      if (!isRecord(vulnerability) || !Array.isArray(vulnerability.affects)) return;
      vulnerability.affects.forEach((affect, j) => {
        if (isRecord(affect))
          use(affect.ref, `/vulnerabilities/${i}/affects/${j}/ref`, 'affects ref');
      });
    });
  }
  return errors;
}
