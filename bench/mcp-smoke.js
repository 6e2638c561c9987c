#!/usr/bin/env node
// npm run mcp:smoke — an MCP Inspector-style smoke test of /api/mcp with the official SDK client.
//
// With GPX_BASE_URL and GPX_TOKEN set, it connects to that server with that token, lists the
// tools, prompts and resources, and calls tokens_self. Otherwise it boots the built app on a
// scratch embedded database (or DATABASE_URL), signs a user up, makes one token per scope group
// (and one with every scope), and prints how many tools each scope group unlocks.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

async function connect(base, token) {
  const client = new Client({ name: 'gpx-mcp-smoke', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/api/mcp', base), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

async function inspect(base, token) {
  const client = await connect(base, token);
  try {
    const { tools } = await client.listTools();
    const { prompts } = await client.listPrompts();
    const { resources } = await client.listResources();
    console.log(`server: ${JSON.stringify(client.getServerVersion())}`);
    console.log(`tools (${tools.length}): ${tools.map((t) => t.name).join(', ')}`);
    console.log(`prompts (${prompts.length}): ${prompts.map((p) => p.name).join(', ')}`);
    console.log(`resources: ${resources.map((r) => r.uri).join(', ')}`);
    const self = await client.callTool({ name: 'tokens_self', arguments: {} });
    console.log(`tokens_self → ${self.isError ? 'error ' : ''}${self.content[0].text}`);
  } finally {
    await client.close();
  }
}

async function scopeGroupTable() {
  const port = Number(process.env.MCP_SMOKE_PORT ?? 3902);
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gpx-mcp-smoke-'));
  const server = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 300) throw new Error('the server did not become ready');
      try {
        if ((await fetch(`${base}/api/health/ready`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `mcp-smoke-${Date.now()}@example.com`,
        password: 'correct horse battery staple',
        displayName: 'MCP smoke',
      }),
    });
    if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
    const { csrfToken } = await signup.json();
    const cookie = signup.headers.get('set-cookie').split(';')[0];
    const mint = async (name, scopes) => {
      const res = await fetch(`${base}/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ name, scopes }),
      });
      if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
      return (await res.json()).token;
    };
    const catalog = await (await fetch(`${base}/api/programmatic/catalog`)).json();
    const rows = [];
    const groups = [
      ...catalog.scopeGroups.filter((g) => g.scopes.length > 0),
      { name: 'every scope', scopes: catalog.scopes.map((s) => s.name) },
    ];
    for (const group of groups) {
      const client = await connect(base, await mint(`smoke ${group.name}`, group.scopes));
      const { tools } = await client.listTools();
      await client.close();
      rows.push([group.name, String(tools.length), group.scopes.join(' ')]);
    }
    const tokenTools = catalog.endpoints.filter((e) => e.authKind === 'user').length;
    console.log(
      `catalog: ${catalog.endpoints.length} endpoints, ${tokenTools} callable with a token`,
    );
    console.log(['scope group', 'tools', 'scopes'].join('\t'));
    for (const row of rows) console.log(row.join('\t'));
    console.log('');
    await inspect(base, await mint('smoke inspect', ['posts:read']));
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.env.GPX_BASE_URL && process.env.GPX_TOKEN) {
  await inspect(process.env.GPX_BASE_URL, process.env.GPX_TOKEN);
} else {
  await scopeGroupTable();
}
