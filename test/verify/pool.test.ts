// Parallel bundle verification gives the same outcomes as the main thread, verifies identical
// bundles once, and really uses worker threads.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrustedRoot } from '../../src/sign/index.js';
import { createBundleVerifier } from '../../src/verify/adapter/pool.js';
import type { BundleRequest } from '../../src/verify/types.js';
import { buildReleaseKit, type ReleaseKit } from './release-fixture.js';

let kit: ReleaseKit;
beforeAll(async () => {
  kit = await buildReleaseKit();
}, 60_000);
afterAll(async () => {
  await kit?.close();
  if (kit !== undefined) await rm(kit.root, { recursive: true, force: true });
});

async function requests(): Promise<BundleRequest[]> {
  const lines = [
    ...(await Promise.all(
      ['provenance', 'sbom', 'agent'].map((n) =>
        readFile(path.join(kit.pristine, `${n}.intoto.jsonl`), 'utf8')
      )
    )),
    ...Object.values(kit.variants),
  ];
  const list: BundleRequest[] = lines.map((line, i) => ({
    id: `b${i}`,
    bundle: JSON.parse(line),
    publicKeys: [],
    requireTransparencyLog: true,
  }));
  // A corrupted copy must fail the same way in a worker.
  const broken = structuredClone(list[0]!.bundle) as { dsseEnvelope: { payload: string } };
  broken.dsseEnvelope.payload = Buffer.from('{"tampered":true}').toString('base64');
  list.push({ id: 'broken', bundle: broken, publicKeys: [], requireTransparencyLog: true });
  return list;
}

describe('createBundleVerifier', () => {
  it('workers and the main thread agree; duplicates are verified once', async () => {
    const trust = loadTrustedRoot(kit.stack.trustedRoot);
    const list = await requests();
    const withDuplicates = [...list, ...list.map((r) => ({ ...r, id: `${r.id}-copy` }))];
    const parallel = createBundleVerifier({ trust, workers: 2, workerThreshold: 0, batchSize: 2 });
    const inThread = createBundleVerifier({ trust, workers: 0 });
    const a = await parallel.verifyBundles(withDuplicates);
    const b = await inThread.verifyBundles(list);
    expect(parallel.stats.distinct).toBe(list.length);
    expect(parallel.stats.workersStarted).toBe(2);
    expect(parallel.stats.verifiedByWorkers).toBeGreaterThan(0);
    const summarize = (o: (typeof a)[number]) =>
      o.ok
        ? { ok: true, type: o.verified.statement?.predicateType, signer: o.verified.signer.kind }
        : { ok: false, code: o.code };
    for (const outcome of b) {
      expect(summarize(a.find((x) => x.id === outcome.id)!)).toEqual(summarize(outcome));
      expect(summarize(a.find((x) => x.id === `${outcome.id}-copy`)!)).toEqual(summarize(outcome));
    }
    expect(b.find((o) => o.id === 'broken')!.ok).toBe(false);
    expect(b.filter((o) => o.ok)).toHaveLength(list.length - 1);
  });

  it('with the chain memos installed, a certificate with a forged signature still fails', async () => {
    const trust = loadTrustedRoot(kit.stack.trustedRoot);
    const verifier = createBundleVerifier({ trust, workers: 0 });
    const [good] = await requests();
    const first = await verifier.verifyBundles([good!]);
    expect(first[0]!.ok).toBe(true);
    const forged = structuredClone(good!.bundle) as {
      verificationMaterial: {
        certificate?: { rawBytes: string };
        x509CertificateChain?: { certificates: { rawBytes: string }[] };
      };
    };
    const material = forged.verificationMaterial;
    const holder = material.certificate ?? material.x509CertificateChain!.certificates[0]!;
    const der = Buffer.from(holder.rawBytes, 'base64');
    der[der.length - 3] = der[der.length - 3]! ^ 0x01; // inside the CA signature over the leaf
    holder.rawBytes = der.toString('base64');
    const [outcome] = await verifier.verifyBundles([{ ...good!, id: 'forged', bundle: forged }]);
    expect(outcome!.ok).toBe(false);
    // And the genuine bundle still verifies afterwards.
    expect((await verifier.verifyBundles([{ ...good!, id: 'again' }]))[0]!.ok).toBe(true);
  });
});
