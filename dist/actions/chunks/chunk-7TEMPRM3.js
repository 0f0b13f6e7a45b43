import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{b as r}from"./chunk-HWJCIIGJ.js";import{b as s}from"./chunk-2XZWTSOH.js";import{a as o}from"./chunk-3EQZ5X6P.js";function a(n){let t=n.optsWithGlobals();return{json:t.json===!0,debug:t.debug===!0}}o(a,"globalOptions");function d(n,t,e){if(e.json){t.json!==void 0&&n.stdout(r(s(t.json)));return}t.text!==void 0&&t.text.length>0&&n.stdout(r(t.text.endsWith(`
`)?t.text:`${t.text}
`))}o(d,"printOutput");var u={code:0};function w(n,t){return async(...e)=>{let m=e[e.length-1],i=await t(...e);d(n.io,i,a(m)),u.code=i.exitCode??0}}o(w,"commandAction");export{u as a,w as b};
