// The non-JavaScript lockfile readers on small lockfiles of each format (fixtures/sbom/ecosystems):
// exact components, purls, hashes, scopes and graph; and each malformed input refused with its code.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CustodyError } from '../../src/errors.js';
import { readEcosystemGraph } from '../../src/sbom/adapter/discover.js';
import {
  buildGraph,
  ecosystemReader,
  generateSbomFromGraph,
  parseEcosystemLockfile,
} from '../../src/sbom/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures/sbom/ecosystems');

interface Component {
  purl: string;
  scope: string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}
interface Doc {
  metadata: { component: { purl: string; name: string; group?: string } };
  components: Component[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

async function sbomOf(dir: string, file: string): Promise<Doc> {
  const graph = await readEcosystemGraph(path.join(FIXTURES, dir, file), file);
  const result = await generateSbomFromGraph(graph, {
    timestamp: new Date(0),
    includeDev: true,
    lockfilePath: file,
  });
  return result.document as unknown as Doc;
}

/** purl → "scope hash-alg:hex-prefix" plus the dev marker, the facts each test pins. */
function summary(doc: Doc): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of doc.components) {
    const hash = (c.hashes ?? []).map((h) => `${h.alg}:${h.content.slice(0, 8)}`).join(',');
    const dev = (c.properties ?? []).some((p) => p.name === 'custody:package:development');
    out[c.purl] = `${c.scope}${dev ? ' dev' : ''}${hash === '' ? '' : ` ${hash}`}`;
  }
  return out;
}

function graphOf(doc: Doc): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of doc.dependencies ?? [])
    if ((d.dependsOn ?? []).length > 0) out[d.ref] = d.dependsOn!;
  return out;
}

function property(doc: Doc, purl: string, name: string): string | undefined {
  return doc.components.find((c) => c.purl === purl)?.properties?.find((p) => p.name === name)
    ?.value;
}

function parse(name: string, text: string, siblings: Record<string, string> = {}): unknown {
  return buildGraph(
    parseEcosystemLockfile(text, name, {
      projectName: 'p',
      siblings: new Map(Object.entries(siblings)),
    })
  );
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CustodyError);
  expect((error as CustodyError).code).toBe(code);
  if (message !== undefined) expect((error as CustodyError).message).toMatch(message);
}

