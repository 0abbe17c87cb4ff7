/**
 * Modules declare what they need mounted before them; a wrong order fails at start with
 * Fastify's own message instead of a decorator that is silently undefined later.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { ModuleContext } from '../core/index.js';
import type { Config } from './config.js';
import { MODULES, type ModuleSpec, registerModules } from './modules.js';

const ctx = {} as ModuleContext;
const config = {} as Config;

test("the product's modules are listed after everything they depend on", () => {
  const names = MODULES.map((m) => m.name);
  for (const [i, m] of MODULES.entries()) {
    for (const d of m.dependencies ?? []) {
      const at = names.indexOf(d);
      assert.ok(at >= 0 && at < i, `${m.name} needs ${d} mounted before it`);
    }
  }
});

test('a module mounted before one it depends on stops the start', async () => {
  const mounted: string[] = [];
  const spec = (name: string, dependencies: string[] = [], decorate?: string): ModuleSpec => ({
    name,
    dependencies,
    register: async (app) => {
      mounted.push(name);
      if (decorate) app.decorate(decorate, {});
    },
  });
  const app = Fastify();
  await assert.rejects(
    registerModules(app, ctx, config, [spec('auth'), spec('emergency', ['classifier']), spec('classifier')]),
    /dependency 'hotline-classifier' of plugin 'hotline-emergency' is not registered/,
  );
  assert.deepEqual(mounted, ['auth'], 'nothing after the wrong one was mounted');
  await app.close();

  const ok = Fastify();
  await registerModules(ok, ctx, config, [spec('auth'), spec('classifier', ['auth'], 'classifierStub'), spec('emergency', ['classifier'])]);
  await ok.close();
});

test('a module that reads a decorator nobody set stops the start', async () => {
  const app = Fastify();
  await assert.rejects(
    registerModules(app, ctx, config, [{ name: 'emergency', decorators: ['telephony'], register: async () => {} }]),
    /telephony/,
  );
  await app.close();
});
