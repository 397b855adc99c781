// Node (the runtime Claude Code ships on) refreshes a token through fake_oauth_server's CONNECT
// proxy with nothing but the environment a real client is given: HTTPS_PROXY and
// NODE_EXTRA_CA_CERTS (docs/REAL_CLIENTS.md#claude-code-endpoints).
//
// usage: node node_through_proxy.js PATH/TO/fake_oauth_server
//
// The parent starts the server, logs in over plain HTTP, and runs this same file as a child
// process with that environment: NODE_EXTRA_CA_CERTS is read only when a process starts, so the
// client must be a fresh process. Node 20's https ignores HTTPS_PROXY, so the child's agent opens
// the CONNECT tunnel itself, as proxy-aware clients do. A second child without
// NODE_EXTRA_CA_CERTS must be refused by its own TLS check: the trust comes from that variable.
// Exit 0 when every check holds, 1 otherwise.
'use strict';

const assert = require('node:assert');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const tls = require('node:tls');

const kTokenHost = 'platform.claude.com';  // Claude Code's fixed token URL host

// An https.Agent whose connections go through an HTTP CONNECT proxy: CONNECT host:443, then TLS
// on the tunnel, verified for the target's name with the process's trust store.
class ConnectTunnelAgent extends https.Agent {
  constructor(proxyUrl) {
    super({keepAlive: false});
    this.proxy = new URL(proxyUrl);
  }

  createConnection(options, callback) {
    const target = `${options.host}:${options.port || 443}`;
    const connect = http.request({
      host: this.proxy.hostname,
      port: this.proxy.port,
      method: 'CONNECT',
      path: target,
      headers: {host: target},
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`CONNECT ${target} answered ${res.statusCode}`));
        return;
      }
      const secure = tls.connect({
        socket,
        servername: options.servername || options.host,
        ALPNProtocols: ['http/1.1'],
      });
      secure.once('secureConnect', () => callback(null, secure));
      secure.once('error', callback);
    });
    connect.once('error', callback);
    connect.end();
  }
}

function request(options, body) {
  return new Promise((resolve, reject) => {
    const req = (options.agent ? https : http).request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({status: res.statusCode, body: text}));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Child: one refresh, as Claude Code sends it, through HTTPS_PROXY. Prints {status, body}.
async function runClient() {
  const body = JSON.stringify({
    grant_type: 'refresh_token',
    refresh_token: process.env.CREDSIM_REFRESH_TOKEN,
    client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  });
  const answer = await request(
      {
        host: kTokenHost,
        port: 443,
        method: 'POST',
        path: '/v1/oauth/token',
        headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)},
        agent: new ConnectTunnelAgent(process.env.HTTPS_PROXY),
      },
      body);
  process.stdout.write(JSON.stringify(answer));
}

function runChild(env) {
  return new Promise((resolve) => {
    const child = childProcess.execFile(
        process.execPath, [__filename, '--client'], {env, timeout: 20000},
        (error, stdout, stderr) => resolve({code: error ? error.code : 0, stdout, stderr}));
    child.stdin?.end();
  });
}

async function runParent(serverPath) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credsim-node-proxy-'));
  const caFile = path.join(dir, 'ca.pem');
  const server = childProcess.spawn(
      serverPath, ['--port', '0', '--proxy-port', '0', '--proxy-ca-out', caFile],
      {stdio: ['ignore', 'pipe', 'inherit']});
  const exited = new Promise((resolve) => {
    server.once('exit', (code, signal) => resolve({code, signal}));
    server.once('error', (error) => resolve({code: null, signal: null, error: error.message}));
  });
  try {
    const lines = readline.createInterface({input: server.stdout})[Symbol.asyncIterator]();
    const baseUrl = (await lines.next()).value;
    const proxyLine = (await lines.next()).value;
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(proxyLine, /^proxy http:\/\/127\.0\.0\.1:\d+$/);
    const proxyUrl = proxyLine.slice('proxy '.length);
    assert.match(fs.readFileSync(caFile, 'utf8'), /^-----BEGIN CERTIFICATE-----\n/);

    const base = new URL(baseUrl);
    const login = await request(
        {host: base.hostname, port: base.port, method: 'POST', path: '/admin/login',
         headers: {'content-type': 'application/json'}},
        '{}');
    assert.strictEqual(login.status, 200, login.body);
    const refreshToken = JSON.parse(login.body).refresh_token;

    const env = {
      ...process.env,
      HTTPS_PROXY: proxyUrl,
      NO_PROXY: '127.0.0.1',
      CREDSIM_REFRESH_TOKEN: refreshToken,
    };
    delete env.NODE_EXTRA_CA_CERTS;
    const untrusting = await runChild(env);
    assert.notStrictEqual(untrusting.code, 0, 'a client that does not trust the CA must fail');
    assert.match(untrusting.stderr, /certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i, untrusting.stderr);

    const client = await runChild({...env, NODE_EXTRA_CA_CERTS: caFile});
    assert.strictEqual(client.code, 0, client.stderr);
    const answer = JSON.parse(client.stdout);
    assert.strictEqual(answer.status, 200, answer.body);
    const rotated = JSON.parse(answer.body).refresh_token;
    assert.match(rotated, /^sk-ant-ort01-/);
    assert.notStrictEqual(rotated, refreshToken);
    console.log('node through the proxy: 200, refresh token rotated');
  } finally {
    server.kill('SIGTERM');
    const end = await exited;
    fs.rmSync(dir, {recursive: true, force: true});
    assert.deepStrictEqual(end, {code: 0, signal: null}, 'the server exits 0 on SIGTERM');
  }
}

const watchdog = setTimeout(() => {
  console.error('node_through_proxy: timed out');
  process.exit(1);
}, 40000);
const main = process.argv[2] === '--client' ? runClient() : runParent(process.argv[2]);
main.then(() => clearTimeout(watchdog), (error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(process.argv[2] === '--client' ? 3 : 1);
});
