/**
 * `npm run bench`: Fanout against its peers, side by side in one run on one local cloud (the fauxqs
 * emulator, in a process of its own). Prints one table per figure; asserts nothing.
 */
import { measurePublish, printPublish } from "./fig1-publish.ts";
import { measureConsume, printConsume } from "./fig2-consume.ts";
import { measureColdStart, printColdStart } from "./fig3-cold-start.ts";
import { measureMemory, printMemory } from "./fig4-memory.ts";
import { measureEndToEnd, printEndToEnd } from "./fig5-end-to-end.ts";
import { costRows, printCost } from "./fig6-cost.ts";
import { measureIdempotency, printIdempotency } from "./fig7-idempotency.ts";
import { measureFifoPublish, printFifoPublish } from "./fig8-fifo-publish.ts";
import { readOptions } from "./options.ts";
import { note } from "./table.ts";

const options = readOptions();
note(
  `Fanout benchmark ${new Date().toISOString()}, Node ${process.version}, ${options.quick ? "quick" : "full"} run`,
);
note(`sizes: ${JSON.stringify({ ...options, figures: [...options.figures] })}`);

// Figure 6 is computed from the requests counted in figures 1 and 2.
const published = options.figures.has(1) || options.figures.has(6) ? await measurePublish(options) : [];
if (options.figures.has(1)) printPublish(published, options);
const consumed = options.figures.has(2) || options.figures.has(6) ? await measureConsume(options) : [];
if (options.figures.has(2)) printConsume(consumed, options);
if (options.figures.has(3)) printColdStart(await measureColdStart());
if (options.figures.has(4)) printMemory(await measureMemory(options));
if (options.figures.has(5)) printEndToEnd(await measureEndToEnd(options));
if (options.figures.has(6)) printCost(costRows(published, consumed));
if (options.figures.has(7)) printIdempotency(await measureIdempotency(options), options);
if (options.figures.has(8)) printFifoPublish(await measureFifoPublish(options), options);
process.exit(0);
