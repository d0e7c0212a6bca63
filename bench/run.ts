/**
 * `npm run bench`: Fanout against its peers, side by side in one run on one local cloud (the fauxqs
 * emulator, in a process of its own). Prints one table per figure; asserts nothing.
 */
import { measurePublish, printPublish } from "./fig1-publish.ts";
import { measureConsume, printConsume } from "./fig2-consume.ts";
import { measureColdStart, printColdStart } from "./fig3-cold-start.ts";
import { measureMemory, printMemory } from "./fig4-memory.ts";
import { readOptions } from "./options.ts";
import { note } from "./table.ts";

const options = readOptions();
note(
  `Fanout benchmark ${new Date().toISOString()}, Node ${process.version}, ${options.quick ? "quick" : "full"} run`,
);
note(`sizes: ${JSON.stringify({ ...options, figures: [...options.figures] })}`);

if (options.figures.has(1) || options.figures.has(6)) {
  const published = await measurePublish(options);
  printPublish(published, options);
}
if (options.figures.has(2) || options.figures.has(6)) {
  const consumed = await measureConsume(options);
  printConsume(consumed, options);
}
if (options.figures.has(3)) printColdStart(await measureColdStart());
if (options.figures.has(4)) printMemory(await measureMemory(options));
process.exit(0);
