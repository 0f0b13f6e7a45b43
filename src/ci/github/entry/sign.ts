// Entry of actions/sign (dist/actions/sign.js). The runner sets INPUT_* and GITHUB_*; runEntry reads
// the inputs into typed options (SignInputs), then loads
// @actions/core (outputs, step summary, masks, error annotations) and runs the action.
import { runEntry } from '../actions/framework.js';
import { SIGN_ACTION } from '../actions/sign.js';

await runEntry(SIGN_ACTION);
