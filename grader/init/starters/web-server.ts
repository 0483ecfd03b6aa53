import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:web-server',
  {
    title: 'Static web server',
    noHttp: 'node:http, node:https and node:http2 may not be imported: the exercise is parsing HTTP/1.1 yourself from the byte stream.',
    root: 'The document root is the folder in the environment variable WEB_ROOT, or ./static when it is not set. Only regular files inside it are ever served; a symbolic link pointing outside it is missing (404) or refused (403).',
    state: 'The bytes received on this connection and not yet parsed (TCP is a byte stream: a request may come in pieces, and several in one segment).',
    parse: 'Parse each request as its bytes arrive: a request line `<method> <target> <version>`, header lines `Name: value`, an empty line (lines end with \\r\\n, a bare \\n is accepted). A request line over 8,192 bytes gets 414, a header section over 16,384 bytes or 100 lines gets 431, as soon as the limit is passed.',
    status: 'Check in the spec\'s order: 400 malformed, 505 another version, 405 with `Allow: GET, HEAD` for other methods, then the path: up to the first ?, percent-decoded once as UTF-8; NUL, \\, invalid UTF-8 or a .. segment never reach the disk; 404 when missing; a path ending in / means its index.html.',
    respond: 'Every response: `HTTP/1.1 <code> <reason>`, Content-Type by the extension, an exact Content-Length in bytes (never chunked); HEAD gets the same head and no body. Stream the file with backpressure (fs.createReadStream(file).pipe(socket, { end: false })) and answer pipelined requests in order, one after the other.',
    close: 'Keep the connection open after a response, except after `Connection: close`, HTTP/1.0, a 400/414/431/505 or a request with a body: then say `Connection: close` and end your side (socket.end()). Never block the event loop: slow clients and 2,000 open connections must not delay anyone.',
  },
  {
    title: '静态 Web 服务器',
    noHttp: '不允许导入 node:http、node:https 和 node:http2：这道题练的就是自己从字节流中解析 HTTP/1.1。',
    root: '文档根目录是环境变量 WEB_ROOT 指定的文件夹，没有设置时是 ./static。只返回根目录之内的普通文件；指向根目录之外的符号链接按不存在（404）或禁止访问（403）处理。',
    state: '这个连接上已经收到、还没有解析的字节（TCP 是字节流：一个请求可能分几次到达，也可能几个请求粘在一个段里，即粘包）。',
    parse: '随字节到达逐步解析每个请求：请求行 `<method> <target> <version>`、头部行 `Name: value`、一个空行（行以 \\r\\n 结尾，单独的 \\n 也接受）。请求行超过 8,192 字节返回 414，头部超过 16,384 字节或 100 行返回 431，一超出限制就返回。',
    status: '按题目里的顺序检查：格式错误返回 400，其他版本返回 505，其他方法返回 405 并带 `Allow: GET, HEAD`；然后是路径：取第一个 ? 之前的部分，按 UTF-8 只做一次百分号解码；含 NUL、\\、非法 UTF-8 或 .. 路径段的路径绝不能碰到磁盘；文件不存在返回 404；以 / 结尾的路径表示该目录下的 index.html。',
    respond: '每个响应：`HTTP/1.1 <code> <reason>`，按扩展名决定的 Content-Type，按字节计的准确 Content-Length（不用分块传输）；HEAD 得到同样的响应头，没有响应体。用背压方式流式发送文件（fs.createReadStream(file).pipe(socket, { end: false })），流水线上的请求按顺序逐个回答。',
    close: '响应之后保持连接打开；但在 `Connection: close`、HTTP/1.0、400/414/431/505 或带请求体的请求之后，响应中带 `Connection: close` 并关闭自己这一端（socket.end()）。绝不阻塞事件循环：慢客户端和 2,000 个打开的连接都不能耽误别的客户端。',
  },
);

export default defineStarter({
  exercise: 'web-server',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'web-server',
      title: say('title'),
      atStart: `${comment(say('noHttp'))}
const WEB_ROOT = process.env.WEB_ROOT || './static';
${todo(language, [say('root')])}`,
      onConnect: `${comment(say('state'), '  ')}\n  let pending = Buffer.alloc(0);`,
      onData: `    pending = Buffer.concat([pending, chunk]);\n${todo(language, [say('parse'), say('status'), say('respond'), say('close')], '    ')}`,
    }),
  }),
});
