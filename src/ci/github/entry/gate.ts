// Entry of actions/gate (dist/actions/gate.js). The runner sets INPUT_* and GITHUB_*; runEntry reads
// the inputs into typed options (GateInputs), then loads
// @actions/core (outputs, step summary, masks, error annotations) and runs the action.
import { runEntry } from '../actions/framework.js';
import { GATE_ACTION } from '../actions/gate.js';

await runEntry(GATE_ACTION);
