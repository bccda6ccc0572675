import * as fs from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
    // Ink runs as installed: node_modules/ink patched by scripts/ink-patches.mjs (postinstall, and
    // again by the build globalSetup runs), the same files the bundle is built from.
    server: { deps: { inline: ['ink'] } },
    // Real-kernel tests build wedges (frozen mounts, audit registration): never two at once.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