describe('Python', () => {
  it('uv.lock: the editable project is the root; extras optional, dev groups dev; sdist hash', async () => {
    const doc = await sbomOf('uv', 'uv.lock');
    expect(doc.metadata.component.purl).toBe('pkg:pypi/demo@1.0.0');
    expect(summary(doc)).toEqual({
      'pkg:pypi/certifi@2024.8.30': 'required SHA-256:78ae46fa',
      'pkg:pypi/pysocks@1.7.1': 'optional SHA-256:08fcc5aa',
      'pkg:pypi/pytest@8.3.3': 'optional dev SHA-256:2b01214d',
      'pkg:pypi/requests@2.32.3': 'required SHA-256:ec72420d',
    });
    expect(graphOf(doc)).toEqual({
      'pkg:pypi/demo@1.0.0': [
        'pkg:pypi/pysocks@1.7.1',
        'pkg:pypi/pytest@8.3.3',
        'pkg:pypi/requests@2.32.3',
      ],
      'pkg:pypi/requests@2.32.3': ['pkg:pypi/certifi@2024.8.30'],
    });
    // The component hash is the sdist's, and says so; PySocks has only a wheel (PEP 503 name).
    expect(property(doc, 'pkg:pypi/certifi@2024.8.30', 'custody:hash:file')).toBe(
      'certifi-2024.8.30.tar.gz'
    );
    expect(property(doc, 'pkg:pypi/pysocks@1.7.1', 'custody:hash:file')).toBe(
      'PySocks-1.7.1-py3-none-any.whl'
    );
  });

  it('poetry.lock: groups without main are dev; pyproject names the root and its direct deps', async () => {
    const doc = await sbomOf('poetry', 'poetry.lock');
    expect(doc.metadata.component.purl).toBe('pkg:pypi/demo-poetry@0.2.0');
    expect(summary(doc)).toEqual({
      'pkg:pypi/certifi@2024.8.30': 'required SHA-256:78ae46fa',
      'pkg:pypi/jaraco-classes@3.4.0': 'optional dev',
      'pkg:pypi/requests@2.32.3': 'required SHA-256:ec72420d',
    });
    // urllib3 is named by requests but not locked (its marker holds nowhere): no invented edge.
    expect(graphOf(doc)).toEqual({
      'pkg:pypi/demo-poetry@0.2.0': ['pkg:pypi/requests@2.32.3'],
      'pkg:pypi/requests@2.32.3': ['pkg:pypi/certifi@2024.8.30'],
    });
  });

  it('Pipfile.lock: default and develop; one name at two versions is two packages', async () => {
    const doc = await sbomOf('pipenv', 'Pipfile.lock');
    expect(summary(doc)).toEqual({
      'pkg:pypi/packaging@23.2': 'optional dev SHA-256:de30d2f3',
      'pkg:pypi/packaging@24.1': 'required SHA-256:2a97516c',
      'pkg:pypi/py-test@8.3.3': 'optional dev SHA-256:2b01214d',
      'pkg:pypi/requests@2.32.3': 'required SHA-256:ec72420d',
    });
  });

  it('pylock.toml: a package only for a non-default group is dev', async () => {
    const doc = await sbomOf('pylock', 'pylock.toml');
    expect(summary(doc)).toEqual({
      'pkg:pypi/pytest@8.3.3': 'optional dev SHA-256:2b01214d',
      'pkg:pypi/requests@2.32.3': 'required SHA-256:ec72420d',
    });
  });

  it('requirements.txt: exact pins with --hash continuation lines, extras and markers', async () => {
    const doc = await sbomOf('requirements', 'requirements.txt');
    expect(doc.metadata.component.purl).toBe('pkg:generic/requirements');
    expect(summary(doc)).toEqual({
      'pkg:pypi/certifi@2024.8.30': 'required SHA-256:78ae46fa',
      'pkg:pypi/requests@2.32.3': 'required SHA-256:ec72420d',
    });
    expect(property(doc, 'pkg:pypi/certifi@2024.8.30', 'custody:hash:count')).toBe('2');
  });

  it('requirements-dev.txt marks its packages dev', () => {
    const graph = parse('requirements-dev.txt', 'pytest==8.3.3\n') as {
      packages: Map<string, { dev: boolean }>;
    };
    expect([...graph.packages.values()].map((p) => p.dev)).toEqual([true]);
  });

  it('refuses ranges, bad TOML, dangling uv dependencies and an unsupported pylock version', () => {
    expectCode(
      () => parse('requirements.txt', 'requests>=2\n'),
      'SBOM_LOCKFILE_INVALID',
      /line 1: .* is not an exact pin/
    );
    expectCode(
      () => parse('uv.lock', 'version = 1\n[[package]\n'),
      'SBOM_LOCKFILE_INVALID',
      /not valid TOML/
    );
    expectCode(
      () =>
        parse(
          'uv.lock',
          'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "x" }\ndependencies = [{ name = "b" }]\n'
        ),
      'SBOM_LOCKFILE_INVALID',
      /dependency b is not in the lockfile/
    );
    expectCode(
      () => parse('pylock.toml', 'lock-version = "2.0"\n'),
      'SBOM_LOCKFILE_INVALID',
      /lock-version 2.0/
    );
    expectCode(() => parse('Pipfile.lock', '{"default": {}}'), 'SBOM_LOCKFILE_INVALID', /_meta/);
  });
});

