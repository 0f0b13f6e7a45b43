// Entry of actions/verify (dist/actions/verify.js). The runner sets INPUT_* and GITHUB_*; runEntry reads
// the inputs into typed options (VerifyInputs), then loads
// @actions/core (outputs, step summary, masks, error annotations) and runs the action.
import { runEntry } from '../actions/framework.js';
import { VERIFY_ACTION } from '../actions/verify.js';

await runEntry(VERIFY_ACTION);
