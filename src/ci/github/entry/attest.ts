// Entry of actions/attest (dist/actions/attest.js). The runner sets INPUT_* and GITHUB_*; runEntry reads
// the inputs into typed options (AttestInputs), then loads
// @actions/core (outputs, step summary, masks, error annotations) and runs the action.
import { ATTEST_ACTION } from '../actions/attest.js';
import { runEntry } from '../actions/framework.js';

await runEntry(ATTEST_ACTION);
