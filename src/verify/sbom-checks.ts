// SBOM content policy on an attested CycloneDX BOM: spec version, denied licenses (SPDX
// expressions evaluated: AND denies if either side is denied, OR only if both are; ids
// case-insensitive, deprecated ids as their successors), denied packages by normalised purl, denied
// packages and version ranges (semver), required components.
import semver from 'semver';
import { PackageURL } from 'packageurl-js';
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

// SPDX license expressions, parsed leniently so a bypass cannot hide in spelling: ids and
// operators are case-insensitive (SPDX says so), deprecated ids count as their successors
// (GPL-3.0 is GPL-3.0-only, GPL-3.0+ GPL-3.0-or-later, GPL-2.0-with-classpath-exception is
// GPL-2.0-only WITH …), and a license *name* that is an expression is evaluated as one.
type SpdxNode =
  | { license: string; plus: boolean }
  | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };

/** Deprecated SPDX ids (spdx-license-ids deprecated.json) and what they mean today. */
const DEPRECATED_SUCCESSORS: Readonly<Record<string, string>> = {
  'bsd-2-clause-freebsd': 'BSD-2-Clause',
  'bsd-2-clause-netbsd': 'BSD-2-Clause',
  'ecos-2.0': 'GPL-2.0-or-later',
  wxwindows: 'LGPL-2.0-or-later',
  nunit: 'Zlib-acknowledgement',
  'standardml-nj': 'SMLNJ',
  'net-snmp': 'Net-SNMP',
  'bzip2-1.0.5': 'bzip2-1.0.6',
};

/** The ids a license id stands for: itself, and its successor when deprecated. */
export function spdxCandidates(id: string, plus = false): string[] {
  const lower = id.toLowerCase();
  const out = new Set([lower]);
  const gnu = /^(agpl|gpl|lgpl|gfdl)-(\d\.\d)(\+)?(?:-with-([a-z]+)-exception)?$/.exec(lower);
  if (gnu !== null) {
    const [, family, version, idPlus, exception] = gnu;
    const later = plus || idPlus !== undefined;
    out.add(`${family ?? ''}-${version ?? ''}-${later ? 'or-later' : 'only'}`);
    if (later) out.add(`${family ?? ''}-${version ?? ''}-only`);
    if (exception !== undefined) out.add(`${exception}-exception`);
  } else if (plus) {
    out.add(`${lower}+`);
  }
  const successor = DEPRECATED_SUCCESSORS[lower];
  if (successor !== undefined) out.add(successor.toLowerCase());
  return [...out];
}

/** A tolerant SPDX expression parser (AND binds tighter than OR; WITH keeps the license). */
export function parseLicenseExpression(text: string): SpdxNode | undefined {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const isOp = (t: string | undefined, op: string): boolean => t?.toUpperCase() === op;
  const factor = (): SpdxNode | undefined => {
    const t = tokens[i++];
    if (t === undefined || t === ')' || isOp(t, 'AND') || isOp(t, 'OR') || isOp(t, 'WITH'))
      return undefined;
    let node: SpdxNode | undefined;
    if (t === '(') {
      node = expr();
      if (tokens[i++] !== ')') return undefined;
    } else {
      const plus = t.endsWith('+') && t.length > 1;
      node = { license: plus ? t.slice(0, -1) : t, plus };
    }
    if (isOp(peek(), 'WITH')) {
      i++;
      const exception = tokens[i++];
      if (exception === undefined || exception === '(' || exception === ')') return undefined;
    }
    return node;
  };
  const term = (): SpdxNode | undefined => {
    let left = factor();
    while (left !== undefined && isOp(peek(), 'AND')) {
      i++;
      const right = factor();
      left = right === undefined ? undefined : { conjunction: 'and', left, right };
    }
    return left;
  };
  const expr = (): SpdxNode | undefined => {
    let left = term();
    while (left !== undefined && isOp(peek(), 'OR')) {
      i++;
      const right = term();
      left = right === undefined ? undefined : { conjunction: 'or', left, right };
    }
    return left;
  };
  const tree = expr();
  return tree !== undefined && i === tokens.length ? tree : undefined;
}

function idDenied(id: string, plus: boolean, denied: readonly string[]): boolean {
  const candidates = spdxCandidates(id, plus);
  return denied.some((pattern) => candidates.some((c) => matchesGlob(c, pattern.toLowerCase())));
}

function deniedByExpression(node: SpdxNode, denied: readonly string[]): boolean {
  if ('license' in node) return idDenied(node.license, node.plus, denied);
  const left = deniedByExpression(node.left, denied);
  const right = deniedByExpression(node.right, denied);
  return node.conjunction === 'and' ? left || right : left && right;
}

/** undefined: allowed; string: the reason it is denied. */
export function licenseDenial(license: string, denied: readonly string[]): string | undefined {
  if (denied.length === 0) return undefined;
  const tree = parseLicenseExpression(license.trim());
  // A plain license name (not an SPDX expression) is compared as a whole, case-insensitively.
  const isDenied =
    tree === undefined
      ? denied.some((pattern) => matchesGlob(license.trim().toLowerCase(), pattern.toLowerCase()))
      : deniedByExpression(tree, denied);
  return isDenied ? `license ${JSON.stringify(license)} is denied` : undefined;
}

/** type/namespace/name of a purl, normalised by packageurl-js (%40 = @, case rules per type). */
function purlKey(purl: string): string | undefined {
  try {
    const p = PackageURL.fromString(purl);
    return JSON.stringify([p.type, p.namespace ?? '', p.name]);
  } catch {
    return undefined;
  }
}

function purlBase(purl: string): string {
  return purl.replace(/[?#].*$/, '').replace(/@[^@/]*$/, '');
}

function samePackage(componentPurl: string, rulePurl: string): boolean {
  const a = purlKey(componentPurl);
  const b = purlKey(rulePurl);
  // Unparseable on either side: fall back to comparing the text without version (fail closed for deny rules is the caller's concern).
  if (a === undefined || b === undefined) return purlBase(componentPurl) === purlBase(rulePurl);
  return a === b;
}

/** Does `component` fall under `rule` (name or purl, and version range)? */
export function matchesPackageRule(
  component: BomComponent,
  rule: PackageRule
): { matches: boolean; unknownVersion?: boolean } {
  let nameMatches: boolean;
  if (rule.name.startsWith('pkg:')) {
    nameMatches = component.purl !== undefined && samePackage(component.purl, rule.name);
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
