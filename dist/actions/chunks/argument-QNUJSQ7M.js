import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{f as a}from"./chunk-WBBTAFYM.js";import"./chunk-7TL5UW3B.js";import"./chunk-3EQZ5X6P.js";export{a as isImageArgument};
