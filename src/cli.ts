#!/usr/bin/env node
/**
 * The `authfort-service` command: `serve` (the product), `demo` (`npm start`), `check` (send one
 * Envoy Check and print the decision: a debugging tool for operators).
 */
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';

import { runCheckCommand } from './cli/check.js';
import { runDemo } from './cli/demo.js';
import { runServe } from './cli/serve.js';
import { isAuthFortError } from './errors.js';

const USAGE = `Usage: authfort-service <command> [options]

Commands:
  serve [--config FILE]   Run the authorization server (configuration from AUTHFORT_* variables
                          and the optional YAML file; see the README).
  demo                    Start a local demo issuer and the server against it, and print a
                          token with commands to try (what \`npm start\` runs).
  check [options]         Send one Envoy Check to a running server and print the decision.
                          Run \`authfort-service check --help\` for its options.

Exit status: 0 on success (for check: allowed), 1 when check is denied, 2 on errors.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { config: { type: 'string', short: 'c' } },
        strict: true,
      });
      return runServe(values.config);
    }
    case 'demo':
      return runDemo();
    case 'check':
      return runCheckCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`authfort-service: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

// A cluster worker runs `serve` again with the primary's argv; the primary decides the rest.
const argv = cluster.isWorker ? ['serve', ...process.argv.slice(3)] : process.argv.slice(2);

main(argv).then(
  (code) => {
    if (code !== 0 || argv[0] === 'check' || argv[0] === 'help') process.exitCode = code;
  },
  (error: unknown) => {
    // One line, never a stack of secrets: configuration errors name their key.
    const message = isAuthFortError(error) ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`authfort-service: ${message}\n`);
    process.exitCode = 2;
  },
);
