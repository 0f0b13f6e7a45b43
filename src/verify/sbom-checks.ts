// SBOM content policy on an attested CycloneDX BOM: spec version, denied licenses (SPDX
// expressions evaluated: AND denies if either side is denied, OR only if both are), denied
// packages and version ranges (semver), required components.
import semver from 'semver';
import parseSpdx from 'spdx-expression-parse';
import type { PackageRule, Policy } from '../policy/index.js';
import { matchesGlob } from '../policy/index.js';
import { asObject as obj } from '../util/json.js';

export interface BomComponent {
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  licenses: string[];
}

/** SPDX JSON: every package, its purl from a purl externalRef, declared/concluded licences. */
function spdxComponents(doc: Record<string, unknown>): BomComponent[] {
  const out: BomComponent[] = [];
  for (const entry of Array.isArray(doc.packages) ? doc.packages : []) {
    const p = obj(entry);
    if (p === undefined || typeof p.name !== 'string') continue;
    const ref = (Array.isArray(p.externalRefs) ? p.externalRefs : [])
      .map((r) => obj(r))
      .find((r) => r?.referenceType === 'purl' && typeof r.referenceLocator === 'string');
    const licenses = [p.licenseDeclared, p.licenseConcluded].filter(
      (l): l is string => typeof l === 'string' && l !== 'NOASSERTION' && l !== 'NONE'
    );
    out.push({
      name: p.name,
      ...(typeof p.versionInfo === 'string' ? { version: p.versionInfo } : {}),
      ...(typeof ref?.referenceLocator === 'string' ? { purl: ref.referenceLocator } : {}),
      licenses: [...new Set(licenses)],
    });
  }
  return out;
}

/** All components of a BOM (nested ones too, and metadata.component), flattened; SPDX packages. */
export function bomComponents(bom: unknown): BomComponent[] {
  const spdx = obj(bom);
  if (typeof spdx?.spdxVersion === 'string') return spdxComponents(spdx);
  const out: BomComponent[] = [];
  const visit = (value: unknown, depth: number): void => {
    const c = obj(value);
    if (c === undefined || depth > 32) return;
    if (typeof c.name === 'string') {
      const licenses: string[] = [];
      for (const entry of Array.isArray(c.licenses) ? c.licenses : []) {
        const e = obj(entry);
        const license = obj(e?.license);
        const id = license?.id ?? license?.name ?? e?.expression;
        if (typeof id === 'string') licenses.push(id);
      }
      out.push({
        name: c.name,
        ...(typeof c.group === 'string' ? { group: c.group } : {}),
        ...(typeof c.version === 'string' ? { version: c.version } : {}),
        ...(typeof c.purl === 'string' ? { purl: c.purl } : {}),
        licenses,
      });
    }
    for (const child of Array.isArray(c.components) ? c.components : []) visit(child, depth + 1);
  };
  const root = obj(bom) ?? {};
  visit(obj(root.metadata)?.component, 0);
  for (const component of Array.isArray(root.components) ? root.components : [])
    visit(component, 0);
  return out;
}

type SpdxNode =
  | { license: string; plus?: boolean; exception?: string }
  | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };

function deniedByExpression(node: SpdxNode, denied: readonly string[]): boolean {
  if ('license' in node) return denied.some((pattern) => matchesGlob(node.license, pattern));
  const left = deniedByExpression(node.left, denied);
  const right = deniedByExpression(node.right, denied);
  return node.conjunction === 'and' ? left || right : left && right;
}

/** undefined: allowed; string: the reason it is denied (or cannot be evaluated). */
export function licenseDenial(license: string, denied: readonly string[]): string | undefined {
  if (denied.length === 0) return undefined;
  let tree: SpdxNode;
  try {
    tree = parseSpdx(license);
  } catch {
    // A plain license name (not an SPDX expression) is compared as a whole.
    return denied.some((pattern) => matchesGlob(license, pattern))
      ? `license ${JSON.stringify(license)} is denied`
      : undefined;
  }
  return deniedByExpression(tree, denied)
    ? `license ${JSON.stringify(license)} is denied`
    : undefined;
}

function purlBase(purl: string): string {
  return purl.replace(/[?#].*$/, '').replace(/@[^@/]*$/, '');
}

/** Does `component` fall under `rule` (name or purl, and version range)? */
export function matchesPackageRule(
  component: BomComponent,
  rule: PackageRule
): { matches: boolean; unknownVersion?: boolean } {
  let nameMatches: boolean;
  if (rule.name.startsWith('pkg:')) {
    nameMatches = component.purl !== undefined && purlBase(component.purl) === purlBase(rule.name);
  } else {
    const qualified =
      component.group === undefined ? component.name : `${component.group}/${component.name}`;
    nameMatches = matchesGlob(component.name, rule.name) || matchesGlob(qualified, rule.name);
  }
  if (!nameMatches) return { matches: false };
  if (rule.versions === undefined) return { matches: true };
  const version =
    component.version === undefined
      ? null
      : (semver.valid(component.version) ?? semver.valid(semver.coerce(component.version)));
  if (version === null) return { matches: true, unknownVersion: true };
  return { matches: semver.satisfies(version, rule.versions, { includePrerelease: true }) };
}

export interface SbomFindings {
  specVersion?: string;
  specVersionAllowed: boolean;
  deniedLicenses: { component: string; reason: string }[];
  deniedPackages: { component: string; rule: string; reason: string }[];
  missingComponents: string[];
}

export function evaluateSbom(bom: unknown, policy: Policy['sbom']): SbomFindings {
  const root = obj(bom) ?? {};
  const specVersion =
    typeof root.specVersion === 'string'
      ? root.specVersion
      : typeof root.spdxVersion === 'string'
        ? root.spdxVersion
        : undefined;
  const components = bomComponents(bom);
  const label = (c: BomComponent): string =>
    `${c.group === undefined ? '' : `${c.group}/`}${c.name}${c.version === undefined ? '' : `@${c.version}`}`;
  const findings: SbomFindings = {
    ...(specVersion === undefined ? {} : { specVersion }),
    specVersionAllowed:
      policy.specVersions.length === 0 ||
      (specVersion !== undefined && policy.specVersions.includes(specVersion)),
    deniedLicenses: [],
    deniedPackages: [],
    missingComponents: [],
  };
  for (const component of components) {
    for (const license of component.licenses) {
      const reason = licenseDenial(license, policy.deniedLicenses);
      if (reason !== undefined)
        findings.deniedLicenses.push({ component: label(component), reason });
    }
    for (const rule of policy.deniedPackages) {
      const result = matchesPackageRule(component, rule);
      if (result.matches) {
        findings.deniedPackages.push({
          component: label(component),
          rule: `${rule.name}${rule.versions === undefined ? '' : ` ${rule.versions}`}`,
          reason:
            result.unknownVersion === true
              ? 'version is not semver, cannot rule out the denied range'
              : 'denied by policy',
        });
      }
    }
  }
  for (const rule of policy.requiredComponents) {
    const present = components.some((component) => {
      const result = matchesPackageRule(component, rule);
      return result.matches && result.unknownVersion !== true;
    });
    if (!present)
      findings.missingComponents.push(
        `${rule.name}${rule.versions === undefined ? '' : ` ${rule.versions}`}`
      );
  }
  return findings;
}