describe('Go', () => {
  it('go.mod requires (replace applied) with go.sum h1 hashes; direct ones are the root edges', async () => {
    const doc = await sbomOf('gomod', 'go.mod');
    expect(doc.metadata.component).toMatchObject({
      purl: 'pkg:golang/example.com/demo/v2',
      group: 'example.com/demo',
      name: 'v2',
    });
    expect(summary(doc)).toEqual({
      'pkg:golang/github.com/google/go-cmp@v0.6.0': 'required SHA-256:5e1cce77',
      // Replaced by a local directory: no go.sum entry, the path recorded.
      'pkg:golang/github.com/pkg/errors@v0.9.1': 'required',
      // Replaced by another version: the replacement is what builds, and its hash.
      'pkg:golang/golang.org/x/sys@v0.21.0': 'required SHA-256:518b67e6',
    });
    expect(graphOf(doc)).toEqual({
      'pkg:golang/example.com/demo/v2': [
        'pkg:golang/github.com/google/go-cmp@v0.6.0',
        'pkg:golang/golang.org/x/sys@v0.21.0',
      ],
    });
    expect(property(doc, 'pkg:golang/github.com/pkg/errors@v0.9.1', 'custody:go:indirect')).toBe(
      'true'
    );
    expect(
      property(doc, 'pkg:golang/github.com/pkg/errors@v0.9.1', 'custody:package:resolved')
    ).toBe('../errors');
  });

  it('refuses a go.mod without module or with a bare require', () => {
    expectCode(() => parse('go.mod', 'go 1.22\n'), 'SBOM_LOCKFILE_INVALID', /no module directive/);
    expectCode(() => parse('go.mod', 'module a\nrequire b\n'), 'SBOM_LOCKFILE_INVALID', /line 2/);
  });
});

describe('Rust', () => {
  it('Cargo.lock: every package; the root package is the root, members its parts; git sources', async () => {
    const doc = await sbomOf('cargo', 'Cargo.lock');
    expect(doc.metadata.component.purl).toBe('pkg:cargo/demo-cli@0.3.0');
    const git =
      'pkg:cargo/regex-lite@0.1.6?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Frust-lang%2Fregex%40abc123def';
    expect(summary(doc)).toEqual({
      'pkg:cargo/demo-core@0.1.0': 'required',
      'pkg:cargo/memchr@2.5.0': 'required SHA-256:2b01214d',
      'pkg:cargo/memchr@2.7.4': 'required SHA-256:08fcc5aa',
      [git]: 'required',
    });
    expect(graphOf(doc)).toEqual({
      'pkg:cargo/demo-cli@0.3.0': ['pkg:cargo/demo-core@0.1.0', 'pkg:cargo/memchr@2.7.4'],
      'pkg:cargo/demo-core@0.1.0': ['pkg:cargo/memchr@2.5.0', git],
    });
    expect(property(doc, 'pkg:cargo/demo-core@0.1.0', 'custody:package:workspace')).toBe('true');
  });

  it('a virtual workspace: the directory is the root and every member a part', () => {
    const graph = parse(
      'Cargo.lock',
      'version = 4\n[[package]]\nname = "a"\nversion = "0.1.0"\n[[package]]\nname = "b"\nversion = "0.2.0"\n'
    ) as { root: { purl: string }; rootDependencies: Set<string> };
    expect(graph.root.purl).toBe('pkg:generic/p');
    expect([...graph.rootDependencies].sort()).toEqual(['pkg:cargo/a@0.1.0', 'pkg:cargo/b@0.2.0']);
  });

  it('refuses a dependency that is not in the lockfile, or ambiguous', () => {
    const two =
      '[[package]]\nname = "m"\nversion = "1.0.0"\n[[package]]\nname = "m"\nversion = "2.0.0"\n';
    expectCode(
      () =>
        parse(
          'Cargo.lock',
          `version = 4\n[[package]]\nname = "a"\nversion = "1"\ndependencies = ["zz"]\n`
        ),
      'SBOM_LOCKFILE_INVALID',
      /"zz" is not in the lockfile/
    );
    expectCode(
      () =>
        parse(
          'Cargo.lock',
          `version = 4\n[[package]]\nname = "a"\nversion = "1"\ndependencies = ["m"]\n${two}`
        ),
      'SBOM_LOCKFILE_INVALID',
      /"m" is ambiguous/
    );
  });
});

