// Variant imports-node-http: the server is built on node:http, which parses HTTP for it; the
// exercise is parsing HTTP by hand on node:net, so the grader refuses the import.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const ROOT = path.resolve(process.env['WEB_ROOT'] || './static');

http
  .createServer((req, res) => {
    const file = path.join(ROOT, decodeURIComponent((req.url ?? '/').split('?')[0]!));
    fs.stat(file, (error, stat) => {
      if (error || !stat.isFile()) {
        res.writeHead(404, { 'Content-Length': 0 }).end();
        return;
      }
      res.writeHead(200, { 'Content-Length': stat.size });
      fs.createReadStream(file).pipe(res);
    });
  })
  .listen(Number(process.env['PORT']), '127.0.0.1');
