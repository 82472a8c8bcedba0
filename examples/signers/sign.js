#!/usr/bin/env node
// Linksfield Mall (Vshop) request signature, written from openapi/vshop.yaml's info.description,
// checked against openapi/signing-vectors.json. Node.js, no dependencies. Usage: sign.js [vectors.json]
'use strict';
const { createHash } = require('node:crypto'), fs = require('node:fs'), path = require('node:path');

// Keys sort by code point (= UTF-8 byte order), not by UTF-16 units as Array.prototype.sort does.
const byCodePoint = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
// Build the text ourselves: objects list integer-like keys ("9", "10") first whatever order they are set in.
const write = (v) => v === null || typeof v !== 'object' ? JSON.stringify(v)
  : Array.isArray(v) ? '[' + v.map(write).join(',') + ']'
  : '{' + Object.keys(v).sort(byCodePoint).map((k) => JSON.stringify(k) + ':' + write(v[k])).join(',') + '}';
const countKeys = (v) => v === null || typeof v !== 'object' ? 0
  : (Array.isArray(v) ? 0 : Object.keys(v).length) + Object.values(v).reduce((n, x) => n + countKeys(x), 0);

function parse(body) { // body: the exact bytes sent (Buffer)
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body); // throws on invalid UTF-8
  const doc = JSON.parse(text, (k, v) => { // JSON.parse accepts "\ud800"; refuse lone surrogates
    if (!k.isWellFormed() || (typeof v === 'string' && !v.isWellFormed())) throw new Error('lone surrogate');
    return v;
  });
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('body is not a JSON object');
  const colons = (text.match(/"(?:[^"\\]|\\.)*"|:/g) || []).filter((t) => t === ':').length;
  if (colons !== countKeys(doc)) throw new Error('duplicate key'); // JSON.parse silently keeps the last one
  return { text, doc };
}
// The top-level keys in the order sent: an object lists integer-like keys ("9", "10") first instead.
function topKeys(text) {
  const keys = [];
  let depth = 0;
  for (const [t, colon] of text.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?|[{}[\]]/g)) {
    if (t === '{' || t === '[') depth++;
    else if (t === '}' || t === ']') depth--;
    else if (depth === 1 && colon) keys.push(JSON.parse(t.slice(0, t.length - colon.length)));
  }
  return keys;
}
const empty = (v) => v === null || v === '' || v === undefined;
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
const content = (vals) => write(Object.fromEntries([...vals].filter(([k, v]) => k !== 'sign' && !empty(v))));
const signContent = (body) => content(Object.entries(parse(body).doc));
const sign = (body) => md5(signContent(body));

// The body to send: members in their order, sign dropped, each written as in the signContent (so what
// is sent is what is signed); the signer's fields filled in place when null or "", appended when
// absent; the sign last.
function wireBody(body, signer) {
  const { text, doc } = parse(body);
  const vals = new Map(topKeys(text).filter((k) => k !== 'sign').map((k) => [k, doc[k]]));
  for (const f of ['partnerCode', 'version', 'tradeType', 'tradeTime']) if (empty(vals.get(f))) vals.set(f, signer[f]);
  const members = [...vals].map(([k, v]) => JSON.stringify(k) + ':' + write(v));
  return '{' + members.join(',') + ',"sign":"' + md5(content(vals)) + '"}';
}

// Required as a module (examples/typescript): export the signer, skip the vector check below.
if (require.main !== module) return void (module.exports = { sign, signContent });
const file = JSON.parse(fs.readFileSync(process.argv[2] || path.join(__dirname, '../../openapi/signing-vectors.json'), 'utf8'));
const bytes = (v) => v.bodyBase64 !== undefined ? Buffer.from(v.bodyBase64, 'base64') : Buffer.from(v.body, 'utf8');
let bad = 0;
const fail = (v, why) => { bad++; console.log('FAIL', v.name, why); };
for (const v of file.vectors) {
  const [c, s, w] = [signContent(bytes(v)), sign(bytes(v)), wireBody(bytes(v), file.signer)];
  if (c !== v.signContent || s !== v.sign || w !== v.wire) fail(v, JSON.stringify([c, s, w]));
}
for (const v of file.negative) {
  if (sign(bytes(v)) === v.notSign || signContent(bytes(v)) === v.wrongSignContent) fail(v, 'produced the wrong value');
}
for (const v of file.errors) {
  try { sign(bytes(v)); fail(v, 'accepted'); } catch (e) { /* refused, as it should be */ }
}
const n = file.vectors.length + file.negative.length + file.errors.length;
console.log(`sign.js: ${n - bad}/${n} vectors ok`);
process.exit(bad ? 1 : 0);
