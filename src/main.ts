// The program's entry (bundled to dist/wedgetop.mjs). Kept apart from cli.ts so tests can import main().
import { main } from './cli.js';

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
