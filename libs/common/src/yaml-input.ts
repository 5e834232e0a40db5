import { parseAllDocuments, parseDocument, type Document } from 'yaml';

/**
 * YAML written by users (nines.yaml, OpenSLO files) is read with bounds, so a "billion laughs"
 * document (aliases of aliases, expanding exponentially) or a pathologically nested one is
 * refused at once with one clear line instead of eating memory or overflowing the stack later.
 */

/** Alias expansions allowed per document (the yaml package counts each alias's resolved nodes). */
export const MAX_YAML_ALIASES = 100;
/** Deepest nesting of mappings and sequences; a config is a handful of levels deep. */
export const MAX_YAML_DEPTH = 64;

export class YamlInputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = 'YamlInputError';
  }
}

/** One document to plain JavaScript; throws YamlInputError naming the line where it can. */
export function parseUserYaml(text: string, opts: { uniqueKeys?: boolean } = {}): unknown {
  return toJs(guarded(() => parseDocument(text, { uniqueKeys: opts.uniqueKeys ?? true, prettyErrors: true })));
}

/** Every document of a multi-document stream: each its value, or the reason it cannot be read. */
export function parseUserYamlDocuments(text: string): ({ value: unknown; error?: undefined } | { value?: undefined; error: string })[] {
  return guarded(() => parseAllDocuments(text, { prettyErrors: true })).map((d) => {
    try {
      return { value: toJs(d) };
    } catch (err) {
      const e = err as YamlInputError;
      return { error: e.line ? `${e.message} (line ${e.line}${e.col ? `, column ${e.col}` : ''})` : e.message };
    }
  });
}

/** The parser recurses per nesting level: a document nested thousands deep overflows the stack. */
function guarded<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof RangeError) throw new YamlInputError(`nested too deeply (at most ${MAX_YAML_DEPTH} levels)`);
    throw err;
  }
}

function toJs(doc: Document): unknown {
  if (doc.errors.length) {
    const e = doc.errors[0];
    if (/call stack/i.test(e.message)) throw new YamlInputError(`nested too deeply (at most ${MAX_YAML_DEPTH} levels)`);
    const pos = e.linePos?.[0];
    // prettyErrors appends the position and a code excerpt to the message; say it once, on one line.
    throw new YamlInputError(e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), pos?.line, pos?.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const msg = (err as Error).message;
    if (/alias count/i.test(msg)) throw new YamlInputError(`too many alias expansions (at most ${MAX_YAML_ALIASES}): refused as a "billion laughs" document`);
    if (err instanceof RangeError) throw new YamlInputError(`nested too deeply (at most ${MAX_YAML_DEPTH} levels)`);
    throw new YamlInputError(msg.split('\n')[0]);
  }
  if (depthOf(value) > MAX_YAML_DEPTH) throw new YamlInputError(`nested too deeply (at most ${MAX_YAML_DEPTH} levels)`);
  return value;
}

/** The depth of nested mappings and sequences, walked without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, d + 1);
    if (deepest > MAX_YAML_DEPTH) return deepest;
    for (const x of v instanceof Map ? v.values() : Object.values(v)) stack.push([x, d + 1]);
  }
  return deepest;
}
