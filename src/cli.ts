// The `tfjs-adversarial` command line (Node): `train` (the main job), `eval` (a saved model under attacks)
// and `sweep` (the robustness-accuracy trade-off), in Node through Dawn or, with `--runtime chrome`, in
// headless Chromium through puppeteer (the same library and the same report schema).
import { jobRequest, parseCommandLine, USAGE, UsageError } from './cli/args';
import { ProgressPrinter } from './cli/node_io';

async function main(argv: string[]): Promise<void> {
  const { command, values } = parseCommandLine(argv);
  if (command === 'help') {
    console.log(USAGE);
    return;
  }
  const request = jobRequest(command, values);
  const progress = new ProgressPrinter();
  if (request.runtime === 'chrome') {
    const { runJobInChrome } = await import('./cli/run_chrome');
    await runJobInChrome(request, progress);
    return;
  }
  const { runJobInNode } = await import('./cli/run_node');
  await runJobInNode(request, progress);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const usage = err instanceof UsageError;
    console.error(`\ntfjs-adversarial: ${err instanceof Error ? err.message : String(err)}${usage ? '\n(tfjs-adversarial --help lists the commands and flags)' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
