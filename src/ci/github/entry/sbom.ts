// Entry of actions/sbom (dist/actions/sbom.js). The runner sets INPUT_* and GITHUB_*; runEntry reads
// the inputs into typed options (SbomInputs), then loads
// @actions/core (outputs, step summary, masks, error annotations) and runs the action.
import { runEntry } from '../actions/framework.js';
import { SBOM_ACTION } from '../actions/sbom.js';

await runEntry(SBOM_ACTION);
