// Global setup of `npm test`: what the suite needs from the machine beyond npm packages is
// provisioned here, by the test command itself, so that a fresh clone passes with only Node and
// npm. Each need is a Debian package; when one is missing and this process may use apt (root),
// it is installed; otherwise the run stops at once with the one command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface MachineNeed {
  /** The executable the tests run. */
  binary: string;
  /** The Debian package that provides it. */
  debianPackage: string;
  /** Which tests need it, for the message. */
  usedBy: string;
}

export const MACHINE_NEEDS: readonly MachineNeed[] = [
  {
    binary: '/usr/bin/chromium',
    debianPackage: 'chromium',
    usedBy: 'the trace HTML report tests (headless Chromium)',
  },
];

function canUseApt(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

function apt(args: string[]): boolean {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  return result.status === 0;
}

export type ProvisionPlan =
  | { kind: 'ready' }
  | { kind: 'install'; packages: string[]; what: string }
  | { kind: 'refuse'; message: string };

/** What to do about the machine's needs, decided from facts (testable without touching apt). */
export function planProvision(
  needs: readonly MachineNeed[],
  facts: { exists: (file: string) => boolean; canUseApt: boolean }
): ProvisionPlan {
  const missing = needs.filter((need) => !facts.exists(need.binary));
  if (missing.length === 0) return { kind: 'ready' };
  const packages = [...new Set(missing.map((need) => need.debianPackage))];
  const what = missing.map((need) => `${need.binary} (${need.usedBy})`).join('; ');
  if (!facts.canUseApt) {
    return {
      kind: 'refuse',
      message: `the tests need ${what}: run \`sudo apt-get install -y ${packages.join(' ')}\`, then npm test again`,
    };
  }
  return { kind: 'install', packages, what };
}

export function provision(needs: readonly MachineNeed[] = MACHINE_NEEDS): void {
  const plan = planProvision(needs, { exists: existsSync, canUseApt: canUseApt() });
  if (plan.kind === 'ready') return;
  if (plan.kind === 'refuse') throw new Error(plan.message);
  const { packages, what } = plan;
  const command = `apt-get install -y ${packages.join(' ')}`;
  process.stderr.write(
    `npm test: installing Debian packages the tests need: ${packages.join(' ')}\n`
  );
  const installed = apt(['update', '-qq']) && apt(['install', '-y', '-qq', ...packages]);
  const still = needs.filter((need) => !existsSync(need.binary));
  if (!installed || still.length > 0) {
    throw new Error(`could not install ${packages.join(' ')} for ${what}: run \`${command}\``);
  }
}

export default function setup(): void {
  provision();
}
