import { createRequire as __custodyCreateRequire } from 'node:module'; const require = __custodyCreateRequire(import.meta.url);
import{d as S}from"./chunk-BC7MGY62.js";import{a as i}from"./chunk-3EQZ5X6P.js";import{statSync as L}from"node:fs";import{availableParallelism as Q}from"node:os";import{setImmediate as W}from"node:timers/promises";import{Worker as M}from"node:worker_threads";import{createHash as N}from"node:crypto";import{closeSync as A,openSync as J,readSync as $}from"node:fs";import{open as K}from"node:fs/promises";var w=1024*1024;function P(){return{current:Buffer.allocUnsafe(w),next:Buffer.allocUnsafe(w)}}i(P,"allocateChunkBuffers");function B(e,r,t){let s=N(r),n=J(e,"r"),o=0;try{for(;;){let a=$(n,t,0,t.length,null);if(a===0)break;s.update(a===t.length?t:t.subarray(0,a)),o+=a}}finally{A(n)}return{hex:s.digest("hex"),size:o}}i(B,"hashFileSync");async function F(e,r,t=P(),s){let n=N(r),o=await K(e,"r"),a=0;try{let u=o.read(t.current,0,w,null);for(;;){let{bytesRead:h,buffer:y}=await u;if(h===0)break;let d=y;t.current=t.next,t.next=d,u=o.read(t.current,0,w,null),n.update(h===w?d:d.subarray(0,h)),a+=h,s?.(h)}}finally{await o.close()}return{hex:n.digest("hex"),size:a}}i(F,"hashFileStreaming");var O=String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const { createHash } = require('node:crypto');
const CHUNK_SIZE = 1024 * 1024;
let current = Buffer.allocUnsafe(CHUNK_SIZE);
let next = Buffer.allocUnsafe(CHUNK_SIZE);

