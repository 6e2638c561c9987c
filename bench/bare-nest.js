#!/usr/bin/env node
// The yardstick for `npm run bench`: a bare NestJS + Express hello world built from the same
// packages as the app (a controller returning {status:'ok'}, nothing else), so every scenario
// can be read as a fraction of what the framework itself costs on this machine, in this run.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class HelloController {
  hello() {
    return { status: 'ok' };
  }
}
// Decorators applied by hand: this file runs as plain JavaScript, without a compiler.
Get('hello')(
  HelloController.prototype,
  'hello',
  Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello'),
);
Controller()(HelloController);

class HelloModule {}
Module({ controllers: [HelloController] })(HelloModule);

// BARE_ADAPTER=prototyped: the same hello world on the app's Express adapter
// (src/common/http/express-adapter.ts), so the app's own stack can also be read against a
// framework that is spared the same V8 cost; the baseline proper is Nest as a new user gets it.
const adapter =
  process.env.BARE_ADAPTER === 'prototyped'
    ? new (await import('../dist/src/common/http/express-adapter.js')).PrototypedExpressAdapter()
    : undefined;
const app = adapter
  ? await NestFactory.create(HelloModule, adapter, { logger: false })
  : await NestFactory.create(HelloModule, { logger: false });
await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
