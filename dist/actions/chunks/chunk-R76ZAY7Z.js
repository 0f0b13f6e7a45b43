import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{a as t}from"./chunk-3EQZ5X6P.js";function o(n,e){return e in n?n:n.default}t(o,"commonJSExports");export{o as a};
