/**
 * The comments every starter shares (the boilerplate's explanations), in en and zh-CN.
 * Each exercise's own TODOs live in its starter file (grader/init/starters/<id>.ts).
 */
import { defineCatalogue } from '../i18n/catalogue.ts';

export const starterText = defineCatalogue(
  'init',
  {
    header: '{title} ({id}): a starter written by `netgrade init`. The contract is exercises/{id}/spec.md. It runs but earns no points until you do the TODOs.',
    port: 'The port: env PORT first, then `--port N` (or `--port=N`).',
    noPort: 'no valid port: set env PORT or pass --port N',
    listen: 'Listen on 127.0.0.1 only (never 0.0.0.0): the grader connects there.',
    halfOpen: 'allowHalfOpen: when the client ends its side (half-close), yours stays open so that you can still answer; you end it with socket.end().',
    socketError: "Every socket needs an 'error' handler: a client that resets its connection must not crash the server.",
    serverError: 'The server itself failed (e.g. the port is taken): say so on stderr and exit non-zero.',
    clientEnded: 'The client has sent everything (half-close): answer what is still pending, then end your side.',
    logs: 'Logs and errors go to stderr (console.error), never to stdout.',
    udpError: "The UDP socket needs an 'error' handler too.",
    workerError: 'A worker that throws must not leave the program hanging: exit non-zero.',
    todo: 'TODO',
  },
  {
    header: '{title}（{id}）：由 `netgrade init` 生成的起步文件。题目要求见 exercises/{id}/spec.md。它能运行，但在完成各处 TODO 之前不得分。',
    port: '端口：先读环境变量 PORT，没有再读 `--port N`（或 `--port=N`）。',
    noPort: '没有有效的端口：请设置环境变量 PORT 或传入 --port N',
    listen: '只监听 127.0.0.1（不要用 0.0.0.0）：评分程序连的是这个地址。',
    halfOpen: 'allowHalfOpen：客户端关闭自己的发送方向（半关闭）后，你这一端仍然开着，还能回复；由你调用 socket.end() 关闭。',
    socketError: "每个 socket 都要有 'error' 处理函数：客户端重置（RST）连接时，服务器不能因此崩溃。",
    serverError: '服务器本身出错（例如端口被占用）：在 stderr 上说明，并以非 0 退出码退出。',
    clientEnded: '客户端已经发完（半关闭）：把还没回复的回复完，再关闭你这一端。',
    logs: '日志和错误信息写到 stderr（console.error），不要写到 stdout。',
    udpError: "UDP socket 同样要有 'error' 处理函数。",
    workerError: '子线程抛出异常时程序不能卡住：以非 0 退出码退出。',
    todo: 'TODO',
  },
);
