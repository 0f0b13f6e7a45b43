// Entry of actions/sign (dist/actions/sign.js): INPUT_* -> typed options -> sign -> outputs.
import { corePlatform, processDeps } from '../actions/core-platform.js';
import { executeAction } from '../actions/framework.js';
import { SIGN_ACTION } from '../actions/sign.js';

await executeAction(SIGN_ACTION, corePlatform(), processDeps());