describe('Ruby', () => {
  it('Gemfile.lock: gems for the lock platforms (platform qualifier), PATH gems, CHECKSUMS', async () => {
    const doc = await sbomOf('bundler', 'Gemfile.lock');
    expect(summary(doc)).toEqual({
      'pkg:gem/demo@0.1.0': 'required',
      'pkg:gem/nokogiri@1.16.7': 'required SHA-256:2a97516c',
      'pkg:gem/nokogiri@1.16.7?platform=x86_64-linux-gnu': 'required SHA-256:78ae46fa',
      'pkg:gem/racc@1.8.1': 'required SHA-256:08fcc5aa',
      'pkg:gem/rack@3.1.7': 'required SHA-256:ec72420d',
    });
    // arm64-darwin is not a lock platform; tzinfo-data resolves to nothing: neither is a component.
    expect(graphOf(doc)['pkg:generic/bundler']).toEqual([
      'pkg:gem/demo@0.1.0',
      'pkg:gem/nokogiri@1.16.7',
      'pkg:gem/nokogiri@1.16.7?platform=x86_64-linux-gnu',
    ]);
    expect(graphOf(doc)['pkg:gem/demo@0.1.0']).toEqual(['pkg:gem/rack@3.1.7']);
  });

  it('refuses what is not a Gemfile.lock', () => {
    expectCode(
      () => parse('Gemfile.lock', 'hello\n'),
      'SBOM_LOCKFILE_INVALID',
      /no GEM, PATH or GIT/
    );
    expectCode(
      () => parse('Gemfile.lock', 'GEM\n  remote: https://rubygems.org/\n  specs:\n   broken\n'),
      'SBOM_LOCKFILE_INVALID',
      /line 4/
    );
  });
});

describe('PHP', () => {
  it('composer.lock: packages and packages-dev (dev), sha1 shasum, licences, require edges', async () => {
    const doc = await sbomOf('composer', 'composer.lock');
    expect(doc.metadata.component).toMatchObject({
      purl: 'pkg:composer/acme/shop',
      group: 'acme',
      name: 'shop',
    });
    expect(summary(doc)).toEqual({
      'pkg:composer/monolog/monolog@3.7.0': 'required SHA-1:bd1b614c',
      'pkg:composer/phpunit/phpunit@v11.3.1': 'optional dev',
      'pkg:composer/psr/log@3.0.2': 'required',
    });
    expect(graphOf(doc)).toEqual({
      'pkg:composer/acme/shop': [
        'pkg:composer/monolog/monolog@3.7.0',
        'pkg:composer/phpunit/phpunit@v11.3.1',
      ],
      'pkg:composer/monolog/monolog@3.7.0': ['pkg:composer/psr/log@3.0.2'],
    });
    const psr = doc.components.find((c) => c.purl === 'pkg:composer/psr/log@3.0.2') as unknown as {
      licenses: { expression: string }[];
    };
    expect(psr.licenses).toEqual([{ expression: 'MIT OR Apache-2.0' }]);
  });

  it('refuses a JSON document without packages', () => {
    expectCode(
      () => parse('composer.lock', '{"content-hash": "x"}'),
      'SBOM_LOCKFILE_INVALID',
      /no packages/
    );
  });
});

