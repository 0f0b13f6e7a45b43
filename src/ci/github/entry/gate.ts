// Entry of actions/gate (dist/actions/gate.js): the runner sets INPUT_* and GITHUB_*; inputs are
// read into typed options, the gate runs, outputs/summary/annotations go back through @actions/core.
import { corePlatform, processDeps } from '../actions/core-platform.js';
import { executeAction } from '../actions/framework.js';
import { GATE_ACTION } from '../actions/gate.js';

await executeAction(GATE_ACTION, corePlatform(), processDeps());
