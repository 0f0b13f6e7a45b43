// The demo's steps, in order. Each capability's issue adds its step here.
import { createChecksumFile, verifyChecksumFile } from '../../digest/checksum-file.js';
import { CustodyError } from '../../errors.js';
import { readFileLimited, writeFileAtomic } from '../../io/fs.js';
import path from 'node:path';
import { sampleArtifacts } from './sample.js';
import { loadTrustedRoot, signArtifact, verifyBundle } from '../../sign/index.js';
import type { LocalSigstoreStack } from '../../stack/index.js';
import { prettyCanonicalJSON } from '../../util/canonical-json.js';
import type { DemoStep } from './state.js';
import { attestDemoStep } from '../commands/attest.js';
import { verifyDemoStep } from '../commands/verify.js';
import { traceDemoStep } from '../commands/trace.js';
import { sbomDemoStep } from '../commands/sbom.js';

const writeArtifacts: DemoStep = {
  name: 'artifacts',
  async run(state) {
    for (const file of sampleArtifacts()) {
      await writeFileAtomic(path.join(state.outDir, file.name), file.content);
      state.artifacts.push(file.name);
    }
    state.artifacts.sort();
    state.log(`wrote ${state.artifacts.length} sample artifacts`);
  },
};

// SHA256SUMS over the artifacts, then verified as `sha256sum -c` would (fact: 'checksums').
const writeChecksums: DemoStep = {
  name: 'checksums',
  async run(state) {
    const output = path.join(state.outDir, 'SHA256SUMS');
    const created = await createChecksumFile({
      output,
      inputs: state.artifacts.map((name) => path.join(state.outDir, name)),
      cwd: state.outDir,
    });
    state.log(`wrote SHA256SUMS (${created.entries.length} files, sha256)`);
    const verified = await verifyChecksumFile({ file: output, cwd: state.outDir });
    if (!verified.ok) {
      throw new CustodyError(
        'CHECKSUMS_MISMATCH',
        `demo SHA256SUMS did not verify: ${verified.failed.join(', ')}`
      );
    }
    state.log(`verified SHA256SUMS: ${verified.counts.ok} OK`);
    state.facts.set('checksums', output);
  },
};

// Keyless signing of every artifact and SHA256SUMS on the local Sigstore stack (GitHub Actions
// identity), each bundle verified right away (facts: 'stack', 'bundles', 'signerIdentity').
const signRelease: DemoStep = {
  name: 'sign',
  async run(state) {
    let stack = state.facts.get('stack') as LocalSigstoreStack | undefined;
    if (stack === undefined) {
      // loaded on first use: the stack's mock services are heavy to import
      const { startLocalSigstoreStack } = await import('../../stack/index.js');
      const started = await startLocalSigstoreStack();
      state.cleanups.push(() => started.close());
      state.facts.set('stack', started);
      stack = started;
      state.log(`started the local Sigstore stack (Fulcio ${stack.fulcioURL})`);
    }
    await writeFileAtomic(
      path.join(state.outDir, 'trusted_root.json'),
      prettyCanonicalJSON(stack.trustedRoot)
    );
    const trust = loadTrustedRoot(stack.trustedRoot);
    const token = stack.issueToken('github');
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')
    ) as { job_workflow_ref?: string; iss?: string };
    const identity = `https://github.com/${claims.job_workflow_ref ?? ''}`;
    const config = {
      identity: { kind: 'keyless' as const, token },
      fulcioURL: stack.fulcioURL,
      rekorURL: stack.rekorURL,
      tsaURL: stack.tsaURL,
    };
    const files = state.facts.has('checksums')
      ? [...state.artifacts, 'SHA256SUMS']
      : [...state.artifacts];
    const bundles: Record<string, string> = {};
    for (const file of files) {
      const data = await readFileLimited(path.join(state.outDir, file), {
        maxBytes: 1024 * 1024 * 1024,
      });
      const bundle = await signArtifact(data, config);
      const bundleName = `${file}.sigstore.json`;
      await writeFileAtomic(path.join(state.outDir, bundleName), prettyCanonicalJSON(bundle));
      const verified = verifyBundle(bundle, { kind: 'bytes', bytes: data }, trust, {
        subjectAlternativeName: identity,
        issuer: claims.iss ?? '',
      });
      bundles[file] = bundleName;
      state.log(
        `signed ${file} → ${bundleName} (verified: ${verified.tlogEntries} tlog entry, ${verified.timestamps.length} timestamps)`
      );
    }
    state.facts.set('bundles', bundles);
    state.facts.set('signerIdentity', { subjectAlternativeName: identity, issuer: claims.iss });
    state.log(`signer: ${identity}`);
  },
};

export const DEMO_STEPS: readonly DemoStep[] = [
  writeArtifacts,
  writeChecksums,
  sbomDemoStep,
  signRelease,
  attestDemoStep,
  verifyDemoStep, // verifies the release against custody-policy.yaml (fact: 'verdict')
  traceDemoStep, // last: records a deployment and writes trace.{html,md,json}
];