describe('Java', () => {
  it('gradle.lockfile: configurations; only tooling and test configurations are dev', async () => {
    const doc = await sbomOf('gradle', 'gradle.lockfile');
    expect(summary(doc)).toEqual({
      'pkg:maven/com.google.guava/guava@33.0.0-jre': 'required',
      'pkg:maven/com.puppycrawl.tools/checkstyle@10.12.0': 'optional dev',
      'pkg:maven/junit/junit@4.13.2': 'optional dev',
    });
    expect(property(doc, 'pkg:maven/junit/junit@4.13.2', 'custody:gradle:configurations')).toBe(
      'testCompileClasspath,testRuntimeClasspath'
    );
  });

  it('Maven dependency:tree: resolved coordinates, omitted duplicates as edges, scopes', async () => {
    const doc = await sbomOf('maven', 'dependency-tree.txt');
    expect(doc.metadata.component.purl).toBe('pkg:maven/com.example/app@1.0.0');
    expect(summary(doc)).toEqual({
      'pkg:maven/com.example/util@1.0.0?classifier=tests': 'optional dev',
      'pkg:maven/com.google.code.findbugs/jsr305@3.0.2': 'required',
      'pkg:maven/com.google.guava/failureaccess@1.0.2': 'required',
      'pkg:maven/com.google.guava/guava@33.0.0-jre': 'required',
      'pkg:maven/javax.servlet/servlet-api@2.5': 'optional',
      'pkg:maven/junit/junit@4.13.2': 'optional dev',
      'pkg:maven/org.hamcrest/hamcrest-core@1.3': 'optional dev',
    });
    expect(graphOf(doc)['pkg:maven/com.google.guava/guava@33.0.0-jre']).toEqual([
      'pkg:maven/com.google.code.findbugs/jsr305@3.0.2',
      'pkg:maven/com.google.guava/failureaccess@1.0.2',
    ]);
  });

  it('refuses malformed gradle lines and text without a module coordinate', () => {
    expectCode(
      () => parse('gradle.lockfile', 'a:b=compileClasspath\n'),
      'SBOM_LOCKFILE_INVALID',
      /line 1/
    );
    expectCode(
      () => parse('dependency-tree.txt', '[INFO] BUILD SUCCESS\n'),
      'SBOM_LOCKFILE_INVALID',
      /no module coordinate/
    );
  });
});

describe('.NET', () => {
  it('packages.lock.json: union over targets, SHA-512 content hashes, projects as parts', async () => {
    const doc = await sbomOf('nuget', 'packages.lock.json');
    expect(summary(doc)).toEqual({
      'pkg:nuget/Demo.Core': 'required',
      'pkg:nuget/Newtonsoft.Json@13.0.3': 'required SHA-512:80d4f041',
      'pkg:nuget/System.Memory@4.5.5': 'required SHA-512:5e1cce77',
    });
    expect(graphOf(doc)).toEqual({
      'pkg:generic/nuget': ['pkg:nuget/Demo.Core', 'pkg:nuget/Newtonsoft.Json@13.0.3'],
      'pkg:nuget/Demo.Core': ['pkg:nuget/Newtonsoft.Json@13.0.3', 'pkg:nuget/System.Memory@4.5.5'],
    });
    expect(property(doc, 'pkg:nuget/System.Memory@4.5.5', 'custody:nuget:targets')).toBe(
      'net8.0,net8.0/linux-x64'
    );
  });

  it('refuses an entry without a resolved version', () => {
    expectCode(
      () =>
        parse(
          'packages.lock.json',
          '{"version":1,"dependencies":{"net8.0":{"A":{"type":"Direct"}}}}'
        ),
      'SBOM_LOCKFILE_INVALID',
      /A has no resolved version/
    );
  });
});

describe('reader dispatch', () => {
  it('by file name; JavaScript lockfiles are not ecosystem lockfiles', () => {
    expect(ecosystemReader('a/b/uv.lock')?.format).toBe('uv');
    expect(ecosystemReader('requirements-dev.txt')?.format).toBe('requirements');
    expect(ecosystemReader('pylock.dev.toml')?.format).toBe('pylock');
    expect(ecosystemReader('packages.lock.json')?.format).toBe('nuget');
    expect(ecosystemReader('package-lock.json')).toBeUndefined();
    expect(ecosystemReader('yarn.lock')).toBeUndefined();
  });
});