function hashSync(file, algorithm) {
  const hash = createHash(algorithm);
  const fd = fs.openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const bytesRead = fs.readSync(fd, current, 0, CHUNK_SIZE, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK_SIZE ? current : current.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { hex: hash.digest('hex'), size };
}

async function hashStreaming(file, algorithm) {
  const hash = createHash(algorithm);
  const handle = await fsp.open(file, 'r');
  let size = 0;
  try {
    let pending = handle.read(current, 0, CHUNK_SIZE, null);
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) break;
      const filled = buffer;
      current = next;
      next = filled;
      pending = handle.read(current, 0, CHUNK_SIZE, null);
      hash.update(bytesRead === CHUNK_SIZE ? filled : filled.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { hex: hash.digest('hex'), size };
}

let queue = Promise.resolve();
parentPort.on('message', (batch) => {
  queue = queue.then(async () => {
    const results = [];
    for (const job of batch.jobs) {
      try {
        results.push(job.streaming ? await hashStreaming(job.path, job.algorithm) : hashSync(job.path, job.algorithm));
      } catch (error) {
        results.push({ errno: String((error && error.code) || 'EIO'), message: String((error && error.message) || error) });
      }
    }
    parentPort.postMessage({ id: batch.id, results });
  });
});
`;var Z=32*1024,q=128*1024*1024,j=16,Y=8*1024*1024,X=1;async function me(e,r="sha256"){try{return(await F(e,r)).hex}catch(t){throw T(e,v(t),t)}}i(me,"digestFile");async function xe(e,r="sha256",t={}){return(await V(e.map(n=>({path:n,algorithm:r})),t)).map((n,o)=>{let a=e[o];if(!n.ok)throw T(a,n.errno,void 0,n.message);return{path:a,algorithm:r,hex:n.hex,size:n.size}})}i(xe,"digestFiles");async function V(e,r={}){let t=new Array(e.length),s=[],n=0;e.forEach((l,f)=>{try{let p=L(l.path);if(p.isDirectory()){t[f]=E("EISDIR",`${l.path} is a directory`);return}let b=p.isFile()?p.size:0;n+=b,s.push({...l,index:f,size:b,streaming:!p.isFile()||b>w})}catch(p){t[f]=E(v(p),U(p))}}),s.sort((l,f)=>f.size-l.size||l.index-f.index);let o=new _(s),a=e.length-s.length,u=0,h=i(()=>r.onProgress?.({filesDone:a,filesTotal:e.length,bytesDone:u,bytesTotal:n}),"report"),y=i((l,f,p=0)=>{t[l.index]=f,a++,u+=Math.max(0,l.size-p),h()},"settle"),d=P(),g=i(async(l,f=d)=>{let p=0,b;try{b={ok:!0,...l.streaming?await F(l.path,l.algorithm,f,I=>{p+=I,u+=I,h()}):B(l.path,l.algorithm,f.current)}}catch(R){b=E(v(R),U(R))}y(l,b,p)},"hashOnMainThread"),c=i(async()=>{let l=performance.now();for(let f=o.take();f!==void 0;f=o.take())await g(f),performance.now()-l>X&&(await W(),l=performance.now())},"mainLane"),x=n+s.length*Z,m=s.length>=2&&x>=(r.workerThreshold??q)?Math.min(r.workers??te(),s.length-1):0,k=[];try{let l=[];for(let f=0;f<m;f++){let p;try{p=new M(r.workerSource??O,{eval:!0})}catch{break}k.push(p),l.push(G(p,o,y,g))}l.push(c()),await Promise.all(l)}finally{await Promise.all(k.map(l=>l.terminate()))}return t.map(l=>l??E("EIO","internal: a file was never hashed"))}i(V,"digestFilesSettled");var _=class{constructor(r){this.jobs=r}jobs;static{i(this,"JobQueue")}next=0;take(){return this.jobs[this.next++]}peek(){return this.jobs[this.next]}};function G(e,r,t,s){return new Promise(n=>{let o=[],a=0,u=!1,h=i(()=>{u||(u=!0,e.removeAllListeners("message"),n())},"finish"),y=i(()=>{if(o=ee(r),o.length===0){h();return}a++,e.postMessage({id:a,jobs:o.map(c=>({path:c.path,algorithm:c.algorithm,streaming:c.streaming}))})},"sendNext");e.on("message",c=>{c.id===a&&(o.forEach((x,m)=>{let k=c.results[m];k===void 0?t(x,E("EIO","worker returned no result")):"hex"in k?t(x,{ok:!0,hex:k.hex,size:k.size}):t(x,E(k.errno,k.message))}),y())}),e.once("online",y);let d=!1,g=i(()=>{if(u||d)return;d=!0;let c=o;o=[],a=-1,(async()=>{let x=P();for(let m of c)await s(m,x);h()})()},"rescue");e.once("error",g),e.once("exit",g)})}i(G,"workerLane");function ee(e){let r=[],t=0;for(let s=e.peek();s!==void 0&&r.length<j&&!(r.length>0&&t+s.size>Y);s=e.peek())r.push(s),t+=s.size,e.take();return r}i(ee,"takeBatch");function te(){return Math.max(0,Math.min(3,Q()-1))}i(te,"defaultWorkerCount");function E(e,r){return{ok:!1,errno:e,message:r}}i(E,"failure");function v(e){let r=e?.code;return typeof r=="string"?r:"EIO"}i(v,"errnoOf");function U(e){return e instanceof Error?e.message:String(e)}i(U,"messageOf");function T(e,r,t,s){if(r==="ENOENT")return new S("INPUT_NOT_FOUND",`${e} does not exist`,{cause:t,details:{file:e}});let n=r==="EISDIR"?"it is a directory":r;return new S("INPUT_UNREADABLE",`cannot read ${e}: ${n}`,{cause:t??(s===void 0?void 0:new Error(s)),details:{file:e,errno:r}})}i(T,"readError");import{readdir as re,realpath as C,stat as H}from"node:fs/promises";import D from"node:path";async function De(e,r,t={}){let s=[],n=[];for(let o of e){let a=D.resolve(r,o),u;try{u=await H(a)}catch(d){let g=d.code;throw g==="ENOENT"?new S("INPUT_NOT_FOUND",`${o} does not exist`,{cause:d,details:{file:o}}):new S("INPUT_UNREADABLE",`cannot read ${o}: ${g??"error"}`,{cause:d,details:{file:o}})}if(!u.isDirectory()){s.push({display:o,absolute:a,walked:!1});continue}let h=o.replace(/[\\/]+$/,"")||o.slice(0,1),y=await ne(a,t.exclude??new Set);for(let d of y.files)s.push({display:h==="/"?`/${d}`:`${h}/${d}`,absolute:D.join(a,...d.split("/")),walked:!0});for(let d of y.skipped)n.push({path:h==="/"?`/${d.path}`:`${h}/${d.path}`,reason:d.reason})}return{files:s,skipped:n}}i(De,"expandPaths");async function ne(e,r){let t=await C(e),s=[],n=[],o=i(u=>u===t||u.startsWith(t.endsWith(D.sep)?t:t+D.sep),"inside"),a=i(async(u,h,y)=>{let d=await re(u,{withFileTypes:!0});for(let g of d){let c=h===""?g.name:`${h}/${g.name}`,x=D.join(u,g.name);if(r.has(x)){n.push({path:c,reason:"excluded"});continue}if(g.isFile())s.push(c);else if(g.isDirectory()){let m=await C(x);await a(x,c,new Set([...y,m]))}else if(g.isSymbolicLink()){let m;try{m=await C(x)}catch{n.push({path:c,reason:"dangling-symlink"});continue}if(!o(m)){n.push({path:c,reason:"symlink-leaves-root"});continue}if(r.has(m)){n.push({path:c,reason:"excluded"});continue}let k=await H(m);k.isFile()?s.push(c):k.isDirectory()?y.has(m)?n.push({path:c,reason:"symlink-cycle"}):await a(x,c,new Set([...y,m])):n.push({path:c,reason:"not-a-file"})}else n.push({path:c,reason:"not-a-file"})}},"visit");return await a(e,"",new Set([t])),s.sort(z),n.sort((u,h)=>z(u.path,h.path)),{files:s,skipped:n}}i(ne,"walkDirectory");function z(e,r){return Buffer.compare(Buffer.from(e,"utf8"),Buffer.from(r,"utf8"))}i(z,"compareBytes");export{me as a,xe as b,V as c,T as d,De as e,z as f};
