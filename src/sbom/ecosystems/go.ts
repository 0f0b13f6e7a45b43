// Go modules: go.mod names what the build uses (its `require` directives, after `replace`);
// go.sum supplies the hashes of those modules (it lists more than ships: every module version
// the resolver looked at). No module graph is recorded: direct requires are the root's
// dependencies, `// indirect` ones are listed without edges.
import { invalidLockfile } from '../graph.js';
import type { InstanceEdge } from '../graph.js';
import type { EcoLockfile, EcoPackage, EcosystemContext } from './common.js';
import { edge, purl, splitLast } from './common.js';

interface Require {
  path: string;
  version: string;
  indirect: boolean;
}

interface Replace {
  from: string;
  fromVersion: string | undefined;
  to: string;
  toVersion: string | undefined;
}

function golangPurl(path: string, version: string | undefined): string {
  const { namespace, name } = splitLast(path);
  return purl('golang', namespace, name, version);
}

/** Strips a Go `// comment` and unquotes "quoted" tokens. */
function tokens(line: string): { words: string[]; comment: string } {
  const at = line.indexOf('//');
  const code = at < 0 ? line : line.slice(0, at);
  const comment = at < 0 ? '' : line.slice(at + 2).trim();
  const words = code
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => (w.startsWith('"') && w.endsWith('"') ? w.slice(1, -1) : w));
  return { words, comment };
}

export function parseGoMod(text: string, file: string, ctx: EcosystemContext): EcoLockfile {
  let module: string | undefined;
  let goVersion = '';
  const requires: Require[] = [];
  const replaces: Replace[] = [];
  let block: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const { words, comment } = tokens(raw);
    if (words.length === 0) return;
    if (block !== undefined) {
      if (words[0] === ')') {
        block = undefined;
        return;
      }
      directive(block, words, comment, index + 1);
      return;
    }
    if (words[1] === '(' && words.length === 2) {
      block = words[0];
      return;
    }
    directive(words[0]!, words.slice(1), comment, index + 1);
  });
  function directive(verb: string, args: string[], comment: string, line: number): void {
    switch (verb) {
      case 'module':
        module = args[0];
        break;
      case 'go':
        goVersion = args[0] ?? '';
        break;
      case 'require':
        if (args.length < 2)
          throw invalidLockfile(file, `line ${line}: require needs a module path and a version`);
        requires.push({
          path: args[0]!,
          version: args[1]!,
          indirect: /(^|;)\s*indirect\b/.test(comment),
        });
        break;
      case 'replace': {
        const arrow = args.indexOf('=>');
        if (arrow < 1) throw invalidLockfile(file, `line ${line}: replace needs "=>"`);
        replaces.push({
          from: args[0]!,
          fromVersion: arrow === 2 ? args[1] : undefined,
          to: args[arrow + 1] ?? '',
          toVersion: args[arrow + 2],
        });
        break;
      }
      default:
        break;
    }
  }
  if (module === undefined) throw invalidLockfile(file, 'no module directive (not a go.mod?)');

  // go.sum: "<module> <version> h1:<base64>" (the module zip) and "<module> <version>/go.mod h1:…".
  const sums = new Map<string, string>();
  for (const line of (ctx.siblings.get('go.sum') ?? '').split(/\r?\n/)) {
    const [path, version, hash] = line.trim().split(/\s+/);
    if (path === undefined || version === undefined || hash === undefined) continue;
    if (version.endsWith('/go.mod') || !hash.startsWith('h1:')) continue;
    sums.set(`${path}@${version}`, hash.slice(3));
  }

  const rootEdges: InstanceEdge[] = [];
  const packages: EcoPackage[] = requires.map((req) => {
    const replace =
      replaces.find((r) => r.from === req.path && r.fromVersion === req.version) ??
      replaces.find((r) => r.from === req.path && r.fromVersion === undefined);
    const local = replace !== undefined && replace.toVersion === undefined;
    const path = replace === undefined || local ? req.path : replace.to;
    const version = replace === undefined || local ? req.version : replace.toVersion!;
    const id = `${path}@${version}`;
    const h1 = local ? undefined : sums.get(id);
    const properties: [string, string][] = [];
    if (req.indirect) properties.push(['custody:go:indirect', 'true']);
    if (replace !== undefined)
      properties.push(['custody:go:replaces', `${req.path}@${req.version}`]);
    if (h1 !== undefined) properties.push(['custody:go:sum', `h1:${h1}`]);
    if (!req.indirect) rootEdges.push(edge(id));
    return {
      id,
      name: path,
      version: local ? req.version : version,
      purl: golangPurl(path, local ? req.version : version),
      source: local ? 'file' : 'registry',
      resolved: local ? replace.to : undefined,
      // go.sum's h1: is SHA-256 over the module's file list (dirhash), recorded as its SHA-256.
      integrity: h1 === undefined ? undefined : `sha256-${h1}`,
      properties,
    };
  });
  return {
    format: 'gomod',
    lockfileVersion: goVersion,
    root: { name: module, version: undefined, purl: golangPurl(module, undefined) },
    rootEdges,
    packages,
    flagsFromLockfile: true,
  };
}
