/** Where command results go: one JSON document per result with `--json`, a human line otherwise. */
export interface Output {
  result(data: unknown, human: string): void;
  line(text: string): void;
}

export function createOutput(json: () => boolean, stdout: NodeJS.WritableStream = process.stdout): Output {
  return {
    result: (data, human) => stdout.write(`${json() ? JSON.stringify(data) : human}\n`),
    line: (text) => stdout.write(`${text}\n`),
  };
}
