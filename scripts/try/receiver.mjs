#!/usr/bin/env node
// A local webhook receiver for trying Hookpost: prints each POST and checks Mailgun's signature
// when SIGNING_KEY is set.  PORT (default 9000).  Zero dependencies.
import { createServer } from 'node:http';
import { signatureValid } from './verify.mjs';

const port = Number(process.env.PORT ?? 9000);
const key = process.env.SIGNING_KEY;

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let verdict = 'set SIGNING_KEY to verify the signature';
    try {
      const body = JSON.parse(text);
      if (key) verdict = signatureValid(key, body.signature) ? 'signature OK' : 'signature MISMATCH';
      const data = body['event-data'] ?? {};
      console.log(`${req.method} ${req.url} event=${data.event} id=${data.id} ${verdict}`);
      console.log(JSON.stringify(body, null, 2));
    } catch {
      console.log(`${req.method} ${req.url} (not JSON) ${text.slice(0, 200)}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/`));
