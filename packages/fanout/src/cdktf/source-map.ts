/**
 * Trims a bundle's source map to the project's own code. Library code makes up nine tenths of a handler
 * bundle, and mapping it would double the zipped size of every function, while its stack frames point into
 * code nobody here edits. Frames in our code keep their file and line; library frames show bundle positions.
 */

interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  [field: string]: unknown;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((char, index) => [char, index]));

function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`Invalid source map character "${char}"`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

function encodeValue(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let encoded = "";
  do {
    const digit = rest & 31;
    rest >>>= 5;
    encoded += BASE64[rest > 0 ? digit | 32 : digit];
  } while (rest > 0);
  return encoded;
}

/** Keeps the mappings whose source `keep` accepts; the others become unmapped gaps. */
export function filterSourceMap(json: string, keep: (source: string) => boolean): string {
  const map = JSON.parse(json) as SourceMap;
  const keptSources: string[] = [];
  const newSourceIndex = map.sources.map((source) => (keep(source) ? keptSources.push(source) - 1 : -1));
  const keptNames: string[] = [];
  const newNameIndex = new Map<number, number>();

  // Every field but the generated column is relative to the previous segment of the whole map.
  const read = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(";").map((line) => {
    let readColumn = 0;
    let writtenColumn = 0;
    let lastWasGap = true;
    const out: string[] = [];
    for (const segment of line ? line.split(",") : []) {
      const [column = 0, source, srcLine, srcColumn, name] = decodeSegment(segment);
      readColumn += column;
      let target: number | undefined;
      if (source !== undefined && srcLine !== undefined && srcColumn !== undefined) {
        read.source += source;
        read.line += srcLine;
        read.column += srcColumn;
        if (name !== undefined) read.name += name;
        target = newSourceIndex[read.source];
      }
      if (target === undefined || target < 0) {
        if (lastWasGap) continue;
        out.push(encodeValue(readColumn - writtenColumn));
        writtenColumn = readColumn;
        lastWasGap = true;
        continue;
      }
      let fields =
        encodeValue(readColumn - writtenColumn) +
        encodeValue(target - written.source) +
        encodeValue(read.line - written.line) +
        encodeValue(read.column - written.column);
      writtenColumn = readColumn;
      written.source = target;
      written.line = read.line;
      written.column = read.column;
      if (name !== undefined) {
        let index = newNameIndex.get(read.name);
        if (index === undefined) {
          index = keptNames.push(map.names[read.name] ?? "") - 1;
          newNameIndex.set(read.name, index);
        }
        fields += encodeValue(index - written.name);
        written.name = index;
      }
      out.push(fields);
      lastWasGap = false;
    }
    return out.join(",");
  });
  const sourcesContent = Array.isArray(map.sourcesContent)
    ? map.sourcesContent.filter((_, i) => (newSourceIndex[i] ?? -1) >= 0)
    : undefined;
  return JSON.stringify({
    ...map,
    sources: keptSources,
    sourcesContent,
    names: keptNames,
    mappings: lines.join(";"),
  });
}
