import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // As in the bundle (scripts/build.mjs): Ink draws on a terminal even when CI=true.
    alias: { 'is-in-ci': fileURLToPath(new URL('./src/vendor/is-in-ci.ts', import.meta.url)) },
  },
  plugins: [
    {
      // Ink (and ink-testing-library, which imports it) run through vite (below); their published
      // source maps name sources they do not ship, and vite would warn about each file every run.
      name: 'ink-without-source-maps',
      enforce: 'pre',
      load(id) {
        if (!/[\\/]node_modules[\\/]ink(-testing-library)?[\\/]build[\\/].*\.js$/.test(id)) return null;
        return fs.readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/fixtures/**', 'node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Ink is run through vite so that the alias above reaches its import of is-in-ci.
    server: { deps: { inline: ['ink'] } },
    // Real-kernel tests build wedges (frozen mounts, audit registration): never two at once.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
