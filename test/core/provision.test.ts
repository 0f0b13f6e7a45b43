// The test command provisions what the suite needs from the machine, or names the one command.
import { describe, expect, it } from 'vitest';
import { MACHINE_NEEDS, planProvision, type MachineNeed } from '../helpers/provision.js';

const needs: MachineNeed[] = [
  { binary: '/usr/bin/chromium', debianPackage: 'chromium', usedBy: 'browser tests' },
  { binary: '/usr/bin/skopeo', debianPackage: 'skopeo', usedBy: 'image tests' },
];

describe('planProvision', () => {
  it('does nothing when every binary is there', () => {
    expect(planProvision(needs, { exists: () => true, canUseApt: false })).toEqual({
      kind: 'ready',
    });
  });
  it('installs only the missing packages when apt may be used', () => {
    const plan = planProvision(needs, {
      exists: (file) => file === '/usr/bin/chromium',
      canUseApt: true,
    });
    expect(plan).toMatchObject({ kind: 'install', packages: ['skopeo'] });
  });
  it('without apt, refuses with the one command to run', () => {
    const plan = planProvision(needs, { exists: () => false, canUseApt: false });
    expect(plan.kind).toBe('refuse');
    expect(plan.kind === 'refuse' && plan.message).toContain(
      '`sudo apt-get install -y chromium skopeo`'
    );
  });
  it('the suite names Debian packages for what it runs', () => {
    expect(MACHINE_NEEDS.map((need) => need.debianPackage)).toContain('chromium');
  });
});
