// Every action, by the folder name of its action.yml: what the consistency test and the docs
// table generator walk. Entries import their action directly, not this list.
import { ATTEST_ACTION } from './attest.js';
import type { ActionDefinition } from './framework.js';
import { GATE_ACTION } from './gate.js';
import { SBOM_ACTION } from './sbom.js';
import { SIGN_ACTION } from './sign.js';
import { VERIFY_ACTION } from './verify.js';

export const ACTIONS: Readonly<Record<string, ActionDefinition<string, string, unknown>>> = {
  attest: ATTEST_ACTION,
  gate: GATE_ACTION,
  sbom: SBOM_ACTION,
  sign: SIGN_ACTION,
  verify: VERIFY_ACTION,
};