describe('Go executables (embedded build info)', () => {
  // The layout the Go linker (≥ 1.18) writes: magic, pointer size, flags (inline strings), then two
  // varint-length-prefixed strings, the module info between 16-byte sentinels.
  function buildInfo(version: string, modinfo: string, flags = 0x2): Buffer {
    const varint = (n: number): Buffer => {
      const out: number[] = [];
      do {
        out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
        n >>>= 7;
      } while (n > 0);
      return Buffer.from(out);
    };
    const header = Buffer.alloc(32);
    Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
    header[14] = 8;
    header[15] = flags;
    const sentinel = Buffer.alloc(16, 0x30);
    const info = Buffer.concat([sentinel, Buffer.from(modinfo), sentinel]);
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, ...Buffer.alloc(60)]);
    return Buffer.concat([
      elf,
      header,
      varint(version.length),
      Buffer.from(version),
      varint(info.length),
      info,
    ]);
  }
  const MODINFO = [
    'path\texample.com/tool/cmd/tool',
    'mod\texample.com/tool\tv1.2.3\th1:XhzOdyxF696q8v4a49e/inWVkf3mYEkx6JcwLR2R8mA=',
    'dep\tgithub.com/google/go-cmp\tv0.6.0\th1:XhzOdyxF696q8v4a49e/inWVkf3mYEkx6JcwLR2R8mA=',
    'dep\tgolang.org/x/sys\tv0.20.0\th1:vkvVZ3J3BHG2OVdNkZqS3hbA5SLqVgHiiSRhaRvflUU=',
    '=>\tgolang.org/x/sys\tv0.21.0\th1:UYtn5lJTHF/n4l1rLDtO9iJOfZDaIJGWfdR+sIKyahk=',
    'build\tGOOS=linux',
    '',
  ].join('\n');

  it('the main module is the root, every linked module (after replacements) a component with its hash', async () => {
    const { parseGoBinaryFile } = await import('../../src/sbom/ecosystems/index.js');
    const graph = buildGraph(parseGoBinaryFile(buildInfo('go1.22.5', MODINFO), 'tool'));
    expect(graph.format).toBe('gobinary');
    expect(graph.lockfileVersion).toBe('go1.22.5');
    expect(graph.root.purl).toBe('pkg:golang/example.com/tool@v1.2.3');
    const result = await generateSbomFromGraph(graph, { timestamp: new Date(0), includeDev: true });
    const doc = result.document as unknown as Doc;
    expect(summary(doc)).toEqual({
      'pkg:golang/github.com/google/go-cmp@v0.6.0': 'required SHA-256:5e1cce77',
      'pkg:golang/golang.org/x/sys@v0.21.0': 'required SHA-256:518b67e6',
    });
    expect(property(doc, 'pkg:golang/golang.org/x/sys@v0.21.0', 'custody:go:replaces')).toBe(
      'golang.org/x/sys@v0.20.0'
    );
  });

  it('refuses executables without build info, the pre-1.18 form and GOPATH builds', async () => {
    const { parseGoBinaryFile } = await import('../../src/sbom/ecosystems/index.js');
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]);
    expectCode(
      () => parseGoBinaryFile(elf, 'a.out'),
      'SBOM_LOCKFILE_UNSUPPORTED',
      /without Go build information/
    );
    expectCode(
      () => parseGoBinaryFile(buildInfo('go1.17', MODINFO, 0x0), 'old'),
      'SBOM_LOCKFILE_UNSUPPORTED',
      /before Go 1\.18/
    );
    expectCode(
      () => parseGoBinaryFile(buildInfo('go1.19.8', ''), 'gopath'),
      'SBOM_LOCKFILE_UNSUPPORTED',
      /without module information/
    );
    expectCode(
      () => parseGoBinaryFile(buildInfo('go1.22', MODINFO).subarray(0, 120), 'cut'),
      'SBOM_LOCKFILE_INVALID',
      /truncated/
    );
  });
});
