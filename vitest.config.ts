import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [{ test: { name: 'unit', root: '.', include: ['test/**/*.test.ts'], testTimeout: 60_000 } }],
  },
});
