// netgrade's import guard for the web-server exercise (a grader file, preloaded with
// `node --import <this file> server.ts`; never part of a submission).
//
// The exercise is parsing HTTP by hand on node:net, so node:http, node:https and node:http2
// (also without the `node:` prefix) are refused. They are found by Node's own module machinery,
// not by reading the source text: a synchronous resolve hook (module.registerHooks) sees every
// specifier that import, import() and require() resolve, whatever string or expression produced
// it. A refused static import stops the server before it listens, with the message below as the
// thrown error (the report shows it as a crash at start); a dynamic import() or require() of them
// later fails in the same way where it runs. process.getBuiltinModule, which bypasses the hooks,
// is refused too.
import module from 'node:module';

const REFUSED = new Set(['http', 'https', 'http2', '_http_server', '_http_client', '_http_common', '_http_agent', '_http_incoming', '_http_outgoing']);

function refusedName(specifier) {
  const name = String(specifier).replace(/^node:/, '');
  return REFUSED.has(name) ? name : undefined;
}

function refuse(name) {
  const message =
    `netgrade: web-server may not import node:${name}: parse HTTP yourself on node:net. ` +
    `本题不允许导入 node:${name}：请在 node:net 上自己解析 HTTP。`;
  process.stderr.write(`${message}\n`);
  const error = new Error(message);
  error.code = 'ERR_NETGRADE_FORBIDDEN_IMPORT';
  return error;
}

module.registerHooks({
  resolve(specifier, context, nextResolve) {
    const name = refusedName(specifier);
    if (name !== undefined) throw refuse(name);
    return nextResolve(specifier, context);
  },
});

const getBuiltinModule = process.getBuiltinModule?.bind(process);
if (getBuiltinModule) {
  process.getBuiltinModule = (id) => {
    const name = refusedName(id);
    if (name !== undefined) throw refuse(name);
    return getBuiltinModule(id);
  };
}
